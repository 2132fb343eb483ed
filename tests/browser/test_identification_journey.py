"""Identification with a second pair of eyes, in a real browser."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_caseworker_proposes_and_another_coordinator_approves(
    page, live_server, login, caseworker, coordinator, case_of_caseworker
):
    case_url = f"{live_server.url}{case_of_caseworker.get_absolute_url()}"

    login("caseworker")
    page.goto(case_url)
    expect(page.locator(".case-header").get_by_text("Presumed victim")).to_be_visible()
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

    # The caseworker has no way to approve: no review action, and the review page offers none.
    expect(page.get_by_role("link", name="Review the proposal")).to_have_count(0)
    expect(page.get_by_role("link", name="Propose the identification")).to_have_count(0)
    page.goto(
        f"{live_server.url}/services/cases/{case_of_caseworker.reference}/identification/"
        f"{case_of_caseworker.identifications.get().pk}/"
    )
    expect(
        page.get_by_text(
            "You proposed this identification, so another NGO coordinator must approve or return it."
        )
    ).to_be_visible()
    expect(page.get_by_role("link", name="Approve…")).to_have_count(0)

    login("coordinator")
    page.goto(case_url)
    page.get_by_role("link", name="Review the proposal").click()
    expect(page.get_by_text("VP-2026/118")).to_be_visible()
    page.get_by_role("link", name="Approve…").click()
    # A legal decision: confirmed on a page that shows the person and the ground's document.
    expect(page.get_by_role("heading", name="Confirm the approval")).to_be_visible()
    document = page.get_by_role("region", name="The ground's document")
    expect(document.get_by_text("VP-2026/118")).to_be_visible()
    expect(page.get_by_role("region", name="The person")).to_contain_text(
        case_of_caseworker.person.display_name
    )
    page.get_by_role("button", name="Approve: the person is identified").click()
    expect(page.get_by_text("The identification was approved.")).to_be_visible()
    expect(page.locator(".case-header").get_by_text("Identified victim")).to_be_visible()
