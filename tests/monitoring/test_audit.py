"""Who saw what: every view, download and change of a case, for the national coordinator."""

import pytest
from django.urls import reverse

from cases import services as case_services
from cases.models import CaseAccess
from monitoring import selectors
from services import services as stage2

# The audit page of views: the session, the user and their roles, the case and the like, then the
# count, the page's keys and the page's rows of the read log (the database pages the trail; it
# was 48, one query per source of history, with the whole trail in memory); the same with 3 and
# 80 entries. The session was renewed by the warming request (at most once a minute).
QUERIES_AUDIT_PAGE = 9

pytestmark = pytest.mark.django_db


def _url(case):
    return reverse("monitoring:case_audit", args=[case.reference])


@pytest.fixture
def worked_case(case_of_caseworker, caseworker, coordinator, national):
    case = case_of_caseworker
    case_services.case_access_record(case=case, actor=caseworker, kind=CaseAccess.Kind.VIEW)
    case_services.case_access_record(case=case, actor=national, kind=CaseAccess.Kind.PDF)
    identification = stage2.identification_propose(
        case=case,
        actor=caseworker,
        ground="criminal_procedure_decision",
        cp_case_number="11816000123",
        cp_date=case.opened_on,
        cp_body="Valsts policija",
    )
    stage2.identification_approve(identification=identification, actor=coordinator)
    return case


def test_national_sees_views_downloads_and_changes_with_user_and_organisation(
    client, national, caseworker, coordinator, worked_case
):
    client.force_login(national)
    response = client.get(_url(worked_case))
    assert response.status_code == 200
    body = response.content.decode()
    entries = selectors.case_audit_trail(user=national, case=worked_case)
    kinds = {(e.kind, e.what, e.user) for e in entries}
    assert ("view", "Viewed the case file", caseworker.display_name) in kinds
    assert ("download", "Downloaded the PDF summary", national.display_name) in kinds
    assert ("change", "Case: created", "the system") in kinds
    assert ("change", "Assignment: created", "the system") in kinds
    assert ("change", "Identification: created", caseworker.display_name) in kinds
    assert ("change", "Identification: changed", coordinator.display_name) in kinds
    assert ("change", "Case: changed", coordinator.display_name) in kinds  # the victim status
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)
    assert "Mandated NGO" in body and "Ministry of the Interior" in body
    assert "Identification approved" in body  # the reason of the change


def test_filter_by_kind(client, national, worked_case):
    client.force_login(national)
    body = client.get(_url(worked_case), {"kind": "download"}).content.decode()
    assert "Downloaded the PDF summary" in body
    assert "Viewed the case file" not in body and "Identification: created" not in body


@pytest.mark.parametrize(
    "role",
    [
        "caseworker",
        "caseworker2",
        "coordinator",
        "other_ngo_worker",
        "police",
        "municipality",
        "employment",
        "admin",
    ],
)
def test_only_the_national_coordinator_sees_the_audit_trail(client, all_role_users, worked_case, role):
    client.force_login(all_role_users[role])
    assert client.get(_url(worked_case)).status_code == 404


def test_query_count_does_not_grow_with_the_accesses(
    national, caseworker, worked_case, django_assert_num_queries
):
    from cases.permissions import user_roles

    user_roles(national)
    # One query for the read log and one per registered source of history (38 sources: cases 8,
    # services 6, rehabilitation 8, reintegration 5, safety 5, privacy 3, referrals 1, documents 2).
    with django_assert_num_queries(39):
        selectors.case_audit_trail(user=national, case=worked_case)
    for _n in range(30):
        case_services.case_access_record(case=worked_case, actor=caseworker, kind=CaseAccess.Kind.VIEW)
    with django_assert_num_queries(39):
        entries = selectors.case_audit_trail(user=national, case=worked_case)
    assert sum(1 for e in entries if e.kind == "view") == 31


def test_case_page_links_to_the_audit_trail_for_the_national_coordinator(
    client, national, coordinator, worked_case
):
    client.force_login(national)
    assert _url(worked_case) in client.get(worked_case.get_absolute_url()).content.decode()
    client.force_login(coordinator)
    assert _url(worked_case) not in client.get(worked_case.get_absolute_url()).content.decode()


def test_api_audit_trail_for_the_national_coordinator_only(client, national, coordinator, worked_case):
    url = f"/api/v1/cases/{worked_case.reference}/audit-trail/"
    client.force_login(national)
    response = client.get(url)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {
        "kind": "download",
        "what": "Downloaded the PDF summary",
        "user": national.display_name,
        "organisation": "Ministry of the Interior",
    }.items() <= next(r for r in rows if r["kind"] == "download").items()
    assert any(r["what"] == "Identification: created" for r in rows)
    client.force_login(coordinator)
    assert client.get(url).status_code == 404
    client.force_login(national)
    assert client.get("/api/v1/cases/NRM-1999-9999/audit-trail/").status_code == 404


# History-tracked models that are no record of one case: accounts, organisations and the security
# log, exports, and the permission rows an assignment already shows.
NOT_CASE_RECORDS = {
    "accounts.apitoken",
    "accounts.securityevent",
    "caseload.importrun",  # one import brings many cases; each case's own rows are on its trail
    "cases.caseaccess",  # the read log: the trail shows it as views and downloads
    "cases.casegroupobjectpermission",
    "cases.caseuserobjectpermission",
    "cases.figuresnapshot",  # precomputed figures over many cases
    "cases.organisation",
    "cases.trainingrecord",
    "cases.user",
    "cases.userrole",
    "monitoring.summaryexport",
    "privacy.anonymisation",
    "referrals.referralaccess",  # the referrals' read log
}


