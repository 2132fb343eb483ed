"""One case from a police referral to closure and back, through pages only (docs/lifecycle.md).

After each step the coordinator's case list, filtered by the stage, shows the case, and the
"Cases by stage" figure of /monitoring/ counts it in that stage (and in no other).
"""

import datetime
import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAGES = {
    "identification": "Identification",
    "rehabilitation": "Rehabilitation",
    "reintegration": "Reintegration",
    "follow_up": "Post-course follow-up",
    "closed": "Closed",
}


def test_a_case_from_a_police_referral_to_closure_and_back(
    page, live_server, login, police, coordinator, caseworker, municipality
):
    from cases.models import Case
    from tests.referrals.factories import submit

    referral = submit(police)  # what the police sent (their pages are another journey's)
    riga = municipality.organisation
    today = datetime.date.today().isoformat()

    def case_page():
        page.goto(f"{live_server.url}{case.get_absolute_url()}")

    def check_stage(stage: str) -> None:
        """As the coordinator: the list's stage filter and the monitoring figure agree."""
        login("coordinator")
        page.goto(f"{live_server.url}/cases/?stage={stage}")
        expect(page.get_by_role("link", name=case.reference)).to_be_visible()
        page.goto(f"{live_server.url}/monitoring/")
        figures = page.get_by_role("region", name="Cases by stage")
        for value, label in STAGES.items():
            row = figures.get_by_role("row").filter(has=page.get_by_role("rowheader", name=label, exact=True))
            expect(row.get_by_role("cell").first).to_have_text("1" if value == stage else "0")

    # 1. The coordinator accepts the police referral: a case opens in identification.
    login("coordinator")
    page.goto(f"{live_server.url}/referrals/{referral.pk}/")
    page.get_by_label("Caseworker").select_option(label=caseworker.display_name)
    page.get_by_role("button", name="Accept and open a case").click()
    case = Case.objects.get()
    expect(page.get_by_role("heading", name=case.reference)).to_be_visible()
    expect(page.locator(".case-header").get_by_text("Identification", exact=True)).to_be_visible()
    check_stage("identification")

    # 2. The caseworker proposes the identification.
    login("caseworker")
    case_page()
    page.get_by_role("link", name="Propose the identification").click()
    page.get_by_label("Statement of a law-enforcement institution").check()
    page.get_by_label("Law-enforcement institution", exact=True).fill("Valsts policija")
    page.get_by_label("Country of the institution", exact=True).select_option("LV")
    page.get_by_label("Statement number", exact=True).fill("VP-2026/118")
    page.get_by_label("Date of the statement", exact=True).fill("2026-03-01")
    page.get_by_role("button", name="Propose").click()
    expect(
        page.get_by_text("The identification was proposed; an NGO coordinator will review it.")
    ).to_be_visible()
    check_stage("identification")

    # 3. The coordinator approves it: the case moves to rehabilitation.
    case_page()
    page.get_by_role("link", name="Review the proposal").click()
    page.get_by_role("link", name="Approve…").click()
    page.get_by_role("button", name="Approve: the person is identified").click()
    expect(page.get_by_text("The identification was approved.")).to_be_visible()
    case_page()
    header = page.locator(".case-header")
    expect(header.get_by_text("Rehabilitation", exact=True)).to_be_visible()
    expect(page.get_by_text("Stage: Identification → Rehabilitation")).to_be_visible()
    check_stage("rehabilitation")

    # 4. The caseworker starts the course; the stage stays.
    login("caseworker")
    case_page()
    page.get_by_role("link", name="Start the course").click()
    page.get_by_label("Start date").fill(today)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The course has started; it may last 180 days.")).to_be_visible()
    check_stage("rehabilitation")

    # 5. The caseworker logs court support twice, one entry by mistake (it belonged to another
    # case), sees the hours used and remaining, voids the wrong one with a reason, and its hours
    # come back.
    login("caseworker")
    case_page()
    for hours, activity in (
        ("2.50", "Accompanied to the police interview"),
        ("6.00", "Hearing of another client"),
    ):
        page.get_by_role("link", name="Log court support").click()
        page.get_by_label("Date").fill(today)
        page.get_by_label("Hours").fill(hours)
        page.get_by_label("Activity").fill(activity)
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("The court-support hours were logged.")).to_be_visible()
    court_hours = page.locator(".court-hours")
    expect(court_hours).to_have_text("8.50 of 150.00 hours used · 141.50 remaining")
    court = page.get_by_role("region", name="Court support")
    wrong = court.get_by_role("row").filter(has_text="Hearing of another client")
    wrong.get_by_role("link", name=re.compile(r"^Void")).click()
    expect(page.get_by_role("heading", name="Void: Court support entry")).to_be_visible()
    page.get_by_role("button", name="Void the entry").click()
    expect(page.get_by_text("This field is required.").first).to_be_visible()
    page.get_by_label("Reason for voiding").fill("Logged on the wrong case")
    page.get_by_role("button", name="Void the entry").click()
    expect(page.get_by_text("The entry was voided; it no longer counts toward its limit.")).to_be_visible()
    expect(court_hours).to_have_text("2.50 of 150.00 hours used · 147.50 remaining")
    expect(wrong.get_by_text("Voided", exact=True)).to_be_visible()
    expect(wrong.get_by_role("link", name=re.compile(r"^Void"))).to_have_count(0)
    timeline = page.get_by_role("region", name="Timeline")
    voided = timeline.get_by_role("listitem").filter(has_text="Entry voided: Court support entry")
    expect(voided).to_contain_text("Logged on the wrong case")
    check_stage("rehabilitation")

    # 6. The caseworker refers the case to Rīga: the case moves to reintegration.
    login("caseworker")
    case_page()
    page.get_by_role("link", name="Refer to a partner").click()
    page.get_by_label("Partner").select_option(label=f"{riga.name} (Municipal social service)")
    page.get_by_label("The victim's needs").fill("Food and utility bills")
    page.get_by_label("The person's consent").check()
    page.get_by_label("Consent given on").fill("2026-01-02")
    page.get_by_label("How the consent was given").select_option(label="On a signed consent form")
    page.get_by_label("What the consent covers").fill("Name, contact and needs")
    page.get_by_role("button", name="Refer").click()
    expect(page.get_by_text("The case was referred.")).to_be_visible()
    check_stage("reintegration")

    # 7. The municipality records its assistance.
    login("municipality")
    page.get_by_role("link", name="Reintegration").click()
    page.get_by_role("link", name=case.person.display_name).click()
    page.get_by_role("link", name="Record assistance").click()
    page.get_by_label("Kind of assistance").select_option(label="Food")
    page.get_by_label("Amount in total (EUR)").fill("60.00")
    page.get_by_label(re.compile(r"^From")).fill(today)
    page.get_by_role("button", name="Record the assistance").click()
    expect(page.get_by_text("The assistance was recorded.")).to_be_visible()
    check_stage("reintegration")

    # 8. The coordinator closes the case, with a reason: the caseworker loses it.
    case_page()
    page.get_by_role("link", name="Close case").click()
    page.get_by_role("button", name="Close case").click()
    expect(page.get_by_text("This field is required.").first).to_be_visible()
    page.get_by_label("Reason for closing").fill("The person moved abroad")
    page.get_by_role("button", name="Close case").click()
    expect(page.get_by_text("The case was closed.")).to_be_visible()
    check_stage("closed")
    login("caseworker")
    assert page.goto(f"{live_server.url}{case.get_absolute_url()}").status == 404

    # 9. The coordinator reopens it, with a reason: back to the stage its records imply (an active
    # onward referral: reintegration), and the caseworker assigned again.
    login("coordinator")
    case_page()
    page.get_by_role("link", name="Reopen case").click()
    page.get_by_role("button", name="Reopen case").click()
    expect(page.get_by_text("Give the reason for reopening the case").first).to_be_visible()
    page.get_by_label("Reason for reopening").fill("Trafficked again")
    page.get_by_label("Assign a caseworker").select_option(label=caseworker.display_name)
    page.get_by_role("button", name="Reopen case").click()
    expect(page.get_by_text("The case was reopened.")).to_be_visible()
    expect(page.locator(".case-header").get_by_text("Reintegration", exact=True)).to_be_visible()
    expect(page.get_by_text("Case reopened").first).to_be_visible()
    check_stage("reintegration")
    login("caseworker")
    case_page()
    expect(page.get_by_role("heading", name=case.reference)).to_be_visible()

    from cases.lifecycle import integrity_problems

    assert integrity_problems() == []
