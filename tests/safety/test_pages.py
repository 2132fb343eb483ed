"""What a high-risk case shows to each role: the page, the partners' view, the API and the PDF.

The withheld values are absent from the HTML and the JSON (not hidden), the notice is there, and
the safe-contact instructions are at the top wherever a contact detail would show.
"""

import json

import pytest
from django.urls import reverse
from django.utils.html import escape

from cases.selectors import CONTACT_WITHHELD
from reintegration import services as reintegration_services
from tests.factories import CONSENT

from .conftest import ADDRESS, EMAIL, INSTRUCTIONS, PHONE

pytestmark = pytest.mark.django_db


def notice() -> str:
    # In the active language of the test (English), not the one at import.
    return str(CONTACT_WITHHELD)


def _html(response) -> str:
    return response.content.decode()


def assert_withheld(text: str) -> None:
    for value in (PHONE, EMAIL, ADDRESS, escape(ADDRESS)):
        assert value not in text
    assert escape(notice()) in text or notice() in text


def assert_shown(text: str) -> None:
    assert PHONE in text and EMAIL in text and (ADDRESS in text or escape(ADDRESS) in text)
    assert notice() not in text and escape(notice()) not in text


@pytest.fixture
def riga_referral(high_risk_case, caseworker, municipality):
    return reintegration_services.referral_create(
        **CONSENT,
        case=high_risk_case,
        partner=municipality.organisation,
        needs_note="Help with food",
        actor=caseworker,
    )


@pytest.mark.parametrize("who", ["caseworker", "coordinator"])
def test_case_page_shows_the_contact_to_the_case_team(client, high_risk_case, all_role_users, who):
    client.force_login(all_role_users[who])
    text = _html(client.get(high_risk_case.get_absolute_url()))
    assert_shown(text)
    assert escape(INSTRUCTIONS) in text
    assert text.index("safe-contact") < text.index('id="person-h"')


def test_case_page_withholds_the_contact_from_the_national_coordinator(client, high_risk_case, national):
    client.force_login(national)
    response = client.get(high_risk_case.get_absolute_url())
    assert response.status_code == 200
    text = _html(response)
    assert_withheld(text)
    assert escape(INSTRUCTIONS) in text


def test_case_api_for_each_role(client, high_risk_case, caseworker, coordinator, national):
    url = f"/api/v1/cases/{high_risk_case.reference}/"
    for user, shown in ((caseworker, True), (coordinator, True), (national, False)):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        contact = response.json()["contact"]
        raw = response.content.decode()
        if shown:
            assert contact["phone"] == PHONE and contact["address"] == ADDRESS and contact["email"] == EMAIL
            assert "contact_withheld" not in contact
        else:
            assert set(contact) == {"contact_withheld", "safe_contact_instructions"}
            assert contact["contact_withheld"] == notice()
            assert PHONE not in raw and EMAIL not in raw and json.dumps(ADDRESS)[1:-1] not in raw
        assert contact["safe_contact_instructions"] == INSTRUCTIONS
        assert response.json()["risk_level"] == "high"


def test_partner_view_withholds_until_disclosed(
    client, high_risk_case, riga_referral, caseworker, municipality
):
    client.force_login(municipality)
    page = reverse("reintegration:detail", kwargs={"pk": riga_referral.pk})
    api = f"/api/v1/reintegration/referrals/{riga_referral.pk}/"
    text = _html(client.get(page))
    assert_withheld(text)
    assert escape(INSTRUCTIONS) in text
    person = client.get(api).json()["person"]
    assert "phone" not in person and "address" not in person and "email" not in person
    assert person["contact_withheld"] == notice() and person["safe_contact_instructions"] == INSTRUCTIONS
    listed = client.get("/api/v1/reintegration/referrals/").content.decode()
    assert PHONE not in listed and EMAIL not in listed

    from safety import services

    services.contact_disclose(
        case=high_risk_case, actor=caseworker, organisation=municipality.organisation, reason="Home visit"
    )
    assert_shown(_html(client.get(page)))
    person = client.get(api).json()["person"]
    assert person["phone"] == PHONE and person["address"] == ADDRESS


def test_partner_view_of_a_case_below_high_risk_shows_the_contact(
    client, case_of_caseworker, caseworker, municipality
):
    case_of_caseworker.person.phone = PHONE
    case_of_caseworker.person.save()
    referral = reintegration_services.referral_create(
        **CONSENT,
        case=case_of_caseworker,
        partner=municipality.organisation,
        needs_note="Food",
        actor=caseworker,
    )
    client.force_login(municipality)
    text = _html(client.get(reverse("reintegration:detail", kwargs={"pk": referral.pk})))
    assert PHONE in text and notice() not in text


def test_pdf_summary_for_each_role(high_risk_case, coordinator, national):
    from monitoring import pdf, selectors
    from tests.monitoring.conftest import pdf_text

    for user, shown in ((coordinator, True), (national, False)):
        summary = selectors.summary_for_case(case=high_risk_case, user=user)
        html = pdf.render_to_string("monitoring/summary_pdf.html", {"s": summary})
        assert (PHONE in html) is shown and (EMAIL in html) is shown
        assert (escape(notice()) in html) is not shown
        assert escape(INSTRUCTIONS) in html
    text = " ".join(pdf_text(pdf.render_summary_pdf(summary)).split())
    assert PHONE not in text and "Slepenā" not in text
    assert "How to contact this person safely" in text and "withheld" in text


def test_safety_section_hides_the_plan_details_from_the_national_coordinator(
    client, high_risk_case, caseworker, national
):
    from safety import services
    from safety.models import SafetyMeasure

    services.safety_measure_add(
        case=high_risk_case,
        actor=caseworker,
        kind=SafetyMeasure.Kind.CODE_WORD,
        description="The code word is BLUEBERRY",
        responsible="Caseworker",
    )
    client.force_login(caseworker)
    assert "BLUEBERRY" in _html(client.get(high_risk_case.get_absolute_url()))
    client.force_login(national)
    text = _html(client.get(high_risk_case.get_absolute_url()))
    assert "BLUEBERRY" not in text and "A code word" in text
