"""Pages and API: every role against an in-scope and an out-of-scope case."""

import pytest
from django.urls import reverse

from cases.models import Case, CaseAccess
from tests.factories import PersonFactory, make_case

pytestmark = pytest.mark.django_db

# Which of the two cases (caseworker's, caseworker2's, other NGO's) each role sees.
SEES = {
    "caseworker": {"mine"},
    "caseworker2": {"theirs"},
    "coordinator": {"mine", "theirs"},
    "other_ngo_worker": {"other"},
    "police": set(),
    "border": set(),
    "municipality": set(),
    "employment": set(),
    "national": {"mine", "theirs", "other"},
    "admin": set(),
}


@pytest.fixture
def three_cases(case_of_caseworker, case_of_caseworker2, case_of_other_ngo):
    return {"mine": case_of_caseworker, "theirs": case_of_caseworker2, "other": case_of_other_ngo}


@pytest.mark.parametrize("role", sorted(SEES))
def test_list_detail_and_api_scope(client, all_role_users, three_cases, role):
    user = all_role_users[role]
    client.force_login(user)
    listing = client.get(reverse("cases:list"))
    api_list = client.get("/api/v1/cases/")
    expected = SEES[role]
    if expected or role in ("caseworker", "caseworker2"):
        assert listing.status_code == 200
        body = listing.content.decode()
        api_refs = {row["reference"] for row in api_list.json()["results"]}
        for key, case in three_cases.items():
            assert (case.reference in body) == (key in expected), (role, key)
            assert (case.reference in api_refs) == (key in expected), (role, key)
    else:
        assert listing.status_code == 404
        assert api_list.status_code == 200 and api_list.json()["results"] == []
    for key, case in three_cases.items():
        page = client.get(case.get_absolute_url())
        api = client.get(f"/api/v1/cases/{case.reference}/")
        want = 200 if key in expected else 404
        assert page.status_code == want, (role, key)
        assert api.status_code == want, (role, key)
        if want == 404:
            assert case.person.family_name not in page.content.decode()


def test_caseworker2_gets_404_for_caseworkers_case_and_national_reads_it(
    client, caseworker2, national, case_of_caseworker
):
    client.force_login(caseworker2)
    assert client.get(case_of_caseworker.get_absolute_url()).status_code == 404
    assert client.get(f"/api/v1/cases/{case_of_caseworker.reference}/").status_code == 404
    missing = client.get("/cases/NRM-1999-9999/")
    assert missing.status_code == 404
    client.force_login(national)
    page = client.get(case_of_caseworker.get_absolute_url())
    assert page.status_code == 200
    assert "Bērziņa" in page.content.decode()
    api = client.get(f"/api/v1/cases/{case_of_caseworker.reference}/").json()
    assert api["reference"] == case_of_caseworker.reference
    assert api["person"]["display_name"] == "Aija Bērziņa"


def test_every_view_of_a_case_is_recorded(client, caseworker, national, case_of_caseworker):
    client.force_login(caseworker)
    client.get(case_of_caseworker.get_absolute_url())
    client.get(f"/api/v1/cases/{case_of_caseworker.reference}/")
    client.force_login(national)
    client.get(case_of_caseworker.get_absolute_url())
    rows = list(
        CaseAccess.objects.filter(case=case_of_caseworker)
        .order_by("at")
        .values_list("user__username", "kind")
    )
    assert rows == [("caseworker", "view"), ("caseworker", "api"), ("national", "view")]


def test_refused_view_is_not_recorded(client, caseworker2, case_of_caseworker):
    client.force_login(caseworker2)
    client.get(case_of_caseworker.get_absolute_url())
    assert not CaseAccess.objects.exists()


def test_anonymous_is_sent_to_login(client, case_of_caseworker):
    response = client.get(case_of_caseworker.get_absolute_url())
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get("/api/v1/cases/").status_code in (401, 403)


def test_search_by_reference_and_by_name_without_diacritics(
    client, coordinator, case_of_caseworker, case_of_caseworker2
):
    client.force_login(coordinator)
    body = client.get(reverse("cases:list"), {"q": "berzina"}).content.decode()
    assert case_of_caseworker.reference in body and case_of_caseworker2.reference not in body
    body = client.get(reverse("cases:list"), {"q": case_of_caseworker2.reference}).content.decode()
    assert case_of_caseworker2.reference in body and case_of_caseworker.reference not in body
    api = client.get("/api/v1/cases/", {"q": "Kovalenko"}).json()
    assert [r["reference"] for r in api["results"]] == [case_of_caseworker2.reference]
    # Typed in Cyrillic, found in Latin letters (and the other way round).
    api = client.get("/api/v1/cases/", {"q": "Коваленко"}).json()
    assert [r["reference"] for r in api["results"]] == [case_of_caseworker2.reference]


