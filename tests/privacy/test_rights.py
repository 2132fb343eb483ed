"""The data subject's rights: the subject-access export, erasure with four eyes, the record of processing."""

import json

import pytest
from django.urls import reverse

from cases.models import CaseAccess, Person
from privacy import services
from privacy.models import Anonymisation, ErasureRequest, LegalHold, SubjectAccessExport
from tests.factories import UserFactory
from tests.monitoring.conftest import pdf_text

from .conftest import BORN, NEEDLES, where_found

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator2(mandated_ngo):
    return UserFactory(username="coordinator2", organisation=mandated_ngo, roles=["coordinator"])


def _json(client, case, lang="en"):
    response = client.get(reverse("privacy:subject_access_json", args=[case.reference]), {"lang": lang})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    return json.loads(response.content)


def test_the_json_export_holds_everything_and_withholds_third_parties(client, coordinator, full_case):
    client.force_login(coordinator)
    body = _json(client, full_case)
    assert body["person"]["fields"]["Given name"] == "Zentagrūda"
    assert body["person"]["fields"]["Date of birth"] == "1994-07-23"
    case = body["cases"][0]
    assert case["reference"] == full_case.reference
    groups = {g["group"]: g["items"] for g in case["records"]}
    assert (
        groups["Referrals"][0]["fields"]["What was observed"]
        == "Zentagrūda Vaivodiņa said her passport was taken"
    )
    assert groups["Court support entries"][0]["fields"]["Activity"] == "Court with Zentagrūda Vaivodiņa"
    # The mother is another person: her name and the notes about her are withheld, with a note.
    family = groups["Family members"][0]
    assert "Given name" not in family["fields"]
    assert {w["note"] for w in family["withheld"]} == {"Withheld: another person's details."}
    assert "Ausma" not in json.dumps(body, ensure_ascii=False)
    # Internal notes of the proceedings are withheld too.
    proceedings = groups["Criminal proceedings"][0]
    assert "Note" not in proceedings["fields"]
    assert body["withheld"] == [
        "Withheld: an internal note of the staff or a partner.",
        "Withheld: another person's details.",
    ]
    assert any(h["record"] == "Person" for h in body["history"])


def test_the_export_is_logged_in_the_read_log(client, coordinator, full_case):
    client.force_login(coordinator)
    _json(client, full_case)
    access = CaseAccess.objects.get(case=full_case, kind=CaseAccess.Kind.SUBJECT_ACCESS)
    assert access.user == coordinator
    export = SubjectAccessExport.objects.get()
    assert (export.format, export.language, export.produced_by) == ("json", "en", coordinator)
    # The next export lists that read.
    body = _json(client, full_case)
    assert [r["kind"] for r in body["read_log"]] == ["Exported for the person (subject access)"]


