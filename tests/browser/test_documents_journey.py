"""The ground document in a real browser: the caseworker attaches the decision to the proposed
identification; the coordinator opens it from the review page and approves."""

import pytest
from playwright.sync_api import expect

from cases.models import CaseAccess
from services import services as identification_services
from tests.documents.conftest import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_caseworker_attaches_the_decision_and_the_coordinator_opens_it_and_approves(
    page, live_server, login, settings, tmp_path, caseworker, coordinator, case_of_caseworker
):
    settings.MEDIA_ROOT = tmp_path / "media"
    proposal = identification_services.identification_propose(
        case=case_of_caseworker,
        actor=caseworker,
        ground="criminal_procedure_decision",
        cp_case_number="11517003425",
        cp_date="2026-10-20",
        cp_body="Valsts policija",
    )
    review_url = (
        f"{live_server.url}/services/cases/{case_of_caseworker.reference}/identification/{proposal.pk}/"
    )

    login("caseworker")
    page.goto(review_url)
    ground = page.get_by_role("region", name="The ground document")
    expect(ground.get_by_text("No document is attached to this proposal")).to_be_visible()
    ground.get_by_role("link", name="Attach a document").click()
    expect(page.get_by_label("Belongs to")).to_have_value(f"identification:{proposal.pk}")
    page.get_by_label("Type").select_option("decision")
    page.get_by_label("Title").fill("Decision of the investigator 11517003425")
    page.get_by_label("Date of the document").fill("2026-10-20")
    page.locator("#id_file").set_input_files(
        {"name": "decision.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Attach").click()
    expect(page.get_by_text("The document was attached.")).to_be_visible()
    # Back on the review page, the document is beside the proposal.
    expect(page).to_have_url(review_url)
    expect(ground.get_by_role("link", name="Decision of the investigator 11517003425")).to_be_visible()

    login("coordinator")
    page.goto(f"{live_server.url}{case_of_caseworker.get_absolute_url()}")
    page.get_by_role("link", name="Review the proposal").click()
    expect(page.get_by_text("11517003425").first).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("region", name="The ground document").get_by_role(
            "link", name="Decision of the investigator 11517003425"
        ).click()
    download = download_info.value
    assert download.suggested_filename.startswith("document-") and download.suggested_filename.endswith(
        ".pdf"
    )
    with open(download.path(), "rb") as handle:
        assert handle.read() == PDF
    assert (
        CaseAccess.objects.filter(
            case=case_of_caseworker, user=coordinator, kind=CaseAccess.Kind.DOWNLOAD
        ).count()
        == 1
    )

    page.get_by_role("link", name="Approve…").click()
    # The confirmation page shows the attached document with the ground's facts.
    expect(page.get_by_role("link", name="Decision of the investigator 11517003425")).to_be_visible()
    page.get_by_role("button", name="Approve: the person is identified").click()
    expect(page.get_by_text("The identification was approved.")).to_be_visible()
    expect(page.locator(".case-header").get_by_text("Identified victim")).to_be_visible()
