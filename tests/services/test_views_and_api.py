"""Pages and API: who sees and does what, the same rules and messages through both."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services as case_services
from cases.models import Case, CaseAccess, Role
from services import services
from services.models import AssistanceRecord, Identification, ReflectionPeriod
from tests.factories import UserFactory

from .factories import DOCUMENTS, case_with

pytestmark = pytest.mark.django_db

# Who sees the stage-2 section of caseworker's case, and who may record on it.
SEES = {
    "caseworker": True,
    "caseworker2": False,
    "coordinator": True,
    "other_ngo_worker": False,
    "police": False,
    "municipality": False,
    "employment": False,
    "national": True,
    "admin": False,
}
RECORDS = {"caseworker", "coordinator"}


def _propose(case, actor, ground="criminal_procedure_decision"):
    return services.identification_propose(case=case, actor=actor, ground=ground, **DOCUMENTS[ground])


def _url(name, case, *args):
    return reverse(f"services:{name}", args=[case.reference, *args])


def _api(case, path=""):
    return f"/api/v1/cases/{case.reference}/{path}"


@pytest.mark.parametrize("role", sorted(SEES))
def test_section_pages_and_api_scope(client, all_role_users, case_of_caseworker, role):
    user = all_role_users[role]
    proposal = _propose(case_of_caseworker, all_role_users["caseworker"])
    client.force_login(user)
    detail = client.get(case_of_caseworker.get_absolute_url())
    sees = SEES[role]
    assert detail.status_code == (200 if sees else 404)
    if sees:
        body = detail.content.decode()
        assert "Identification" in body and "11816001026" in body
        assert (f'href="{_url("assistance_add", case_of_caseworker)}"' in body) == (role in RECORDS)
    review = client.get(_url("identification_review", case_of_caseworker, proposal.pk))
    assert review.status_code == (200 if sees else 404)
    for path in ("identification/", f"identification/{proposal.pk}/", "assistance/", "proceedings/"):
        assert client.get(_api(case_of_caseworker, path)).status_code == (200 if sees else 404), path
    add = client.get(_url("assistance_add", case_of_caseworker))
    assert add.status_code == (200 if role in RECORDS else 403 if sees else 404)
    posted = client.post(
        _api(case_of_caseworker, "assistance/"),
        {"kind": "first_meeting", "started_on": "2026-03-02", "arranged_by": "NGO"},
    )
    assert posted.status_code == (201 if role in RECORDS else 403 if sees else 404)


def test_caseworker_proposes_through_the_page(client, caseworker, case_of_caseworker):
    client.force_login(caseworker)
    page = client.get(case_of_caseworker.get_absolute_url()).content.decode()
    assert _url("identification_propose", case_of_caseworker) in page
    response = client.post(
        _url("identification_propose", case_of_caseworker),
        {
            "ground": "law_enforcement_statement",
            "le_institution": "Valsts policija",
            "le_country": "LV",
            "le_number": "VP-1",
            "le_date": "2026-03-01",
            "outcome": "identified",
        },
    )
    assert response.status_code == 302
    proposal = Identification.objects.get()
    assert proposal.proposed_by == caseworker and proposal.le_country.code == "LV"
    assert proposal.history.get().history_user == caseworker


def test_a_missing_field_shows_its_message_on_the_page(client, caseworker, case_of_caseworker):
    client.force_login(caseworker)
    response = client.post(
        _url("identification_propose", case_of_caseworker),
        {
            "ground": "expert_commission_report",
            "commission_members": "A. Kalna, social worker\nM. Priede",
            "outcome": "identified",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["commission_date"] == [
        "Enter the date of the report; the assessment report of the Commission of experts needs it."
    ]
    assert form.errors["commission_members"] == [
        "Give both the name and the profession of every member of the Commission (member 2 is incomplete)."
    ]
    assert 'aria-describedby="id_commission_date_error"' in response.content.decode()


def test_caseworker_cannot_approve_and_coordinator_does(client, caseworker, coordinator, case_of_caseworker):
    proposal = _propose(case_of_caseworker, caseworker)
    client.force_login(caseworker)
    page = client.get(case_of_caseworker.get_absolute_url()).content.decode()
    assert "Review the proposal" not in page
    assert client.post(_url("identification_approve", case_of_caseworker, proposal.pk)).status_code == 403
    assert client.post(_api(case_of_caseworker, f"identification/{proposal.pk}/approve/")).status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == "proposed"

    client.force_login(coordinator)
    page = client.get(case_of_caseworker.get_absolute_url()).content.decode()
    assert "Review the proposal" in page
    # A legal decision: the approval asks for confirmation, showing the person, the indicators and
    # the ground's document; without it nothing is decided.
    confirm = client.get(_url("identification_approve", case_of_caseworker, proposal.pk))
    body = confirm.content.decode()
    assert confirm.status_code == 200 and "Confirm the approval" in body
    assert case_of_caseworker.person.display_name in body and proposal.document_summary in body
    assert client.post(_url("identification_approve", case_of_caseworker, proposal.pk)).status_code == 200
    proposal.refresh_from_db()
    assert proposal.status == "proposed"
    response = client.post(
        _url("identification_approve", case_of_caseworker, proposal.pk), {"confirmed": "yes"}
    )
    assert response.status_code == 302
    case_of_caseworker.refresh_from_db()
    assert case_of_caseworker.victim_status == Case.VictimStatus.IDENTIFIED
    assert "Identified victim" in client.get(case_of_caseworker.get_absolute_url()).content.decode()


def test_four_eyes_on_the_page_and_through_the_api(client, coordinator, mandated_ngo, case_of_caseworker):
    proposal = _propose(case_of_caseworker, coordinator)
    client.force_login(coordinator)
    review = client.get(_url("identification_review", case_of_caseworker, proposal.pk)).content.decode()
    assert str(services.FOUR_EYES) in review and "Approve</button>" not in review
    page = client.post(_url("identification_approve", case_of_caseworker, proposal.pk))
    assert page.status_code == 400 and str(services.FOUR_EYES) in page.content.decode()
    api = client.post(_api(case_of_caseworker, f"identification/{proposal.pk}/approve/"))
    assert api.status_code == 400 and api.json() == {"non_field_errors": [str(services.FOUR_EYES)]}
    api = client.post(_api(case_of_caseworker, f"identification/{proposal.pk}/return/"), {"reason": "No"})
    assert api.status_code == 400 and api.json() == {"non_field_errors": [str(services.FOUR_EYES)]}
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


def test_four_eyes_for_a_user_holding_both_roles_through_the_api(
    client, mandated_ngo, coordinator, case_of_caseworker
):
    both = UserFactory(username="both", organisation=mandated_ngo, roles=[Role.CASEWORKER, Role.COORDINATOR])
    case_services.case_assign_caseworker(case=case_of_caseworker, caseworker=both, actor=coordinator)
    client.force_login(both)
    created = client.post(
        _api(case_of_caseworker, "identification/"),
        {"ground": "criminal_procedure_decision", **DOCUMENTS["criminal_procedure_decision"]},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    refused = client.post(_api(case_of_caseworker, f"identification/{pk}/approve/"))
    assert refused.status_code == 400 and refused.json() == {"non_field_errors": [str(services.FOUR_EYES)]}
    client.force_login(coordinator)
    approved = client.post(_api(case_of_caseworker, f"identification/{pk}/approve/"))
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert (
        approved.json()["decided_by"] == "Līga Bērziņa"
        and approved.json()["proposed_by"] == both.display_name
    )


def test_api_missing_field_is_a_400_with_the_message(client, caseworker, case_of_caseworker):
    client.force_login(caseworker)
    response = client.post(
        _api(case_of_caseworker, "identification/"),
        {
            "ground": "law_enforcement_statement",
            "le_institution": "Police",
            "le_country": "LV",
            "le_date": "2026-03-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "le_number": ["Enter the statement number; the statement of a law-enforcement institution needs it."]
    }


def test_return_through_the_page_needs_a_reason(client, caseworker, coordinator, case_of_caseworker):
    proposal = _propose(case_of_caseworker, caseworker)
    client.force_login(coordinator)
    response = client.post(_url("identification_return", case_of_caseworker, proposal.pk), {"reason": ""})
    assert response.status_code == 400
    response = client.post(
        _url("identification_return", case_of_caseworker, proposal.pk), {"reason": "Add the date."}
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "returned" and proposal.decided_by == coordinator
    client.force_login(caseworker)
    body = client.get(case_of_caseworker.get_absolute_url()).content.decode()
    assert "Add the date." in body and "Propose the identification" in body


def test_a_returned_proposal_waits_on_the_caseworkers_dashboard_until_proposed_again(
    client, caseworker, caseworker2, coordinator, case_of_caseworker
):
    proposal = _propose(case_of_caseworker, caseworker)
    services.identification_return(identification=proposal, actor=coordinator, reason="Add the body's name.")
    client.force_login(caseworker)
    page = client.get("/").content.decode()
    assert "Identifications returned to you" in page
    assert "Add the body&#x27;s name." in page and case_of_caseworker.reference in page
    assert _url("identification_propose", case_of_caseworker) in page
    client.force_login(caseworker2)
    assert case_of_caseworker.reference not in client.get("/").content.decode()
    _propose(case_of_caseworker, caseworker)
    client.force_login(caseworker)
    assert "No proposal of yours was returned." in client.get("/").content.decode()


def test_not_identified_through_the_api_then_closed(client, caseworker, coordinator, case_of_caseworker):
    client.force_login(caseworker)
    created = client.post(
        _api(case_of_caseworker, "identification/"),
        {
            "ground": "expert_commission_report",
            "outcome": "not_identified",
            "outcome_reason": "No indicators.",
            **{**DOCUMENTS["expert_commission_report"], "commission_date": "2026-03-02"},
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    client.force_login(coordinator)
    client.post(_api(case_of_caseworker, f"identification/{created.json()['id']}/approve/"))
    case_of_caseworker.refresh_from_db()
    assert case_of_caseworker.victim_status == Case.VictimStatus.NOT_IDENTIFIED
    assert (
        client.post(
            reverse("cases:close", args=[case_of_caseworker.reference]), {"reason": "Not identified."}
        ).status_code
        == 302
    )


def test_state_funded_assistance_refused_with_the_message_on_page_and_api(
    client, caseworker, case_of_caseworker
):
    client.force_login(caseworker)
    data = {"kind": "legal_aid", "started_on": "2026-03-02", "arranged_by": "Advocate"}
    page = client.post(_url("assistance_add", case_of_caseworker), data)
    message = services.STATE_FUNDED_NEEDS_IDENTIFICATION % {"kind": "Legal aid"}
    assert page.status_code == 400 and page.context["form"].errors["kind"] == [message]
    api = client.post(_api(case_of_caseworker, "assistance/"), data)
    assert api.status_code == 400 and api.json() == {"kind": [message]}
    assert not AssistanceRecord.objects.exists()


def test_reflection_period_refused_for_an_eu_citizen_on_page_and_api(client, mandated_ngo, caseworker):
    case = case_with(organisation=mandated_ngo, caseworkers=[caseworker], citizenships=["EE"])
    client.force_login(caseworker)
    page = client.post(_url("reflection_period_start", case), {"start_date": "2026-03-02"})
    assert page.status_code == 400 and page.context["form"].errors["start_date"] == [
        str(services.REFLECTION_EU_CITIZEN)
    ]
    api = client.post(_api(case, "reflection-period/"), {"start_date": "2026-03-02"})
    assert api.status_code == 400 and api.json() == {"start_date": [str(services.REFLECTION_EU_CITIZEN)]}
    assert client.get(_api(case, "reflection-period/")).status_code == 404
    assert not ReflectionPeriod.objects.exists()


def test_reflection_period_for_a_tcn_shows_last_day_and_days_remaining(client, mandated_ngo, caseworker):
    import datetime

    from django.utils import timezone

    case = case_with(organisation=mandated_ngo, caseworkers=[caseworker], citizenships=["UA"])
    start = timezone.localdate() - datetime.timedelta(days=26)
    client.force_login(caseworker)
    api = client.post(_api(case, "reflection-period/"), {"start_date": start.isoformat()})
    assert api.status_code == 201
    last = start + datetime.timedelta(days=29)
    assert api.json() == {
        "start_date": start.isoformat(),
        "last_day": last.isoformat(),
        "days_remaining": 3,
        "status": "running",
        "ended_on": None,
        "end_reason": "",
    }
    body = client.get(case.get_absolute_url()).content.decode()
    assert last.isoformat() in body and "Days remaining" in body


def test_residence_permit_refused_for_an_eu_citizen_on_page_and_api(client, mandated_ngo, caseworker):
    case = case_with(
        organisation=mandated_ngo, caseworkers=[caseworker], citizenships=["FI"], identified=True
    )
    client.force_login(caseworker)
    data = {
        "travel_document_presented_on": "2026-03-02",
        "travel_document_type": "passport",
        "travel_document_number": "X1",
    }
    page = client.post(_url("residence_permit", case), data)
    assert page.status_code == 400 and page.context["form"].non_field_errors() == [
        str(services.PERMIT_EU_CITIZEN)
    ]
    assert "this person is a citizen of the EU" in page.content.decode()
    api = client.post(_api(case, "residence-permit/"), data)
    assert api.status_code == 400 and api.json() == {"non_field_errors": [str(services.PERMIT_EU_CITIZEN)]}


def test_residence_permit_through_the_api(client, mandated_ngo, caseworker):
    case = case_with(
        organisation=mandated_ngo, caseworkers=[caseworker], citizenships=["VN"], identified=True
    )
    client.force_login(caseworker)
    created = client.post(
        _api(case, "residence-permit/"),
        {
            "travel_document_presented_on": "2026-03-02",
            "travel_document_type": "passport",
            "travel_document_number": "C1",
        },
    )
    assert created.status_code == 201 and created.json()["step"] == "Travel document presented"
    updated = client.post(_api(case, "residence-permit/"), {"application_submitted_on": "2026-03-04"})
    assert (
        updated.status_code == 200
        and updated.json()["step"] == "Application submitted, awaiting the decision"
    )
    assert client.get(_api(case, "residence-permit/")).json()["travel_document_number"] == "C1"


def test_proceedings_and_hearings_through_page_and_api(client, caseworker, case_of_caseworker):
    client.force_login(caseworker)
    assert (
        client.post(
            _url("proceeding_add", case_of_caseworker),
            {"case_number": "118", "procedural_status": "victim", "body": "Court"},
        ).status_code
        == 302
    )
    proceeding = case_of_caseworker.proceedings.get()
    assert (
        client.post(
            _url("hearing_add", case_of_caseworker, proceeding.pk), {"date": "2026-04-01", "place": "Room 1"}
        ).status_code
        == 302
    )
    hearing = client.post(
        _api(case_of_caseworker, f"proceedings/{proceeding.pk}/hearings/"), {"date": "2026-05-01"}
    )
    assert hearing.status_code == 201
    listing = client.get(_api(case_of_caseworker, "proceedings/")).json()
    assert [h["date"] for h in listing[0]["hearings"]] == ["2026-04-01", "2026-05-01"]


def test_api_reads_are_recorded(client, national, case_of_caseworker):
    client.force_login(national)
    client.get(_api(case_of_caseworker, "assistance/"))
    assert list(CaseAccess.objects.values_list("user__username", "kind")) == [("national", "api")]


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_counts_do_not_grow(client, mandated_ngo, caseworker, django_assert_num_queries, rows):
    """The same exact number of queries for one row as for 3 or 30 (the baseline is measured
    on one row, so that middleware of other apps does not make this test brittle)."""
    case = case_with(organisation=mandated_ngo, caseworkers=[caseworker], identified=True)

    def add(n):
        services.assistance_record(
            case=case, actor=caseworker, kind="legal_aid", started_on=case.opened_on, arranged_by=f"A{n}"
        )
        proceeding = services.proceeding_record(
            case=case, actor=caseworker, case_number=f"N{n}", procedural_status="victim", body="Court"
        )
        services.hearing_record(proceeding=proceeding, actor=caseworker, date=case.opened_on)

    add(0)
    client.force_login(caseworker)
    client.get("/")
    urls = [_api(case, "assistance/"), _api(case, "proceedings/"), case.get_absolute_url()]
    baseline = {url: _queries(client, url) for url in urls}
    for n in range(1, rows):
        add(n)
    for url in urls:
        with django_assert_num_queries(baseline[url]):
            response = client.get(url)
        assert response.status_code == 200
    assert len(client.get(_api(case, "assistance/")).json()) == rows
    assert len(client.get(_api(case, "proceedings/")).json()) == rows


def test_schema_lists_the_stage_two_endpoints(client, caseworker):
    client.force_login(caseworker)
    text = client.get("/api/schema/").content.decode()
    for path in (
        "identification/",
        "identification/{id}/approve/",
        "identification/{id}/return/",
        "assistance/",
        "proceedings/",
        "proceedings/{id}/hearings/",
        "reflection-period/",
        "residence-permit/",
    ):
        assert f"/api/v1/cases/{{reference}}/{path}" in text, path


def test_coordinator_dashboard_lists_proposals_awaiting_review(
    client, caseworker, coordinator, case_of_caseworker, case_of_other_ngo
):
    mine = _propose(case_of_caseworker, caseworker)
    client.force_login(coordinator)
    body = client.get("/").content.decode()
    assert "Identifications awaiting your review" in body
    assert _url("identification_review", case_of_caseworker, mine.pk) in body
    # Their own proposals are not theirs to review.
    services.identification_return(identification=mine, actor=coordinator, reason="Again")
    own = _propose(case_of_caseworker, coordinator)
    body = client.get("/").content.decode()
    assert _url("identification_review", case_of_caseworker, own.pk) not in body
    assert "Nothing awaits your review." in body
    client.force_login(caseworker)
    assert "Identifications awaiting your review" not in client.get("/").content.decode()


def test_a_returned_proposal_is_offered_again_filled_in(client, caseworker, coordinator, case_of_caseworker):
    first = _propose(case_of_caseworker, caseworker, ground="expert_commission_report")
    services.identification_return(identification=first, actor=coordinator, reason="Add the third member.")
    client.force_login(caseworker)
    form = client.get(_url("identification_propose", case_of_caseworker)).context["form"]
    assert form.initial["ground"] == "expert_commission_report"
    assert form["commission_members"].value() == "A. Kalna, social worker\nM. Priede, psychologist"
    response = client.post(
        _url("identification_propose", case_of_caseworker),
        {
            "ground": "expert_commission_report",
            "commission_date": "2026-03-02",
            "outcome": "identified",
            "commission_members": form["commission_members"].value() + "\nK. Vanags, lawyer",
        },
    )
    assert response.status_code == 302
    assert len(case_of_caseworker.identifications.get(status="proposed").commission_members) == 3


@pytest.mark.parametrize(
    ("citizenships", "identified", "page", "message"),
    [
        (["LV"], False, "reflection_period_start", services.REFLECTION_EU_CITIZEN),
        ([], False, "reflection_period_start", services.REFLECTION_CITIZENSHIP_UNKNOWN),
        (["SE"], True, "residence_permit", services.PERMIT_EU_CITIZEN),
        (["UA"], False, "residence_permit", services.PERMIT_NEEDS_IDENTIFIED_VICTIM),
        ([], True, "residence_permit", services.PERMIT_CITIZENSHIP_UNKNOWN),
    ],
)
def test_pages_not_offered_say_why(client, mandated_ngo, caseworker, citizenships, identified, page, message):
    case = case_with(
        organisation=mandated_ngo, caseworkers=[caseworker], citizenships=citizenships, identified=identified
    )
    client.force_login(caseworker)
    response = client.get(_url(page, case))
    assert response.status_code == 200
    assert response.context["refusal"] == message and "form" not in response.context


def test_what_was_typed_under_another_ground_before_the_choice_changed_is_dropped(
    client, caseworker, case_of_caseworker
):
    """Only the chosen ground's fields show; a value left in a hidden one is not a refusal."""
    client.force_login(caseworker)
    page = client.get(_url("identification_propose", case_of_caseworker)).content.decode()
    assert page.count('class="border rounded p-2 mb-2 ground-fields"') == 3
    assert 'data-ground="law_enforcement_statement"' in page
    response = client.post(
        _url("identification_propose", case_of_caseworker),
        {
            "ground": "law_enforcement_statement",
            "le_institution": "Valsts policija",
            "le_country": "LV",
            "le_number": "VP-1",
            "le_date": "2026-03-01",
            "cp_case_number": "typed first, then another ground chosen",
            "commission_date": "2026-02-01",
            "outcome": "identified",
        },
    )
    assert response.status_code == 302
    proposal = Identification.objects.get()
    assert proposal.cp_case_number == "" and proposal.commission_date is None
    assert proposal.le_number == "VP-1"


def test_the_approval_confirmation_shows_the_indicators_observed(client, caseworker, coordinator, police):
    from referrals import services as referral_services
    from tests.referrals.factories import complete_data

    referral = referral_services.referral_submit(actor=police, data=complete_data(given_name="Olēna"))
    case = referral_services.referral_accept(referral=referral, actor=coordinator, caseworker=caseworker).case
    proposal = _propose(case, caseworker)
    client.force_login(coordinator)
    review = client.get(_url("identification_review", case, proposal.pk)).content.decode()
    assert _url("identification_approve", case, proposal.pk) in review
    body = client.get(_url("identification_approve", case, proposal.pk)).content.decode()
    assert "Olēna" in body and "Identity or travel documents withheld" in body
    assert proposal.get_ground_display() in body or proposal.get_ground_display().capitalize() in body
    # The caseworker who proposed cannot reach the confirmation: back to the proposal.
    client.force_login(caseworker)
    response = client.get(_url("identification_approve", case, proposal.pk))
    assert response.status_code == 302 and response["Location"] == _url(
        "identification_review", case, proposal.pk
    )
