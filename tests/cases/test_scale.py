"""The pages of the scale benchmark (scripts/benchmark_pages.py): exact query counts that do not
grow with the rows, the bounded count of the big lists, and the search's use of its trigram index.

See docs/performance.md.
"""

import pytest
from django.db import connection
from django.urls import reverse

from cases import pagination
from cases.models import Case, CaseGroupObjectPermission, Person
from tests.factories import PersonFactory, make_case
from tests.referrals.factories import submit

# Exact query counts per page and user, the same at 3 rows and at 30 (each explained where the
# page is built). A change that makes a page read per row fails here.
QUERIES = {
    ("list", "caseworker"): 12,
    ("list", "coordinator"): 12,
    ("list", "national"): 12,
    ("search", "caseworker"): 12,
    ("search", "coordinator"): 12,
    ("search", "national"): 12,
    ("api", "caseworker"): 11,
    # the queue's count (bounded) and its page, the anonymous ones, the latest decisions, the read log
    ("referrals", "coordinator"): 13,
    # The case page: each stage app's section and its history table once, the permission checks
    # read once per request (cases.permissions.PermissionCacheMiddleware); the identifications,
    # the reflection period and the transfers read once for the two places that show them, the
    # person's history in one statement, the hours and family consultations used in another.
    # An ordinary request: the session was renewed under a minute ago (_renewed_just_now).
    ("case", "caseworker"): 37,
    ("case", "coordinator"): 40,
    ("case", "national"): 39,
}


def _renewed_just_now(client) -> None:
    """The session's idle limit renewed a moment ago: the next page does not renew it again
    (accounts.middleware.IdleSessionMiddleware renews it at most once a minute)."""
    import time

    from accounts.middleware import RENEWED_AT_SESSION_KEY

    session = client.session
    session[RENEWED_AT_SESSION_KEY] = time.time()
    session.save()


@pytest.fixture
def users(caseworker, coordinator, national):
    return {"caseworker": caseworker, "coordinator": coordinator, "national": national}


def _fill(rows, *, organisation, caseworker, police=None):
    cases = [
        make_case(
            organisation=organisation,
            caseworkers=[caseworker],
            person=PersonFactory(given_name="Aija", family_name=f"Bērziņa{'a' * (i % 3)}"),
        )
        for i in range(rows)
    ]
    if police is not None:
        for _ in range(rows):
            submit(police)
    return cases


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize("who", ["caseworker", "coordinator", "national"])
def test_case_list_queries(client, users, mandated_ngo, caseworker, django_assert_num_queries, rows, who):
    _fill(rows, organisation=mandated_ngo, caseworker=caseworker)
    client.force_login(users[who])
    with django_assert_num_queries(QUERIES[("list", who)]):
        response = client.get(reverse("cases:list"))
    assert len(response.context["page"].object_list) == min(rows, 25)


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize("who", ["caseworker", "coordinator", "national"])
def test_case_search_queries(client, users, mandated_ngo, caseworker, django_assert_num_queries, rows, who):
    _fill(rows, organisation=mandated_ngo, caseworker=caseworker)
    client.force_login(users[who])
    with django_assert_num_queries(QUERIES[("search", who)]):
        response = client.get(reverse("cases:list"), {"q": "berzina"})
    assert len(response.context["page"].object_list) == min(rows, 25)


@pytest.mark.parametrize("rows", [3, 30])
def test_case_api_queries(client, caseworker, mandated_ngo, django_assert_num_queries, rows):
    _fill(rows, organisation=mandated_ngo, caseworker=caseworker)
    client.force_login(caseworker)
    with django_assert_num_queries(QUERIES[("api", "caseworker")]):
        response = client.get("/api/v1/cases/")
    assert len(response.json()["results"]) == min(rows, 25)


@pytest.mark.parametrize("rows", [3, 30])
def test_intake_queue_queries(client, coordinator, police, django_assert_num_queries, rows):
    for _ in range(rows):
        submit(police)
    client.force_login(coordinator)
    with django_assert_num_queries(QUERIES[("referrals", "coordinator")]):
        response = client.get(reverse("referrals:list"))
    assert response.status_code == 200


def test_intake_queue_is_read_a_page_at_a_time(client, coordinator, police):
    from referrals.views import QUEUE_PAGE_SIZE

    waiting = [submit(police) for _ in range(QUEUE_PAGE_SIZE + 3)]
    client.force_login(coordinator)
    first = client.get(reverse("referrals:list"))
    assert len(first.context["queue"]) == QUEUE_PAGE_SIZE
    assert first.context["queue_page"].paginator.count == QUEUE_PAGE_SIZE + 3
    assert "queue_page=2" in first.content.decode()
    second = client.get(reverse("referrals:list"), {"queue_page": 2})
    assert [r.pk for r in second.context["queue"]] == [r.pk for r in waiting[-3:]]  # oldest first


