"""The API: the same narrow views, rules and 400 messages as the pages."""

import datetime
import json

import pytest

from cases.models import CaseAccess
from reintegration import api, services
from reintegration.models import EmploymentMeasure, PartnerReferral
from services import services as permit_services
from tests.factories import CONSENT, PersonFactory, make_case
from tests.reintegration.conftest import SHARED_WITH_PARTNER, WITHHELD, referral_for

pytestmark = pytest.mark.django_db

BASE = "/api/v1/reintegration"


def dump(response) -> str:
    return json.dumps(response.json(), ensure_ascii=False)


def test_municipality_json_holds_only_the_narrow_view(client, municipality, riga_referral, nva_referral):
    client.force_login(municipality)
    responses = [
        client.get(f"{BASE}/referrals/"),
        client.get(f"{BASE}/referrals/{riga_referral.pk}/"),
        client.get(f"{BASE}/assessments/"),
        client.get(f"{BASE}/assistance/"),
        client.get(f"{BASE}/employment-measures/"),
        client.get(f"{BASE}/consultations/"),
    ]
    assert [r.status_code for r in responses] == [200] * 6
    detail = responses[1].json()
    assert set(detail) == {
        "id",
        "case",
        "mandated_ngo",
        "ngo_contact",
        "partner",
        "partner_name",
        "needs_note",
        "status",
        "referred_at",
        "person",
        "right_to_work",
    }
    assert set(detail["person"]) == {
        "display_name",
        "also_known_as",
        "age",
        "age_is_estimated",
        "is_minor",
        "sex",
        "languages",
        "phone",
        "email",
        "address",
        "safe_contact_instructions",
    }
    assert detail["person"]["display_name"] == "Oksana Kovalenko"
    assert detail["right_to_work"] is None
    text = "".join(dump(r) for r in responses)
    assert WITHHELD["riga_need"] in text and WITHHELD["riga_consultation"] in text
    for key, value in WITHHELD.items():
        if not key.startswith("riga_") and key != "note_to_riga" and key not in SHARED_WITH_PARTNER:
            assert value not in text, key
    assert detail["person"]["also_known_as"] == WITHHELD["other_names"]
    assert detail["person"]["is_minor"] is False
    assert WITHHELD["caseworker"] in detail["ngo_contact"]["name"]
    assert responses[4].json()["results"] == []
    assert "recorded_by" not in responses[5].json()["results"][0]
    # Every answer that showed the case is in the read log: the detail and the four non-empty lists.
    assert CaseAccess.objects.filter(user=municipality, kind=CaseAccess.Kind.NARROW).count() == 5


def test_employment_json_holds_only_the_narrow_view(client, employment, riga_referral, nva_referral):
    client.force_login(employment)
    responses = [
        client.get(f"{BASE}/{path}/")
        for path in ("referrals", "assessments", "assistance", "employment-measures", "consultations")
    ]
    detail = client.get(f"{BASE}/referrals/{nva_referral.pk}/")
    assert detail.json()["right_to_work"] == {
        "is_third_country_national": True,
        "residence_permit_recorded": False,
        "may_work_for_any_employer_until": None,
    }
    text = "".join(dump(r) for r in [*responses, detail])
    assert WITHHELD["nva_course"] in text
    for key, value in WITHHELD.items():
        if not key.startswith("nva_") and key != "note_to_nva" and key not in SHARED_WITH_PARTNER:
            assert value not in text, key
    assert client.get(f"{BASE}/referrals/{riga_referral.pk}/").status_code == 404


def test_another_municipalitys_referral_is_a_404(client, municipality, jelgava_case, riga_referral):
    client.force_login(municipality)
    assert client.get(f"{BASE}/referrals/{jelgava_case.pk}/").status_code == 404
    ids = [row["id"] for row in client.get(f"{BASE}/referrals/").json()["results"]]
    assert ids == [riga_referral.pk]