def test_the_pdf_export_in_latvian(client, coordinator, full_case):
    client.force_login(coordinator)
    response = client.get(reverse("privacy:subject_access_pdf", args=[full_case.reference]), {"lang": "lv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Zentagrūda" in text and "1994-07-23" in text
    assert "Ausma" not in text
    assert "Ieturēts" in text  # the note saying what is withheld, in Latvian


@pytest.mark.parametrize(
    "user_fixture", ["caseworker", "other_ngo_worker", "police", "sysadmin", "municipality"]
)
def test_others_get_a_404(client, request, full_case, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    for name in ("privacy:subject_access_json", "privacy:subject_access_pdf", "privacy:case"):
        assert client.get(reverse(name, args=[full_case.reference])).status_code == 404
    assert not CaseAccess.objects.filter(kind=CaseAccess.Kind.SUBJECT_ACCESS).exists()


def test_the_national_coordinator_exports_but_manages_nothing(client, national, full_case):
    client.force_login(national)
    assert _json(client, full_case)["cases"][0]["reference"] == full_case.reference
    response = client.post(
        reverse("privacy:hold_place", args=[full_case.reference]), {"kind": "coordinator", "reason": "x"}
    )
    assert response.status_code == 404


def test_a_bad_language_is_refused(client, coordinator, full_case):
    client.force_login(coordinator)
    response = client.get(reverse("privacy:subject_access_json", args=[full_case.reference]), {"lang": "de"})
    assert response.status_code == 400


# --- erasure ----------------------------------------------------------------------------------


def test_erasure_needs_a_second_coordinator_then_anonymises_at_once(
    client, coordinator, coordinator2, full_case
):
    client.force_login(coordinator)
    response = client.post(
        reverse("privacy:erasure_propose", args=[full_case.reference]), {"reason": "Asked by phone"}
    )
    assert response.status_code == 302
    erasure = ErasureRequest.objects.get()
    response = client.post(
        reverse("privacy:erasure_decide", args=[full_case.reference, erasure.pk]), {"decision": "approve"}
    )
    assert response.status_code == 400
    assert str(services.ERASURE_FOUR_EYES) in response.content.decode()
    client.force_login(coordinator2)
    response = client.post(
        reverse("privacy:erasure_decide", args=[full_case.reference, erasure.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302
    erasure.refresh_from_db()
    assert (erasure.status, erasure.decided_by) == ("done", coordinator2)
    assert Anonymisation.objects.get(case=full_case).rule == "erasure_request"
    assert where_found(NEEDLES, BORN) == []


def test_erasure_under_a_legal_hold_is_refused_with_the_reason(coordinator, coordinator2, full_case):
    LegalHold.objects.create(
        case=full_case, kind="pending_claim", reason="Claim 7/2026", placed_by=coordinator
    )
    erasure = services.erasure_propose(case=full_case, reason="", received_on=None, actor=coordinator)
    erasure = services.erasure_decide(erasure=erasure, approve=True, actor=coordinator2)
    assert erasure.status == "refused"
    assert erasure.refusal_reason == str(services.ERASURE_HELD % {"holds": "A pending claim (Claim 7/2026)"})
    assert Person.objects.get(pk=full_case.person_id).given_name == "Zentagrūda"


def test_refusing_needs_a_reason(client, coordinator, coordinator2, full_case):
    erasure = services.erasure_propose(case=full_case, reason="", received_on=None, actor=coordinator)
    client.force_login(coordinator2)
    response = client.post(
        reverse("privacy:erasure_decide", args=[full_case.reference, erasure.pk]), {"decision": "refuse"}
    )
    assert response.status_code == 400
    assert str(services.ERASURE_REFUSAL_NEEDS_REASON) in response.content.decode()
    erasure.refresh_from_db()
    assert erasure.status == "proposed"


def test_a_hold_is_placed_and_lifted_with_reasons(client, coordinator, full_case):
    client.force_login(coordinator)
    response = client.post(
        reverse("privacy:hold_place", args=[full_case.reference]), {"kind": "coordinator", "reason": ""}
    )
    assert response.status_code == 400
    response = client.post(
        reverse("privacy:hold_place", args=[full_case.reference]),
        {"kind": "coordinator", "reason": "Press interest"},
    )
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert hold.history.get().history_user == coordinator
    response = client.post(
        reverse("privacy:hold_lift", args=[full_case.reference, hold.pk]), {"reason": "Over"}
    )
    assert response.status_code == 302
    hold.refresh_from_db()
    assert (hold.lifted_by, hold.lift_reason) == (coordinator, "Over")


# --- the record of processing -----------------------------------------------------------------


def test_the_record_of_processing_for_the_national_coordinator(client, national, coordinator, full_case):
    from privacy import retention

    retention.apply_retention()
    client.force_login(coordinator)
    assert client.get("/monitoring/processing/").status_code == 404
    client.force_login(national)
    page = client.get("/monitoring/processing/").content.decode()
    assert "Record of processing" in page
    assert "5 years after closing" in page
    assert "<td>Closed case past its retention period</td><td>1</td>" in page
    assert "Court support entries" in page
