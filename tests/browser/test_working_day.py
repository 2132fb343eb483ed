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


def _propose_page(page, live_server, demo):
    # The form shows whatever the case (Aija's proposal awaits review; the form still opens).
    case = demo["cases"]["aija"]
    page.goto(f"{live_server.url}/services/cases/{case.reference}/identification/propose/")
    expect(page.get_by_role("heading", name="Propose the identification")).to_be_visible()
    return case


def test_the_identification_form_shows_only_the_chosen_grounds_fields(page, live_server, login, demo):
    login("caseworker", DEMO_PASSWORD)
    _propose_page(page, live_server, demo)
    expect(page.get_by_text("Choose the ground to see the fields of its document.")).to_be_visible()
    expect(page.get_by_label("Statement number")).to_be_hidden()
    expect(page.get_by_label("Criminal case number")).to_be_hidden()
    page.get_by_label("Statement of a law-enforcement institution").check()
    expect(page.get_by_label("Statement number")).to_be_visible()
    expect(page.get_by_label("Criminal case number")).to_be_hidden()
    expect(page.get_by_label("Date of the report")).to_be_hidden()
    page.get_by_label("Assessment report of the Commission of experts").check()
    expect(page.get_by_label("Date of the report")).to_be_visible()
    expect(page.get_by_label("Statement number")).to_be_hidden()


def test_the_ground_disclosure_needs_no_script(browser, live_server, demo):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("caseworker")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    _propose_page(page, live_server, demo)
    expect(page.get_by_label("Criminal case number")).to_be_hidden()
    page.get_by_label("Decision of the performer of the criminal procedure").check()
    expect(page.get_by_label("Criminal case number")).to_be_visible()
    expect(page.get_by_label("Statement number")).to_be_hidden()
    context.close()


