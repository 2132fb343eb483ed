"""Stage 3 in a real browser: the NGO refers a case to Rīga and the agency, both partners record
their part in the narrow view, and the caseworker sees both on the case page."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_referral_to_riga_and_the_agency(
    page, live_server, login, caseworker, municipality, employment, case_of_caseworker
):
    riga, nva = municipality.organisation, employment.organisation
    case_url = f"{live_server.url}{case_of_caseworker.get_absolute_url()}"

    login("caseworker")
    for partner, kind, note in (
        (riga, "Municipal social service", "Food and utility bills"),
        (nva, "State Employment Agency", "Wants occupational training"),
    ):
        page.goto(case_url)
        page.get_by_role("link", name="Refer to a partner").click()
        page.get_by_label("Partner").select_option(label=f"{partner.name} ({kind})")
        page.get_by_label("The victim's needs").fill(note)
        page.get_by_label("The person's consent").check()
        page.get_by_label("Consent given on").fill("2026-01-02")
        page.get_by_label("How the consent was given").select_option(label="On a signed consent form")
        page.get_by_label("What the consent covers").fill("Name, contact and needs")
        page.get_by_role("button", name="Refer").click()
        expect(page.get_by_text("The case was referred.")).to_be_visible()
        expect(page.get_by_role("heading", name=partner.name)).to_be_visible()
    expect(page.get_by_text("The person consented on 2026-01-02").first).to_be_visible()

    login("municipality")
    page.get_by_role("link", name="Reintegration").click()
    page.get_by_role("link", name="Aija Bērziņa").click()
    expect(page.get_by_text("Food and utility bills")).to_be_visible()
    expect(page.get_by_text("Wants occupational training")).to_have_count(0)
    for kind, amount in (("Food", "60.00"), ("Public utilities payments", "110.00")):
        page.get_by_role("link", name="Record assistance").click()
        page.get_by_label("Kind of assistance").select_option(label=kind)
        page.get_by_label("Amount in total (EUR)").fill(amount)
        page.get_by_label(re.compile(r"^From")).fill("2026-03-01")
        page.get_by_role("button", name="Record the assistance").click()
        expect(page.get_by_text("The assistance was recorded.")).to_be_visible()
    expect(page.get_by_role("cell", name="110.00")).to_be_visible()
    response = page.goto(case_url)
    assert response.status == 404

    login("employment")
    page.get_by_role("link", name="Reintegration").click()
    page.get_by_role("link", name="Aija Bērziņa").click()
    expect(page.get_by_text("Food and utility bills")).to_have_count(0)
    page.get_by_role("link", name="Record a measure").click()
    page.get_by_label("Measure").select_option(label="Occupational training")
    page.get_by_label("Date or start date").fill("2026-03-02")
    page.get_by_label("Course", exact=True).fill("Forklift operator")
    page.get_by_label("Provider").fill("Rīgas Valsts tehnikums")
    page.get_by_role("button", name="Record the measure").click()
    expect(page.get_by_text("The measure was recorded.")).to_be_visible()
    expect(page.get_by_text("Forklift operator · Rīgas Valsts tehnikums")).to_be_visible()

    login("caseworker")
    page.goto(case_url)
    section = page.get_by_role("region", name="Reintegration: onward referrals")
    expect(section.get_by_role("cell", name="60.00")).to_be_visible()
    expect(section.get_by_role("cell", name="110.00")).to_be_visible()
    expect(section.get_by_role("cell", name="Public utilities payments")).to_be_visible()
    expect(section.get_by_text("Forklift operator · Rīgas Valsts tehnikums")).to_be_visible()