def test_ngo_reads_every_partner_with_staff_names(client, caseworker, riga_referral, nva_referral):
    client.force_login(caseworker)
    rows = client.get(f"{BASE}/referrals/").json()["results"]
    assert {r["id"] for r in rows} >= {riga_referral.pk, nva_referral.pk}
    assert rows[0]["referred_by"] == "Anna Kalniņa"
    consultations = client.get(f"{BASE}/consultations/?referral={nva_referral.pk}").json()["results"]
    assert [c["topic"] for c in consultations] == [WITHHELD["nva_consultation"]]
    assert (
        client.get(f"{BASE}/referrals/{riga_referral.pk}/").json()["needs_note"] == WITHHELD["note_to_riga"]
    )
    # The read log: the list (both referrals are of one case, recorded once), the
    # consultations list and the detail.
    assert CaseAccess.objects.filter(user=caseworker, kind=CaseAccess.Kind.API).count() == 3


@pytest.mark.parametrize("role", ["police", "admin", "other_ngo_worker"])
def test_outsiders_see_nothing(client, all_role_users, riga_referral, role):
    client.force_login(all_role_users[role])
    assert client.get(f"{BASE}/referrals/").json()["results"] == []
    assert client.get(f"{BASE}/assessments/").json()["results"] == []
    assert client.get(f"{BASE}/referrals/{riga_referral.pk}/").status_code == 404