def test_the_citizenship_picker_is_searched_and_ticked_from_the_keyboard(page, live_server, login, demo):
    login("police", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/referrals/new/")
    search = page.get_by_role("searchbox", name="Type to find")
    search.focus()
    page.keyboard.type("vjet")
    # The English page names the country in English; the Latvian spelling finds nothing.
    expect(page.get_by_role("status").filter(has_text="shown")).to_have_text("0 shown")
    search.fill("")
    page.keyboard.type("vietn")
    expect(page.get_by_role("status").filter(has_text="shown")).to_have_text("1 shown")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Vietnam")).to_be_checked()
    expect(page.get_by_label("Vietnam")).to_be_focused()
    expect(page.get_by_role("heading", name="New referral")).to_be_visible()


def test_intake_proposes_attaching_to_the_person_with_the_same_name_and_birth_date(
    page, live_server, login, demo
):
    from referrals.models import Referral

    aija = demo["cases"]["aija"]
    referral = Referral.objects.get(family_name="Berzina", status=Referral.Status.SUBMITTED)
    login("coordinator", DEMO_PASSWORD)
    page.goto(f"{live_server.url}{referral.get_absolute_url()}")
    expect(page.locator("#exact-match")).to_contain_text(
        "Aija Bērziņa is already known to your NGO with the same name and date of birth"
    )
    proposed = page.get_by_label("Aija Bērziņa (1994-03-12): proposed, the same name and date of birth")
    expect(proposed).to_be_checked()
    expect(page.get_by_label("A new person")).not_to_be_checked()
    page.get_by_label("Caseworker").select_option(label="Anna Kalniņa")
    page.get_by_role("button", name="Accept and open a case").click()
    referral.refresh_from_db()
    assert referral.case.person_id == aija.person_id


def test_after_saving_the_page_returns_to_the_section_that_was_changed(page, live_server, login, demo):
    marija = demo["cases"]["marija"]
    login("caseworker", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/rehabilitation/cases/{marija.reference}/court-support/add/")
    page.get_by_label("Hours").fill("1.00")
    page.get_by_label("Activity").fill("Accompanied to the hearing")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Court support", exact=True)).to_be_in_viewport()
    assert page.url.endswith("#court-h")


# Each cell's words: a word split over two lines reads as two (the flaw of overflow-wrap: anywhere
# inside a table, which shrinks the columns to a letter rather than scroll the table).
SPLIT_WORDS = r"""() => {
  const split = [];
  document.querySelectorAll("main table td, main table th").forEach((cell) => {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const re = /\S+/g; let m;
      while ((m = re.exec(node.textContent))) {
        const range = document.createRange();
        range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
        const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
        if (tops.size > 1) split.push(m[0]);
      }
    }
  });
  return split;
}"""


def test_the_case_list_on_a_phone_scrolls_its_table_rather_than_splitting_words(
    page, live_server, login, demo
):
    page.set_viewport_size({"width": 390, "height": 844})
    login("coordinator", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/cases/")
    expect(page.get_by_role("heading", name="Cases", exact=True)).to_be_visible()
    document, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert document <= viewport
    assert page.evaluate(SPLIT_WORDS) == []
    # The table scrolls inside its own box, reachable by keyboard.
    table = page.locator("main table.case-table")
    assert table.evaluate("t => t.scrollWidth > t.clientWidth")
    expect(table).to_have_attribute("tabindex", "0")


def test_the_partner_sees_the_alias_the_minor_flag_and_the_ngos_contact_person(
    page, live_server, login, demo
):
    import datetime

    from reintegration.models import PartnerReferral

    referral = PartnerReferral.objects.get(case=demo["cases"]["roberts"], partner=demo["orgs"]["riga"])
    person = referral.case.person
    person.other_names = "Robis"
    person.date_of_birth = datetime.date.today().replace(year=datetime.date.today().year - 16)
    person.save()
    login("municipality", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/reintegration/{referral.pk}/")
    expect(page.locator("#minor-flag")).to_have_text("Minor")
    expect(page.get_by_role("region", name="Person", exact=True)).to_contain_text("Robis")
    contact = page.get_by_role("region", name="The NGO's contact person for this case")
    expect(contact).to_contain_text(referral.referred_by.display_name)


def test_a_latvian_timeline_reads_latvian_whoever_wrote_it(page, live_server, login, demo):
    roberts = demo["cases"]["roberts"]
    login("caseworker", DEMO_PASSWORD)
    page.goto(f"{live_server.url}{roberts.get_absolute_url()}")
    timeline = page.locator("section[aria-labelledby=timeline-h]")
    expect(timeline).to_contain_text("Referred onward")
    page.context.add_cookies([{"name": "django_language", "value": "lv", "url": live_server.url}])
    page.goto(f"{live_server.url}{roberts.get_absolute_url()}")
    expect(page.locator("html")).to_have_attribute("lang", "lv")
    expect(timeline).to_contain_text("Lieta nosūtīta partnerim")
    expect(timeline).not_to_contain_text("Referred onward")


def test_latvian_pages_write_numbers_the_latvian_way_and_the_admin_follows(page, live_server, login, demo):
    marija = demo["cases"]["marija"]
    login("caseworker", DEMO_PASSWORD)
    page.context.add_cookies([{"name": "django_language", "value": "lv", "url": live_server.url}])
    page.goto(f"{live_server.url}{marija.get_absolute_url()}")
    hours = page.locator(".court-hours")
    expect(hours).to_contain_text("148,00 no 150,00")
    expect(hours).not_to_contain_text("148.00")

    login("admin", DEMO_PASSWORD)
    page.context.add_cookies([{"name": "django_language", "value": "lv", "url": live_server.url}])
    page.goto(f"{live_server.url}/admin/")
    expect(page.locator("html")).to_have_attribute("lang", "lv")
    expect(page.get_by_text("Site administration")).to_have_count(0)


def test_the_audit_trail_is_paginated(page, live_server, login, demo):
    from cases import services as case_services
    from cases.models import CaseAccess
    from monitoring.views import AUDIT_PAGE_SIZE

    marija = demo["cases"]["marija"]
    reader = marija.assignments.first().user
    for _n in range(AUDIT_PAGE_SIZE + 5):
        case_services.case_access_record(case=marija, actor=reader, kind=CaseAccess.Kind.VIEW)
    login("national", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/monitoring/cases/{marija.reference}/audit/?kind=view")
    expect(page.locator("main tbody tr")).to_have_count(AUDIT_PAGE_SIZE)
    pages = page.get_by_role("navigation", name="Pages")
    expect(pages).to_contain_text("Page 1 of 2")
    pages.get_by_role("link", name="Next").click()
    expect(pages).to_contain_text("Page 2 of 2")
    assert "kind=view" in page.url
