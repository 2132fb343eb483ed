"""WCAG 2.2 AA audit with axe-core on the demo data, one browser session per role.

axe (tests/browser/vendor/axe.min.js, MPL-2.0) is a test asset, never served by the app. The
app's Content-Security-Policy blocks an injected script, so these tests, and only these, run in a
context with CSP bypassed (the `browser_context_args` marker of pytest-playwright); every other
browser test keeps the CSP and its violation check.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context_args(bypass_csp=True),
]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DEMO_PASSWORD = "demo-password-for-the-audit"

RUN_AXE = r"""async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
    targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
    summary: (v.nodes[0].failureSummary || '').split('\n').slice(0, 2).join(' '),
  }));
}"""


class Audit:
    """Runs axe on each page visited and gathers the violations, so that one assertion reports
    every page of a role at once."""

    def __init__(self, page):
        self.page = page
        self.found: dict[str, list[dict]] = {}

    def visit(self, url: str, name: str) -> None:
        response = self.page.goto(url)
        assert response.status == 200, (name, response.status)
        self.check(name)

    def check(self, name: str) -> None:
        self.page.wait_for_load_state()
        self.page.add_script_tag(path=str(AXE))
        violations = self.page.evaluate(RUN_AXE, WCAG_TAGS)
        if violations:
            self.found[name] = violations

    def report(self) -> str:
        lines = []
        for name, violations in self.found.items():
            for v in violations:
                lines.append(
                    f"{name}: {v['id']} ({v['impact']}, {v['count']} nodes) {v['help']} -> {v['targets']}; {v['summary']}"
                )
        return "\n".join(lines)

    def assert_clean(self) -> None:
        assert not self.found, "axe found WCAG 2.2 AA violations:\n" + self.report()


@pytest.fixture
def demo(db):
    from cases.demo import load_demo

    return load_demo(password=DEMO_PASSWORD)


@pytest.fixture
def audit(page):
    return Audit(page)


@pytest.fixture
def as_demo(login, page):
    """Log in through the real form; the user lands on the dashboard."""

    def _as(username: str):
        login(username, DEMO_PASSWORD)
        expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
        return page

    return _as


def test_login_page_with_and_without_an_error(page, live_server, demo, audit):
    audit.visit(f"{live_server.url}/accounts/login/", "login")
    page.get_by_label("Username").fill("caseworker")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    audit.check("login (wrong password)")
    audit.assert_clean()


def test_admin_dashboard_and_lockouts(page, live_server, demo, as_demo, audit):
    as_demo("admin")
    audit.check("dashboard as admin")
    audit.visit(f"{live_server.url}/security/lockouts/", "/security/lockouts/ as admin")
    audit.assert_clean()


def test_coordinator_dashboard_cases_case_detail_and_intake(page, live_server, demo, as_demo, audit):
    from referrals.models import Referral
    from services.models import Identification

    marija, aija = demo["cases"]["marija"], demo["cases"]["aija"]
    proposal = Identification.objects.filter(case=aija, status=Identification.Status.PROPOSED).get()
    submitted = Referral.objects.filter(status=Referral.Status.SUBMITTED).order_by("pk").first()
    as_demo("coordinator")
    audit.check("dashboard as coordinator")
    audit.visit(f"{live_server.url}/cases/", "/cases/ as coordinator")
    page.goto(f"{live_server.url}{marija.get_absolute_url()}")
    expect(page.get_by_role("heading", name=marija.reference)).to_be_visible()
    audit.check("case detail (Marija Ozoliņa) as coordinator")
    audit.visit(f"{live_server.url}/cases/{marija.reference}/accesses/", "case access log as coordinator")
    audit.visit(
        f"{live_server.url}/services/cases/{aija.reference}/identification/{proposal.pk}/",
        "identification review as coordinator",
    )
    audit.visit(
        f"{live_server.url}/services/cases/{aija.reference}/identification/{proposal.pk}/approve/",
        "identification approval confirmation as coordinator",
    )
    audit.visit(f"{live_server.url}/referrals/", "/referrals/ (intake queue) as coordinator")
    page.goto(f"{live_server.url}/referrals/{submitted.pk}/")
    expect(page.get_by_role("heading", name=f"Referral {submitted.pk}")).to_be_visible()
    audit.check("referral detail as coordinator")
    audit.assert_clean()


def test_police_dashboard_and_referral_form_with_and_without_errors(page, live_server, demo, as_demo, audit):
    as_demo("police")
    audit.check("dashboard as police")
    audit.visit(f"{live_server.url}/referrals/", "/referrals/ (own organisation's) as police")
    audit.visit(f"{live_server.url}/referrals/new/", "/referrals/new/ as police")
    page.get_by_label("Yes, the person consents to being referred").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    audit.check("/referrals/new/ with errors as police")
    page.get_by_label("Met on").fill("2026-01-05")
    page.get_by_label("Place where the person was met").fill("Rīga")
    page.get_by_label("Debt bondage").check()
    page.get_by_label("Forced labour").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check your answers before sending the referral")).to_be_visible()
    audit.check("referral: check your answers as police")
    audit.assert_clean()


def test_caseworker_dashboard_court_support_and_identification_forms(page, live_server, demo, as_demo, audit):
    marija, aija = demo["cases"]["marija"], demo["cases"]["aija"]
    as_demo("caseworker")
    audit.check("dashboard as caseworker")
    audit.visit(f"{live_server.url}/cases/", "/cases/ as caseworker")
    audit.visit(f"{live_server.url}{marija.get_absolute_url()}", "case detail (Marija Ozoliņa) as caseworker")
    page.goto(f"{live_server.url}/rehabilitation/cases/{marija.reference}/court-support/add/")
    page.get_by_label("Hours").fill("3.00")
    page.get_by_label("Activity").fill("Accompanied to the hearing")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_label("Hours")).to_have_attribute("aria-invalid", "true")
    audit.check("court-support form with an error as caseworker")
    audit.visit(
        f"{live_server.url}/services/cases/{aija.reference}/identification/propose/",
        "identification propose form as caseworker",
    )
    expect(page.get_by_role("heading", name="Propose the identification")).to_be_visible()
    audit.assert_clean()


def test_municipality_dashboard_partner_list_and_narrow_view(page, live_server, demo, as_demo, audit):
    from reintegration.models import PartnerReferral

    referral = PartnerReferral.objects.filter(
        case=demo["cases"]["roberts"], partner=demo["orgs"]["riga"]
    ).get()
    as_demo("municipality")
    audit.check("dashboard as municipality")
    audit.visit(f"{live_server.url}/reintegration/", "/reintegration/ as municipality")
    audit.visit(f"{live_server.url}/reintegration/{referral.pk}/", "partner (narrow) view as municipality")
    page.goto(f"{live_server.url}/reintegration/{referral.pk}/needs/new/")
    page.locator("#id_amount_eur").fill("12050")
    page.get_by_role("button", name="Record the need").click()
    expect(page.get_by_label("The amount is right")).to_be_visible()
    audit.check("needs form asking to confirm a large amount as municipality")
    audit.assert_clean()


def test_phone_layout_with_the_menu_open_and_the_case_page(page, live_server, demo, as_demo, audit):
    page.set_viewport_size({"width": 390, "height": 844})
    as_demo("caseworker")
    page.get_by_role("button", name="Menu").click()
    audit.check("dashboard at 390 px with the menu open as caseworker")
    audit.visit(f"{live_server.url}{demo['cases']['marija'].get_absolute_url()}", "case detail at 390 px")
    audit.assert_clean()


def test_national_dashboard_monitoring_summaries_security_log_and_audit_trail(
    page, live_server, demo, as_demo, audit
):
    as_demo("national")
    audit.check("dashboard as national")
    for path in ("/monitoring/", "/monitoring/summaries/", "/security/log/"):
        audit.visit(f"{live_server.url}{path}", f"{path} as national")
    marija = demo["cases"]["marija"]
    audit.visit(
        f"{live_server.url}/monitoring/cases/{marija.reference}/audit/", "case audit trail as national"
    )
    audit.assert_clean()


def test_person_correction_entry_correct_and_void_and_transfer_pages(page, live_server, demo, as_demo, audit):
    """The pages added with the corrections and the transfers, as their users see them, a refused
    form included."""
    from rehabilitation.models import CourtSupportEntry

    marija = demo["cases"]["marija"]
    entry = CourtSupportEntry.objects.filter(case=marija).order_by("pk").first()
    as_demo("caseworker")
    audit.visit(f"{live_server.url}{marija.get_absolute_url()}person/", "person correction as caseworker")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.locator(".error-summary")).to_be_focused()
    audit.check("person correction refused (no reason) as caseworker")
    base = f"{live_server.url}/rehabilitation/entries/court-support/{entry.pk}"
    audit.visit(f"{base}/correct/", "court-support entry correction as caseworker")
    audit.visit(f"{base}/void/", "court-support entry void as caseworker")
    as_demo("coordinator")
    audit.visit(f"{live_server.url}/cases/transfers/", "incoming transfers as coordinator")
    audit.visit(f"{live_server.url}{marija.get_absolute_url()}transfer/", "transfer proposal as coordinator")
    audit.assert_clean()