def test_filters_by_stage_and_status(client, coordinator, mandated_ngo, case_of_caseworker):
    rehab = make_case(
        organisation=mandated_ngo, stage=Case.Stage.REHABILITATION, victim_status=Case.VictimStatus.IDENTIFIED
    )
    client.force_login(coordinator)
    body = client.get(reverse("cases:list"), {"stage": "rehabilitation"}).content.decode()
    assert rehab.reference in body and case_of_caseworker.reference not in body
    body = client.get(reverse("cases:list"), {"status": "presumed"}).content.decode()
    assert rehab.reference not in body and case_of_caseworker.reference in body


def test_list_paginates(client, coordinator, mandated_ngo):
    for _ in range(27):
        make_case(organisation=mandated_ngo)
    client.force_login(coordinator)
    first = client.get(reverse("cases:list"))
    assert len(first.context["page"].object_list) == 25
    second = client.get(reverse("cases:list"), {"page": 2})
    assert len(second.context["page"].object_list) == 2
    assert client.get("/api/v1/cases/").json()["count"] == 27


def test_htmx_search_returns_only_the_table(client, coordinator, case_of_caseworker):
    client.force_login(coordinator)
    response = client.get(
        reverse("cases:list"), {"q": "Aija"}, headers={"HX-Request": "true", "HX-Target": "case-results"}
    )
    body = response.content.decode()
    assert case_of_caseworker.reference in body and "<html" not in body


@pytest.mark.parametrize("rows", [3, 30])
def test_case_list_query_count_does_not_grow(
    client, coordinator, mandated_ngo, caseworker, django_assert_num_queries, rows
):
    for _ in range(rows):
        make_case(organisation=mandated_ngo, caseworkers=[caseworker])
    client.force_login(coordinator)
    # session, user, roles, count, the user's organisation (header), page of cases, their
    # assignments, the read log of the cases shown (one insert, one for its history), and the
    # session's renewal (savepoint, update, release).
    with django_assert_num_queries(12):
        response = client.get(reverse("cases:list"))
    assert len(response.context["page"].object_list) == min(rows, 25)


@pytest.mark.parametrize("rows", [3, 30])
def test_case_list_query_count_for_a_caseworker(
    client, mandated_ngo, caseworker, django_assert_num_queries, rows
):
    for _ in range(rows):
        make_case(organisation=mandated_ngo, caseworkers=[caseworker])
    client.force_login(caseworker)
    with django_assert_num_queries(12):
        response = client.get(reverse("cases:list"))
    assert len(response.context["page"].object_list) == min(rows, 25)


@pytest.mark.parametrize("rows", [3, 30])
def test_case_api_query_count_does_not_grow(
    client, national, mandated_ngo, caseworker, django_assert_num_queries, rows
):
    for _ in range(rows):
        make_case(organisation=mandated_ngo, caseworkers=[caseworker])
    client.force_login(national)
    with django_assert_num_queries(11):  # the read log: one insert and one for its history
        response = client.get("/api/v1/cases/")
    assert len(response.json()["results"]) == min(rows, 25)


def test_detail_shows_timeline_from_history(client, coordinator, caseworker, case_of_caseworker):
    from cases import services

    services.case_set_victim_status(
        case=case_of_caseworker, status=Case.VictimStatus.IDENTIFIED, actor=coordinator
    )
    services.case_move_to_stage(
        case=case_of_caseworker, stage=Case.Stage.REHABILITATION, actor=coordinator, reason="Course started"
    )
    client.force_login(coordinator)
    body = client.get(case_of_caseworker.get_absolute_url()).content.decode()
    assert "Case opened" in body
    assert "Stage: Identification → Rehabilitation" in body
    assert "Course started" in body
    assert f"Caseworker assigned: {caseworker.display_name}" in body


