"""Daily use in a real browser: the error summary, amounts and hours as people type them, the country
filter, the deadlines on the dashboard, and every main page of every role on a 390 px phone."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-password-for-the-audit"
PHONE = {"width": 390, "height": 844}
WIDTH = "[document.documentElement.scrollWidth, window.innerWidth]"


@pytest.fixture
def demo(db):
    from cases.demo import load_demo

    return load_demo(password=DEMO_PASSWORD)


def test_error_summary_lists_links_and_takes_focus_and_the_country_filter(page, live_server, login, demo):
    login("police", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/referrals/new/")
    # Needed-to-submit answers are marked before the first submit.
    expect(page.locator("label[for=id_met_on] .required")).to_have_count(1)
    # The 250 countries: a box that filters them, no Ctrl-click.
    search = page.get_by_role("searchbox", name="Type to find")
    search.fill("viet")
    expect(page.get_by_label("Vietnam")).to_be_visible()
    expect(page.get_by_label("Latvia", exact=True)).to_be_hidden()
    page.get_by_label("Vietnam").check()
    search.fill("")
    page.get_by_label("Yes, the person consents to being referred").check()
    page.get_by_label("Date of birth").fill("2000-01-01")
    page.get_by_label("Estimated age").fill("30")
    page.get_by_role("button", name="Continue").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There are problems with 5 answers")
    # All of them in one round: the age beside the missing date met.
    expect(summary.get_by_role("link", name="Estimated age:")).to_be_visible()
    summary.get_by_role("link", name="Met on:").click()
    expect(page.get_by_label("Met on")).to_be_focused()
    # What was typed survives the refusal.
    expect(page.get_by_label("Vietnam")).to_be_checked()
    expect(page.get_by_label("Estimated age")).to_have_value("30")


def test_amounts_take_the_decimal_comma_and_ask_before_an_unusually_large_one(page, live_server, login, demo):
    from reintegration.models import AssessedNeed, PartnerReferral

    referral = PartnerReferral.objects.get(case=demo["cases"]["roberts"], partner=demo["orgs"]["riga"])
    before = AssessedNeed.objects.filter(referral=referral).count()
    login("municipality", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/reintegration/{referral.pk}/needs/new/")
    page.locator("#id_category").select_option("food")
    page.get_by_label("Amount per month (EUR)").fill("12050")
    page.get_by_label("Or: months").fill("3")
    page.get_by_role("button", name="Record the need").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("12,050.00 EUR is unusually large")
    assert AssessedNeed.objects.filter(referral=referral).count() == before
    # The Latvian habit: 120,50 is a hundred and twenty euro fifty, whatever the language.
    page.get_by_label("Amount per month (EUR)").fill("120,50")
    page.get_by_role("button", name="Record the need").click()
    expect(page.get_by_role("cell", name="120.50", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="361.50", exact=True)).to_be_visible()
    assert AssessedNeed.objects.filter(referral=referral).count() == before + 1


def test_dashboard_alerts_show_the_deadline_and_days_left(page, live_server, login, demo):
    login("caseworker", DEMO_PASSWORD)
    panel = page.locator("section[aria-labelledby=alerts-panel-h]")
    expect(panel.get_by_role("columnheader", name="Deadline")).to_be_visible()
    expect(panel.get_by_text("days left").first).to_be_visible()
    expect(panel.get_by_text("Ahmed Karimov").first).to_be_visible()
    # The case page has a menu of its sections.
    page.goto(f"{live_server.url}{demo['cases']['marija'].get_absolute_url()}")
    menu = page.get_by_role("navigation", name="Sections of this case")
    menu.get_by_role("link", name="Court support", exact=True).click()
    assert page.url.endswith("#court-h")

    login("coordinator", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/referrals/")
    queue = page.locator("section[aria-labelledby=queue-h]")
    expect(queue.locator("tbody").get_by_text("working day").first).to_be_visible()
    page.get_by_label("Show").select_option("overdue")
    page.get_by_role("button", name="Find").click()
    expect(queue.locator("tbody tr")).to_have_count(1)
    expect(queue.locator("tbody").get_by_text("More than 3 working days")).to_be_visible()


ROLE_PAGES = {
    "police": ["/", "/referrals/", "/referrals/new/"],
    "coordinator": [
        "/",
        "/cases/",
        "{marija}",
        "/referrals/",
        "{marija}accesses/",
        "/cases/transfers/",
        "{marija}transfer/",
        "{marija}person/",
    ],
    "caseworker": [
        "/",
        "/cases/",
        "{marija}",
        "{aija}",
        "{marija}person/",
        "/rehabilitation/cases/{marija_ref}/court-support/add/",
        "/rehabilitation/entries/court-support/{court_entry}/correct/",
        "/rehabilitation/entries/court-support/{court_entry}/void/",
    ],
    "municipality": ["/", "/reintegration/", "/reintegration/{riga}/"],
    "employment": ["/", "/reintegration/"],
    "national": [
        "/",
        "/cases/",
        "{marija}",
        "/monitoring/",
        "/monitoring/summaries/",
        "/security/log/",
        "/monitoring/cases/{marija_ref}/audit/",
    ],
    "admin": ["/", "/security/lockouts/", "/admin/"],
}


def test_every_main_page_of_every_role_fits_a_390_px_phone(page, live_server, login, demo):
    from rehabilitation.models import CourtSupportEntry
    from reintegration.models import PartnerReferral

    marija, aija = demo["cases"]["marija"], demo["cases"]["aija"]
    riga = PartnerReferral.objects.get(case=demo["cases"]["roberts"], partner=demo["orgs"]["riga"])
    court_entry = CourtSupportEntry.objects.filter(case=marija).order_by("pk").first()
    values = {
        "court_entry": court_entry.pk,
        "marija": marija.get_absolute_url(),
        "aija": aija.get_absolute_url(),
        "marija_ref": marija.reference,
        "riga": riga.pk,
    }
    page.set_viewport_size(PHONE)
    too_wide = []
    for role, paths in ROLE_PAGES.items():
        login(role, DEMO_PASSWORD)
        for path in paths:
            url = live_server.url + path.format(**values)
            response = page.goto(url)
            assert response.status == 200, (role, url, response.status)
            document, viewport = page.evaluate(WIDTH)
            if document > viewport:
                too_wide.append((role, path, document))
    assert too_wide == [], f"pages wider than {PHONE['width']} px: {too_wide}"


def test_the_header_folds_into_a_menu_on_a_phone(page, live_server, login, demo):
    page.set_viewport_size(PHONE)
    login("caseworker", DEMO_PASSWORD)
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("link", name="Cases", exact=True)).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    page.get_by_role("link", name="Cases", exact=True).click()
    expect(page.get_by_role("heading", name="Cases")).to_be_visible()


def test_hours_take_the_decimal_comma_and_long_tables_page(page, live_server, login, demo):
    """A caseworker types "1,5" hours on an English page (one and a half hours, not fifteen), and
    sees them as 1,50 on a Latvian one; the court-support table of a case with many entries shows
    20 rows and pages to the next 20 from its own link, landing on its heading."""
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from rehabilitation.models import CourtSupportEntry

    marija = demo["cases"]["marija"]
    login("caseworker", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/rehabilitation/cases/{marija.reference}/court-support/add/")
    page.get_by_label("Hours").fill("1,5")
    page.get_by_label("Activity").fill("Hearing 1,5")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#court-h")).to_be_visible()
    entry = CourtSupportEntry.objects.get(case=marija, activity="Hearing 1,5")
    assert entry.hours == Decimal("1.50")
    row = page.locator("tr", has_text="Hearing 1,5")
    expect(row).to_contain_text("1.50")
    page.context.add_cookies([{"name": "django_language", "value": "lv", "url": live_server.url}])
    page.reload()
    expect(page.locator("tr", has_text="Hearing 1,5")).to_contain_text("1,50")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])

    # Many entries (written straight to the table: the limit is not what is tested here).
    CourtSupportEntry.objects.bulk_create(
        CourtSupportEntry(
            case=marija,
            date=timezone.localdate() - datetime.timedelta(days=400 + i),
            hours=Decimal("0.25"),
            activity=f"Old hearing {i:02d}",
            recorded_by=entry.recorded_by,
        )
        for i in range(25)
    )
    page.goto(f"{live_server.url}{marija.get_absolute_url()}")
    court = page.locator("section[aria-labelledby=court-h]")
    expect(court.locator("tbody tr")).to_have_count(20)
    expect(court.get_by_text("Entries 1–20")).to_be_visible()
    court.get_by_role("link", name="Older entries").click()
    assert "court_page=2" in page.url and page.url.endswith("#court-h")
    expect(court.get_by_text("Entries 21–")).to_be_visible()
    assert CourtSupportEntry.objects.filter(case=marija).count() <= 40  # so the oldest is on page 2
    expect(court.get_by_role("cell", name="Old hearing 24", exact=True)).to_be_visible()
    court.get_by_role("link", name="Newer entries").click()
    expect(court.get_by_role("cell", name="Hearing 1,5", exact=True)).to_be_visible()


def test_the_audit_trail_reads_reasons_in_the_readers_language(page, live_server, login, demo):
    """The approval of Marija's identification was written by an English-speaking coordinator; the
    national coordinator reading in Latvian reads its reason, and its ground, in Latvian."""
    marija = demo["cases"]["marija"]
    login("national", DEMO_PASSWORD)
    page.context.add_cookies([{"name": "django_language", "value": "lv", "url": live_server.url}])
    page.goto(f"{live_server.url}/monitoring/cases/{marija.reference}/audit/?kind=change")
    body = page.locator("main")
    expect(body.get_by_text("Identifikācija apstiprināta:").first).to_be_visible()
    expect(body.get_by_text("Identification approved")).to_have_count(0)
