"""Stage 1 in a real browser: the police refer, the coordinator accepts and assigns, the
caseworker finds the case, and the police see "Accepted" but never the case."""

import datetime

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_police_refer_coordinator_accepts_caseworker_finds_the_case(
    page, live_server, login, police, coordinator, caseworker, caseworker2
):
    from cases.models import Case
    from referrals.models import Referral

    login("police")
    page.get_by_role("link", name="Referrals", exact=True).click()
    page.get_by_role("link", name="New referral").click()
    page.get_by_label("Yes, the person consents to being referred").check()
    page.get_by_label("Given name").fill("Aija")
    page.get_by_label("Family name").fill("Bērziņa")
    page.get_by_label("Met on").fill((datetime.date.today() - datetime.timedelta(days=1)).isoformat())
    page.get_by_label("Place where the person was met").fill("Rīga, Centrālā stacija")
    page.get_by_label("Debt bondage").check()
    # Continuing without a form of exploitation: the error is shown and nothing typed is lost.
    page.get_by_role("button", name="Continue").click()
    # In the summary at the top (which takes the focus) and beside the field.
    expect(page.locator("[data-error-summary]")).to_be_focused()
    expect(page.get_by_text("Tick at least one suspected form of exploitation")).to_have_count(2)
    expect(page.get_by_label("Family name")).to_have_value("Bērziņa")
    expect(page.get_by_label("Debt bondage")).to_be_checked()
    page.get_by_label("Forced labour").check()
    page.get_by_label("Shelter").check()
    page.get_by_role("button", name="Continue").click()
    # Check your answers; a change goes back to its field with every answer kept.
    expect(page.get_by_role("heading", name="Check your answers before sending the referral")).to_be_visible()
    page.get_by_role("link", name="Change place where the person was met").click()
    expect(page.get_by_label("Place where the person was met")).to_have_value("Rīga, Centrālā stacija")
    expect(page.get_by_label("Forced labour")).to_be_checked()
    page.get_by_label("Place where the person was met").fill("Rīga, Autoosta")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Rīga, Autoosta")).to_be_visible()
    assert Referral.objects.get().status == Referral.Status.DRAFT
    page.get_by_role("button", name="Submit referral").click()
    expect(page.get_by_text("The referral was sent.")).to_be_visible()
    referral = Referral.objects.get()
    assert referral.status == Referral.Status.SUBMITTED

    login("coordinator")
    expect(page.get_by_text("1 referral is waiting for your decision.")).to_be_visible()
    page.get_by_role("link", name="Referrals", exact=True).click()
    page.get_by_role("link", name=f"Referral {referral.pk}").first.click()
    expect(page.get_by_role("heading", name=f"Referral {referral.pk}")).to_be_visible()
    page.get_by_label("Caseworker").select_option(label="Anna Kalniņa")
    page.get_by_role("button", name="Accept and open a case").click()
    case = Case.objects.get()
    expect(page.get_by_role("heading", name=case.reference)).to_be_visible()

    login("caseworker")
    page.get_by_role("link", name=case.reference).click()
    expect(page.get_by_role("heading", name=case.reference)).to_be_visible()
    expect(page.get_by_text("Aija Bērziņa").first).to_be_visible()

    login("police")
    page.get_by_role("link", name="Referrals", exact=True).click()
    row = page.get_by_role("row").filter(has_text=f"Referral {referral.pk}")
    expect(row.get_by_text("Accepted")).to_be_visible()
    expect(page.get_by_text(case.reference)).to_have_count(0)
    response = page.goto(f"{live_server.url}{case.get_absolute_url()}")
    assert response.status == 404