# --- the bounded count ----------------------------------------------------------------------


def test_list_count_stops_at_the_cap(client, national, mandated_ngo, caseworker, monkeypatch):
    monkeypatch.setattr(pagination.BoundedPaginator, "cap", 4)
    _fill(6, organisation=mandated_ngo, caseworker=caseworker)
    client.force_login(national)
    response = client.get(reverse("cases:list"))
    paginator = response.context["page"].paginator
    assert paginator.count == 4 and paginator.count_is_capped
    assert "More than 4 cases" in response.content.decode()
    assert len(response.context["page"].object_list) == 4  # the rows up to the cap, never past it


def test_list_count_below_the_cap_is_exact(client, national, mandated_ngo, caseworker, monkeypatch):
    monkeypatch.setattr(pagination.BoundedPaginator, "cap", 4)
    _fill(3, organisation=mandated_ngo, caseworker=caseworker)
    client.force_login(national)
    response = client.get(reverse("cases:list"))
    paginator = response.context["page"].paginator
    assert paginator.count == 3 and not paginator.count_is_capped
    assert "3 cases" in response.content.decode() and "More than" not in response.content.decode()


def test_api_count_stops_at_the_cap(client, national, mandated_ngo, caseworker, monkeypatch):
    monkeypatch.setattr(pagination.BoundedPaginator, "cap", 4)
    _fill(6, organisation=mandated_ngo, caseworker=caseworker)
    client.force_login(national)
    body = client.get("/api/v1/cases/").json()
    assert body["count"] == 4 and body["count_is_capped"] is True
    below = client.get("/api/v1/cases/", {"q": "berzinaaa"}).json()
    assert below["count"] == 2 and below["count_is_capped"] is False


# --- visibility from the permission rows ----------------------------------------------------------


def test_caseworker_sees_cases_granted_through_a_group(client, caseworker, mandated_ngo, case_of_caseworker2):
    from django.contrib.auth.models import Group, Permission

    client.force_login(caseworker)
    assert client.get(case_of_caseworker2.get_absolute_url()).status_code == 404
    team = Group.objects.create(name="Team")
    caseworker.groups.add(team)
    CaseGroupObjectPermission.objects.create(
        group=team,
        content_object=case_of_caseworker2,
        permission=Permission.objects.get(codename="view_case", content_type__app_label="cases"),
    )
    assert client.get(case_of_caseworker2.get_absolute_url()).status_code == 200
    listed = [c.pk for c in client.get(reverse("cases:list")).context["page"].object_list]
    assert case_of_caseworker2.pk in listed


def test_caseworker_with_a_grant_in_another_ngo_does_not_see_it(client, caseworker, case_of_other_ngo):
    from django.contrib.auth.models import Permission

    from cases.models import CaseUserObjectPermission

    CaseUserObjectPermission.objects.create(
        user=caseworker,
        content_object=case_of_other_ngo,
        permission=Permission.objects.get(codename="view_case", content_type__app_label="cases"),
    )
    client.force_login(caseworker)
    assert client.get(case_of_other_ngo.get_absolute_url()).status_code == 404
    assert not client.get(reverse("cases:list")).context["page"].object_list


def test_search_by_reference_digits_and_by_name(client, national, mandated_ngo, caseworker):
    first, *_ = _fill(3, organisation=mandated_ngo, caseworker=caseworker)
    client.force_login(national)
    by_reference = client.get(reverse("cases:list"), {"q": first.reference.lower()}).context["page"]
    assert [c.pk for c in by_reference.object_list] == [first.pk]
    by_name = client.get(reverse("cases:list"), {"q": "BĒRZIŅA"}).context["page"]
    assert by_name.paginator.count == 3


# --- the plans: the search can start from its trigram index --------------------------------------


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # The test tables are tiny: forbid the sequential and plain index scans to see whether
        # the trigram index is usable for the expression Django writes (the planner picks it by
        # cost on a large table; scripts/benchmark_pages.py shows it does).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_name_search_uses_the_trigram_index(national, mandated_ngo, caseworker):
    from cases.selectors import case_list_for_user

    _fill(3, organisation=mandated_ngo, caseworker=caseworker)
    assert "person_search_name_trgm_idx" in _plan(Person.objects.filter(search_name__contains="berzina"))
    assert "person_search_name_trgm_idx" in _plan(case_list_for_user(user=national, search="Bērziņa"))


