"""Safety in a real browser: the caseworker assesses a case as high risk, writes a safety plan and
safe-contact instructions; the municipality's narrow view shows the instructions, not the address."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADDRESS = "Slepenā iela 7-13, Rīga"
PHONE = "+371 29999123"


def test_high_risk_assessment_plan_and_instructions(
    page, live_server, login, mandated_ngo, caseworker, municipality
):
    from reintegration import services as reintegration_services
    from tests.factories import CONSENT, PersonFactory, make_case

    case = make_case(
        organisation=mandated_ngo,
        caseworkers=[caseworker],
        person=PersonFactory(given_name="Roberts", family_name="Kalējs", phone=PHONE, address=ADDRESS),
    )
    referral = reintegration_services.referral_create(
        **CONSENT, case=case, partner=municipality.organisation, needs_note="Food and rent", actor=caseworker
    )
    case_url = f"{live_server.url}{case.get_absolute_url()}"

    login("caseworker")
    page.goto(case_url)
    page.get_by_role("link", name="Assess the risk").click()
    page.get_by_label("Threats to the person or their family", exact=True).check()
    page.get_by_label("Notes: Threats to the person or their family").fill("Calls to his mother")
    page.get_by_label("An address the exploiters know", exact=True).check()
    page.get_by_label("High risk", exact=True).check()
    page.get_by_role("button", name="Record the assessment").click()
    expect(page.get_by_text("The risk assessment was recorded.")).to_be_visible()
    safety = page.get_by_role("region", name="Safety", exact=True)
    expect(safety.get_by_text("High risk", exact=True)).to_be_visible()
    expect(safety.get_by_text("A high-risk case needs a safety plan")).to_be_visible()

    page.get_by_role("link", name="Add a safety measure").click()
    page.get_by_label("Measure").select_option(label="Safe accommodation")
    page.get_by_label("What is agreed").fill("The NGO's shelter flat until the hearing")
    page.get_by_label("Who is responsible").fill("Anna Kalniņa")
    page.get_by_role("button", name="Add the measure").click()
    expect(page.get_by_text("The measure was added to the safety plan.")).to_be_visible()
    expect(safety.get_by_role("cell", name="The NGO's shelter flat until the hearing")).to_be_visible()

    page.get_by_role("link", name="Safe-contact instructions").click()
    page.get_by_label("Safe-contact instructions").fill(
        "No letters to the registered address; call after 18:00."
    )
    page.get_by_role("button", name="Save the instructions").click()
    expect(page.get_by_text("The safe-contact instructions were saved.")).to_be_visible()
    expect(page.get_by_role("note").filter(has_text="call after 18:00")).to_be_visible()
    expect(page.get_by_text(PHONE)).to_be_visible()

    login("municipality")
    page.goto(f"{live_server.url}/reintegration/{referral.pk}/")
    expect(page.get_by_text("No letters to the registered address; call after 18:00.")).to_be_visible()
    expect(page.get_by_text("The phone, e-mail and address are withheld")).to_be_visible()
    content = page.content()
    assert ADDRESS not in content and "Slepenā" not in content and PHONE not in content