def test_every_model_with_history_is_in_the_audit_trail_or_named_as_no_case_record():
    from simple_history.models import registered_models

    from cases.sections import audit_sources

    tracked = {model._meta.label_lower for model in registered_models.values()}
    registered = {source.key for source in audit_sources()}
    assert registered & NOT_CASE_RECORDS == set()
    assert tracked - NOT_CASE_RECORDS - registered == set(), "register these in their app's ready()"
    assert registered <= tracked
    assert len(registered) == 38


def test_the_trail_shows_a_record_registered_through_its_parent(national, caseworker, worked_case):
    """A hearing reaches the case through its proceedings (case_path "proceeding__case")."""
    from cases.sections import audit_sources

    paths = {source.key: source.case_path for source in audit_sources()}
    assert paths["services.hearing"] == "proceeding__case"
    assert paths["cases.person"] == "person"
    entries = selectors.case_audit_trail(user=national, case=worked_case)
    whats = {e.what for e in entries if e.kind == "change"}
    assert "Identification: created" in whats
    assert "Person: created" in whats


def test_a_source_with_no_way_to_the_case_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    from cases.models import Organisation
    from cases.sections import register_audit_source

    with pytest.raises(ImproperlyConfigured):
        register_audit_source(model=Organisation, case_path="nowhere__case")


@pytest.mark.parametrize("accesses", [3, 80])
def test_the_audit_page_is_paginated_with_a_fixed_number_of_queries(
    client, national, caseworker, worked_case, django_assert_num_queries, accesses
):
    from monitoring.views import AUDIT_PAGE_SIZE

    for _n in range(accesses):
        case_services.case_access_record(case=worked_case, actor=caseworker, kind=CaseAccess.Kind.VIEW)
    client.force_login(national)
    client.get(_url(worked_case))  # the session, the user's roles and the like, warmed once
    with django_assert_num_queries(QUERIES_AUDIT_PAGE):
        response = client.get(_url(worked_case) + "?kind=view")
    page = response.context["page"]
    total = page.paginator.count
    assert total >= accesses
    assert len(page.object_list) == min(total, AUDIT_PAGE_SIZE)
    body = response.content.decode()
    if total > AUDIT_PAGE_SIZE:
        assert "page=2" in body and "kind=view&amp;page=2" in body
        second = client.get(_url(worked_case) + "?kind=view&page=2").context["page"]
        assert len(second.object_list) == total - AUDIT_PAGE_SIZE
    else:
        assert "page=2" not in body


def test_the_audit_page_is_read_page_by_page_from_the_database(national, caseworker, worked_case):
    """The database sorts and pages the trail: each page is the same slice of the whole trail, in
    the same order, and a page's queries do not depend on how long the trail is."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.permissions import user_roles

    user_roles(national)
    for _n in range(7):
        case_services.case_access_record(case=worked_case, actor=caseworker, kind=CaseAccess.Kind.VIEW)
    whole = selectors.case_audit_trail(user=national, case=worked_case)
    key = [(e.at, e.kind, e.what, e.user) for e in whole]
    pages = []
    number = 1
    while True:
        page = selectors.case_audit_page(user=national, case=worked_case, page=number, per_page=4)
        pages += [(e.at, e.kind, e.what, e.user) for e in page.object_list]
        assert page.paginator.count == len(whole)
        if not page.has_next():
            break
        number += 1
    assert sorted(pages, key=lambda r: r[0], reverse=True) == pages
    assert sorted(pages, key=repr) == sorted(key, key=repr)

    views_only = selectors.case_audit_page(user=national, case=worked_case, kind="view", per_page=4)
    assert views_only.paginator.count == 8 and {e.kind for e in views_only.object_list} == {"view"}
    changes = selectors.case_audit_page(user=national, case=worked_case, kind="change", per_page=100)
    assert {e.kind for e in changes.object_list} == {"change"}
    assert any(e.details == ["Identification approved"] for e in changes.object_list)

    def queries(**kwargs):
        with CaptureQueriesContext(connection) as ctx:
            selectors.case_audit_page(user=national, case=worked_case, **kwargs)
        return len(ctx.captured_queries)

    # The count, the page's keys, the read log's rows: three queries for a page of views.
    short = queries(kind="view", per_page=4)
    for _n in range(40):
        case_services.case_access_record(case=worked_case, actor=caseworker, kind=CaseAccess.Kind.VIEW)
    assert short == queries(kind="view", per_page=4) == queries(kind="view", per_page=4, page=5) == 3


def test_the_audit_page_is_refused_to_everyone_but_the_national_coordinator(coordinator, worked_case):
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.case_audit_page(user=coordinator, case=worked_case)


def test_api_audit_trail_is_paged_by_the_database(client, national, caseworker, worked_case):
    from monitoring.api import AUDIT_API_PAGE_SIZE, AUDIT_KIND_UNKNOWN

    for _n in range(AUDIT_API_PAGE_SIZE + 5):
        case_services.case_access_record(case=worked_case, actor=caseworker, kind=CaseAccess.Kind.VIEW)
    url = f"/api/v1/cases/{worked_case.reference}/audit-trail/"
    client.force_login(national)
    first = client.get(url, {"kind": "view"}).json()
    assert first["count"] == AUDIT_API_PAGE_SIZE + 6 and len(first["results"]) == AUDIT_API_PAGE_SIZE
    assert first["previous"] is None and "page=2" in first["next"] and "kind=view" in first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 6 and second["next"] is None and "kind=view" in second["previous"]
    assert {r["kind"] for r in first["results"] + second["results"]} == {"view"}
    refused = client.get(url, {"kind": "everything"})
    assert refused.status_code == 400
    assert refused.json() == {"kind": [str(AUDIT_KIND_UNKNOWN % {"kinds": "view, download, change"})]}
