"""Court support up to the limit, in a real browser: 2.00 hours reach 150.00, 0.25 more is refused."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_caseworker_logs_the_last_two_hours_and_is_refused_a_quarter_more(
    page, live_server, login, mandated_ngo, caseworker
):
    from rehabilitation.models import CourtSupportEntry
    from tests.rehabilitation.factories import course_at_day, identified_case

    case = identified_case(organisation=mandated_ngo, caseworkers=[caseworker])
    course_at_day(case, 40, actor=caseworker)
    for n in range(37):  # 148.00 hours
        CourtSupportEntry.objects.create(
            case=case,
            date=timezone.localdate() - datetime.timedelta(days=n),
            hours=Decimal("4.00"),
            activity="Hearing",
            recorded_by=caseworker,
        )

    login("caseworker")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    expect(page.get_by_text("148.00 of 150.00 hours used · 2.00 remaining")).to_be_visible()

    page.get_by_role("link", name="Log court support").click()
    expect(page.get_by_text("2.00 of 150.00 hours of court support remain.")).to_be_visible()
    page.get_by_label("Hours").fill("2.00")
    page.get_by_label("Activity").fill("Accompanied to the hearing")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The court-support hours were logged.")).to_be_visible()
    expect(page.get_by_text("150.00 of 150.00 hours used · 0.00 remaining")).to_be_visible()

    # Used up: the action says so instead of offering a form that would fail on save.
    expect(page.get_by_text("Court-support hours used up")).to_be_visible()
    expect(page.get_by_role("link", name="Log court support")).to_have_count(0)
    # The entry that reached the limit raised its alert at once, with the person's name.
    page.goto(f"{live_server.url}/")
    alerts = page.locator("#alerts-panel-h").locator("xpath=..")
    expect(alerts.get_by_text("All 150 court-support hours are used")).to_be_visible()
    expect(alerts.get_by_text("Used up")).to_be_visible()
    expect(alerts.get_by_text(case.person.display_name).first).to_be_visible()

    # A stale form (or a typed address) is refused with the reason, in units.
    page.goto(f"{live_server.url}/rehabilitation/cases/{case.reference}/court-support/add/")
    page.get_by_label("Hours").fill("0.25")
    page.get_by_label("Activity").fill("Phone call with the prosecutor")
    page.get_by_role("button", name="Save").click()
    hours = page.get_by_label("Hours")
    expect(hours).to_have_attribute("aria-invalid", "true")
    expect(
        page.get_by_text("All 150.00 hours of court support are used; no more can be logged").first
    ).to_be_visible()
    # The message is tied to the field for screen readers.
    described = hours.get_attribute("aria-describedby")
    assert "id_hours_error" in described
    assert CourtSupportEntry.objects.filter(case=case).count() == 38
