"""The case-file journey in a real browser: log in, find a case, open it, and be refused another's."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_caseworker_logs_in_and_opens_their_case(
    page, live_server, login, caseworker, caseworker2, case_of_caseworker, case_of_caseworker2
):
    login("caseworker")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_role("link", name=case_of_caseworker.reference)).to_be_visible()

    page.get_by_role("link", name="Cases", exact=True).click()
    page.get_by_label("Reference or name").fill("berzina")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name=case_of_caseworker.reference)).to_be_visible()
    expect(page.get_by_text(case_of_caseworker2.reference)).to_have_count(0)

    page.get_by_role("link", name=case_of_caseworker.reference).click()
    expect(page.get_by_role("heading", name=case_of_caseworker.reference)).to_be_visible()
    expect(page.get_by_text("Aija Bērziņa")).to_be_visible()
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()

    response = page.goto(f"{live_server.url}{case_of_caseworker2.get_absolute_url()}")
    assert response.status == 404


def test_keyboard_only_login_and_language_switch(page, live_server, caseworker):
    from tests.factories import DEFAULT_PASSWORD

    page.goto(f"{live_server.url}/accounts/login/")
    # The login form puts the focus on the username itself.
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type("caseworker")
    page.keyboard.press("Tab")
    page.keyboard.type(DEFAULT_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    page.get_by_label("Language").select_option("lv")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "lv")
    expect(page).to_have_url(re.compile(r"/$"))