def test_refer_through_the_api_with_the_same_messages(client, caseworker, case_of_caseworker, riga, police):
    client.force_login(caseworker)
    ok = client.post(
        f"{BASE}/referrals/",
        {**CONSENT, "case": case_of_caseworker.reference, "partner": riga.pk, "needs_note": "Food"},
        content_type="application/json",
    )
    assert ok.status_code == 201, ok.json()
    assert ok.json()["partner_name"] == riga.name
    again = client.post(
        f"{BASE}/referrals/",
        {**CONSENT, "case": case_of_caseworker.reference, "partner": riga.pk, "needs_note": "Food"},
        content_type="application/json",
    )
    assert again.status_code == 400
    assert again.json() == {"partner": [str(services.ALREADY_REFERRED % {"name": riga.name})]}
    wrong = client.post(
        f"{BASE}/referrals/",
        {
            **CONSENT,
            "case": case_of_caseworker.reference,
            "partner": police.organisation.pk,
            "needs_note": "x",
        },
        content_type="application/json",
    )
    assert wrong.json() == {"partner": [str(services.NOT_A_PARTNER % {"name": police.organisation.name})]}
    missing = client.post(
        f"{BASE}/referrals/",
        {**CONSENT, "case": "NRM-1999-0001", "partner": riga.pk, "needs_note": "x"},
        content_type="application/json",
    )
    assert missing.status_code == 400 and missing.json() == {"case": [str(api.NO_SUCH_CASE)]}
    referral = PartnerReferral.objects.get()
    withdrawn = client.post(
        f"{BASE}/referrals/{referral.pk}/withdraw/", {"reason": ""}, content_type="application/json"
    )
    assert withdrawn.status_code == 400 and withdrawn.json() == {
        "reason": [str(services.WITHDRAW_NEEDS_REASON)]
    }
    withdrawn = client.post(
        f"{BASE}/referrals/{referral.pk}/withdraw/", {"reason": "Moved"}, content_type="application/json"
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"


def test_partner_cannot_refer_another_case_and_gets_no_hint(client, municipality, case_of_caseworker, riga):
    client.force_login(municipality)
    response = client.post(
        f"{BASE}/referrals/",
        {**CONSENT, "case": case_of_caseworker.reference, "partner": riga.pk, "needs_note": "x"},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json() == {"case": [str(api.NO_SUCH_CASE)]}


def test_partners_record_through_the_api(
    client, municipality, employment, caseworker, riga_referral, nva_referral
):
    client.force_login(municipality)
    ok = client.post(
        f"{BASE}/assistance/",
        {"referral": riga_referral.pk, "kind": "food", "amount_eur": "20.00", "granted_from": "2026-03-01"},
        content_type="application/json",
    )
    assert ok.status_code == 201, ok.json()
    bad = client.post(
        f"{BASE}/assessments/",
        {"referral": riga_referral.pk, "category": "food", "amount_eur": "20.00"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json() == {"period_from": [str(services.PERIOD_REQUIRED)]}
    theirs = client.post(
        f"{BASE}/employment-measures/",
        {"referral": nva_referral.pk, "kind": "counselling", "started_on": "2026-03-01"},
        content_type="application/json",
    )
    assert theirs.status_code == 400 and theirs.json() == {"referral": [str(api.NO_SUCH_REFERRAL)]}

    client.force_login(employment)
    bad = client.post(
        f"{BASE}/employment-measures/",
        {"referral": nva_referral.pk, "kind": "placement", "started_on": "2026-03-01"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json() == {"employer": [str(services.PLACEMENT_NEEDS_EMPLOYER)]}
    # A Ukrainian citizen may be placed with an employer only under a victim's residence permit.
    permit_services.residence_permit_save(
        case=nva_referral.case,
        actor=caseworker,
        travel_document_presented_on=datetime.date(2026, 1, 10),
        travel_document_type="Passport",
        travel_document_number="FX123456",
        application_submitted_on=datetime.date(2026, 1, 12),
        decision="granted",
        decision_on=datetime.date(2026, 2, 1),
        permit_number="RP-1",
        valid_from=datetime.date(2026, 2, 1),
        valid_until=datetime.date(2027, 1, 31),
    )
    ok = client.post(
        f"{BASE}/employment-measures/",
        {
            "referral": nva_referral.pk,
            "kind": "placement",
            "started_on": "2026-03-01",
            "employer": "SIA Darbs",
        },
        content_type="application/json",
    )
    assert ok.status_code == 201, ok.json()
    assert EmploymentMeasure.objects.get(employer="SIA Darbs").history.get().history_user == employment
    done = client.post(
        f"{BASE}/referrals/{nva_referral.pk}/complete/",
        {"outcome": "Employed"},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["status"] == "completed"
    assert client.get(f"{BASE}/referrals/{nva_referral.pk}/").status_code == 404


def test_national_reads_but_cannot_write(client, national, riga_referral):
    client.force_login(national)
    assert client.get(f"{BASE}/referrals/{riga_referral.pk}/").status_code == 200
    response = client.post(
        f"{BASE}/consultations/",
        {"referral": riga_referral.pk, "held_on": "2026-01-01", "participants": "x", "topic": "y"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_api_list_query_count_is_flat(
    client, municipality, mandated_ngo, coordinator, riga, django_assert_num_queries
):
    client.force_login(municipality)

    def add(n):
        for _ in range(n):
            referral_for(make_case(organisation=mandated_ngo, person=PersonFactory()), riga, coordinator)

    add(3)
    client.get(f"{BASE}/referrals/")
    # 8: the read log of the cases listed is one insert and one for its history; the session was
    # renewed by the request before (at most once a minute).
    with django_assert_num_queries(8) as first:
        assert len(client.get(f"{BASE}/referrals/").json()["results"]) == 3
    add(22)
    with django_assert_num_queries(len(first.captured_queries)):
        assert len(client.get(f"{BASE}/referrals/").json()["results"]) == 25


def test_schema_lists_the_endpoints(client, caseworker):
    client.force_login(caseworker)
    schema = client.get("/api/schema/?format=json").content.decode()
    for path in (
        "referrals/",
        "referrals/{id}/withdraw/",
        "referrals/{id}/complete/",
        "assessments/",
        "assistance/",
        "employment-measures/",
        "consultations/",
    ):
        assert f"/api/v1/reintegration/{path}" in schema, path