def test_reference_search_uses_the_trigram_index(national, mandated_ngo, caseworker):
    from cases.selectors import case_list_for_user

    _fill(3, organisation=mandated_ngo, caseworker=caseworker)
    assert "case_reference_upper_trgm_idx" in _plan(Case.objects.filter(reference__icontains="nrm-2026-0"))
    assert "case_reference_upper_trgm_idx" in _plan(case_list_for_user(user=national, search="2026-000"))


# --- precomputed figures: the dashboards, monitoring and the CSV --------------------------------

# With the snapshots fresh: session, user, roles, the header's organisation and alerts, the
# panels' own reads (the intake queue's counts, the caseworker's cases and alerts), one snapshot
# read per figure block, the read log of the cases listed, the session's renewal.
QUERIES.update(
    {
        ("dashboard", "caseworker"): 14,
        ("dashboard", "coordinator"): 13,
        ("dashboard", "national"): 11,
        ("monitoring", "coordinator"): 8,
        ("monitoring", "national"): 8,
        ("csv", "coordinator"): 7,
        ("csv", "national"): 7,
    }
)


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize("who", ["caseworker", "coordinator", "national"])
def test_dashboard_queries(
    client, users, mandated_ngo, caseworker, police, django_assert_num_queries, rows, who
):
    from cases.snapshots import snapshots_refresh

    _fill(rows, organisation=mandated_ngo, caseworker=caseworker, police=police)
    snapshots_refresh()
    client.force_login(users[who])
    with django_assert_num_queries(QUERIES[("dashboard", who)]):
        response = client.get("/")
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize("who", ["coordinator", "national"])
@pytest.mark.parametrize("screen", ["monitoring", "csv"])
def test_monitoring_and_csv_queries(
    client, users, mandated_ngo, caseworker, police, django_assert_num_queries, rows, who, screen
):
    from cases.snapshots import snapshots_refresh

    _fill(rows, organisation=mandated_ngo, caseworker=caseworker, police=police)
    snapshots_refresh()
    client.force_login(users[who])
    url = reverse("monitoring:index") if screen == "monitoring" else reverse("monitoring:export_csv")
    with django_assert_num_queries(QUERIES[(screen, who)]):
        response = client.get(url)
    assert response.status_code == 200


def test_monitoring_shows_the_snapshot_and_when_it_was_computed(client, national, mandated_ngo, caseworker):
    import datetime

    from django.utils import timezone

    from cases.models import FigureSnapshot
    from cases.snapshots import snapshots_refresh

    _fill(3, organisation=mandated_ngo, caseworker=caseworker)
    snapshots_refresh()
    client.force_login(national)
    response = client.get(reverse("monitoring:index"))
    assert response.context["computed_at"] is not None
    assert response.context["figures"].headline["victims"] == 3
    assert "Computed at" in response.content.decode()
    # A case opened after the refresh shows at the next one, not before.
    _fill(1, organisation=mandated_ngo, caseworker=caseworker)
    assert client.get(reverse("monitoring:index")).context["figures"].headline["victims"] == 3
    snapshots_refresh()
    assert client.get(reverse("monitoring:index")).context["figures"].headline["victims"] == 4
    # A snapshot past its age is not shown: the page computes the figures itself.
    FigureSnapshot.objects.update(computed_at=timezone.now() - datetime.timedelta(hours=2))
    _fill(1, organisation=mandated_ngo, caseworker=caseworker)
    live = client.get(reverse("monitoring:index"))
    assert live.context["computed_at"] is None and live.context["figures"].headline["victims"] == 5


def test_a_chosen_period_is_computed_live(client, national, mandated_ngo, caseworker):
    from django.utils import timezone

    from cases.snapshots import snapshots_refresh

    _fill(2, organisation=mandated_ngo, caseworker=caseworker)
    snapshots_refresh()
    client.force_login(national)
    today = timezone.localdate()
    response = client.get(
        reverse("monitoring:index"), {"from": f"{today.year - 1}-01-01", "to": f"{today:%Y-%m-%d}"}
    )
    assert response.context["computed_at"] is None and response.context["figures"].headline["victims"] == 2


def test_csv_from_the_snapshot_equals_the_live_one(client, coordinator, national, mandated_ngo, caseworker):
    from cases.models import FigureSnapshot
    from cases.snapshots import snapshots_refresh

    _fill(6, organisation=mandated_ngo, caseworker=caseworker)
    for user in (coordinator, national):
        client.force_login(user)
        live = client.get(reverse("monitoring:export_csv")).content
        snapshots_refresh()
        assert FigureSnapshot.objects.filter(kind="eurostat_rows").exists()
        assert client.get(reverse("monitoring:export_csv")).content == live
        FigureSnapshot.objects.all().delete()