def test_coordinator_assigns_and_unassigns_through_the_page(
    client, coordinator, caseworker2, case_of_caseworker
):
    client.force_login(coordinator)
    url = reverse("cases:assign", args=[case_of_caseworker.reference])
    response = client.post(url, {"caseworker": caseworker2.pk}, follow=True)
    assert "is now assigned to the case" in response.content.decode()
    assert case_of_caseworker.assignments.filter(user=caseworker2, ended_at__isnull=True).exists()
    response = client.post(
        reverse("cases:unassign", args=[case_of_caseworker.reference]),
        {"caseworker": caseworker2.pk},
        follow=True,
    )
    assert "The caseworker was unassigned." in response.content.decode()
    assert not case_of_caseworker.assignments.filter(user=caseworker2, ended_at__isnull=True).exists()


def test_caseworker_cannot_assign(client, caseworker, caseworker2, case_of_caseworker):
    client.force_login(caseworker)
    response = client.post(
        reverse("cases:assign", args=[case_of_caseworker.reference]), {"caseworker": caseworker2.pk}
    )
    assert response.status_code == 403
    assert not case_of_caseworker.assignments.filter(user=caseworker2).exists()


def test_assign_with_no_choice_shows_the_error(client, coordinator, case_of_caseworker):
    client.force_login(coordinator)
    response = client.post(
        reverse("cases:assign", args=[case_of_caseworker.reference]), {"caseworker": ""}, follow=True
    )
    assert "This field is required." in response.content.decode()


def test_assign_is_post_only(client, coordinator, case_of_caseworker):
    client.force_login(coordinator)
    assert client.get(reverse("cases:assign", args=[case_of_caseworker.reference])).status_code == 405


def test_close_through_the_page(client, coordinator, case_of_caseworker):
    client.force_login(coordinator)
    url = reverse("cases:close", args=[case_of_caseworker.reference])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    case_of_caseworker.refresh_from_db()
    assert case_of_caseworker.stage != Case.Stage.CLOSED
    response = client.post(url, {"reason": "Moved abroad"}, follow=True)
    assert "The case was closed." in response.content.decode()
    case_of_caseworker.refresh_from_db()
    assert case_of_caseworker.stage == Case.Stage.CLOSED


def test_national_cannot_close_or_assign(client, national, case_of_caseworker):
    client.force_login(national)
    assert (
        client.post(reverse("cases:close", args=[case_of_caseworker.reference]), {"reason": "x"}).status_code
        == 403
    )


def test_access_log_for_national_and_404_for_caseworker(client, national, caseworker, case_of_caseworker):
    client.force_login(caseworker)
    client.get(case_of_caseworker.get_absolute_url())
    assert client.get(reverse("cases:access_log", args=[case_of_caseworker.reference])).status_code == 404
    client.force_login(national)
    body = client.get(reverse("cases:access_log", args=[case_of_caseworker.reference])).content.decode()
    assert caseworker.display_name in body and "Viewed the case file" in body


@pytest.mark.parametrize(
    "role", ["caseworker", "coordinator", "police", "municipality", "employment", "national", "admin"]
)
def test_every_role_has_a_dashboard(client, all_role_users, case_of_caseworker, role):
    client.force_login(all_role_users[role])
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    body = response.content.decode()
    if role == "caseworker":
        assert case_of_caseworker.reference in body
    if role in ("police", "municipality", "employment", "admin"):
        assert case_of_caseworker.reference not in body and "Bērziņa" not in body


def test_schema_lists_the_case_endpoints(client, caseworker):
    client.force_login(caseworker)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/cases/" in text and "/api/v1/cases/{reference}/" in text


def test_token_authentication_is_for_service_accounts_only(client, caseworker, case_of_caseworker):
    from accounts.models import ApiToken
    from accounts.services import TOKEN_INVALID

    # A person has no token (tests/security/test_api_tokens.py covers service accounts), and the
    # old plain-text tokens of every user are gone.
    assert not ApiToken.objects.filter(user=caseworker).exists()
    response = client.get("/api/v1/cases/", headers={"Authorization": "Token 0123456789abcdef"})
    assert response.status_code == 401 and response.json()["detail"] == str(TOKEN_INVALID)


def test_login_page_and_language_switch(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'for="id_username"' in response.content.decode()
    response = client.post(
        reverse("set_language"), {"language": "lv", "next": "/accounts/login/"}, follow=True
    )
    assert 'lang="lv"' in response.content.decode()


def test_person_unknown_name_in_list(client, coordinator, mandated_ngo):
    make_case(
        organisation=mandated_ngo, person=PersonFactory(given_name="", family_name="", date_of_birth=None)
    )
    client.force_login(coordinator)
    assert "Name unknown" in client.get(reverse("cases:list")).content.decode()
