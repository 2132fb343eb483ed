"""Two-factor enrolment with a real TOTP code, then a page; and the lockout message, in a real browser."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_first_login_with_two_factor_enrols_and_opens_the_dashboard(
    page, live_server, login, settings, caseworker, case_of_caseworker
):
    from django_otp.oath import totp

    settings.OTP_REQUIRED = True
    login("caseworker")
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    import base64

    key = base64.b32decode(secret)
    page.get_by_label("Code").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have saved them, continue").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_role("link", name=case_of_caseworker.reference)).to_be_visible()


def test_demo_login_page_says_two_factor_is_off(page, live_server, settings):
    settings.OTP_REQUIRED = False
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_text("Two-factor authentication is switched off in this demo")).to_be_visible()


def test_five_wrong_passwords_show_the_lockout_message(page, live_server, login, caseworker):
    for _ in range(5):
        login("caseworker", "not-the-right-password")
    expect(page.get_by_role("heading", name="Login locked")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(
        "Too many failed logins for this username from your address. Try again in 30 minutes"
    )