def test_dashboard_stage_counts_come_from_the_snapshot(client, coordinator, mandated_ngo, caseworker):
    from cases.snapshots import snapshots_refresh

    _fill(2, organisation=mandated_ngo, caseworker=caseworker)
    client.force_login(coordinator)
    live = client.get("/")
    assert live.context["stage_counts_at"] is None
    assert {s: n for s, _l, n in live.context["stage_counts"]}["identification"] == 2
    snapshots_refresh()
    _fill(1, organisation=mandated_ngo, caseworker=caseworker)
    cached = client.get("/")
    assert cached.context["stage_counts_at"] is not None
    assert {s: n for s, _l, n in cached.context["stage_counts"]}["identification"] == 2
    assert "Computed at" in cached.content.decode()


# --- the case page: a constant number of queries, whatever the case's history ---------------------


def _worked_case(rows, *, organisation, caseworker, coordinator, other_caseworkers):
    """A case with `rows` of everything the page shows: history of the case and the person, past
    assignments, court-support entries, alerts, read-log entries."""
    import datetime

    from cases import services
    from cases.models import Alert
    from rehabilitation.models import CourtSupportEntry

    case = make_case(organisation=organisation, caseworkers=[caseworker])
    person = case.person
    for i in range(rows):
        person.languages = f"latviešu {i}"
        person.save()
        case.risk_level = ["low", "medium"][i % 2]
        case.save()
        worker = other_caseworkers[i % len(other_caseworkers)]
        services.case_assign_caseworker(case=case, caseworker=worker, actor=coordinator)
        services.case_unassign_caseworker(case=case, caseworker=worker, actor=coordinator)
        CourtSupportEntry.objects.create(
            case=case,
            date=datetime.date(2026, 1, 1) + datetime.timedelta(days=i),
            hours="0.25",
            activity="Hearing",
            recorded_by=caseworker,
        )
        Alert.objects.create(
            case=case,
            kind=Alert.Kind.COURSE_ENDS_SOON,
            due_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=i),
        )
        services.case_access_record(case=case, actor=coordinator)
    return case


def _queries_at_3_and_30_rows(
    client, user, mandated_ngo, caseworker, coordinator, url_of
) -> list[tuple[int, str]]:
    """The queries of one ordinary request for a worked case's page, with 3 and with 30 rows of
    history; each response must be a 200 (its content type is returned with the counts)."""
    from django.test.utils import CaptureQueriesContext

    from tests.factories import UserFactory

    others = [UserFactory(organisation=mandated_ngo, roles=["caseworker"]) for _ in range(3)]
    counts = []
    for rows in (3, 30):
        case = _worked_case(
            rows,
            organisation=mandated_ngo,
            caseworker=caseworker,
            coordinator=coordinator,
            other_caseworkers=others,
        )
        client.force_login(user)
        _renewed_just_now(client)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url_of(case))
        assert response.status_code == 200
        counts.append((len(captured.captured_queries), response["Content-Type"]))
    return counts


@pytest.mark.parametrize("who", ["caseworker", "coordinator", "national"])
def test_case_page_queries_do_not_grow_with_its_history(
    client, users, mandated_ngo, caseworker, coordinator, who
):
    counts = [
        n
        for n, _type in _queries_at_3_and_30_rows(
            client, users[who], mandated_ngo, caseworker, coordinator, lambda case: case.get_absolute_url()
        )
    ]
    assert counts[0] == counts[1], counts
    assert counts[0] == QUERIES[("case", who)]


# The case's PDF summary (the benchmark's summary.pdf): session, user, roles, the case and its
# assignments, the permissions, the read log, each section's read (the timeline's history tables
# among them), on an ordinary request (no renewal of the session); the same for 3 rows of history
# and for 30.
QUERIES[("pdf", "coordinator")] = 29


def test_case_summary_pdf_queries_do_not_grow_with_its_history(client, mandated_ngo, caseworker, coordinator):
    measured = _queries_at_3_and_30_rows(
        client,
        coordinator,
        mandated_ngo,
        caseworker,
        coordinator,
        lambda case: reverse("case_summary_pdf", args=[case.reference]),
    )
    assert all(content_type == "application/pdf" for _n, content_type in measured)
    counts = [n for n, _type in measured]
    assert counts[0] == counts[1], counts
    assert counts[0] == QUERIES[("pdf", "coordinator")]
