"""Working days in a real browser: the plan's progress, the identification form that shows one
ground, the referral's check-your-answers step, the approval's confirmation, intake attaching to
a known person, returning to the section saved, and Latvian pages."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-password-for-the-audit"


@pytest.fixture
def demo(db):
    from cases.demo import load_demo

    return load_demo(password=DEMO_PASSWORD)


def test_the_rehabilitation_section_shows_consultations_against_the_plan(page, live_server, login, demo):
    login("caseworker", DEMO_PASSWORD)
    page.goto(f"{live_server.url}{demo['cases']['marija'].get_absolute_url()}")
    progress = page.get_by_role("table", name="Consultations delivered against the plan")
    expect(progress.get_by_role("row", name="Psychologist 1 of 12")).to_be_visible()
    expect(progress.get_by_role("row", name="Medical practitioner 0 of 2")).to_be_visible()
