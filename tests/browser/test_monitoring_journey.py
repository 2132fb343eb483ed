"""The national coordinator's journey: monitoring, a PDF summary, and the download in the access list."""

import re
import zipfile

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_national_opens_monitoring_downloads_a_summary_and_sees_the_download(
    page, live_server, login, national, case_of_caseworker
):
    login("national")
    page.get_by_role("link", name="Monitoring", exact=True).click()
    expect(page.get_by_role("heading", name="Monitoring", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Victims by citizenship")).to_be_visible()
    page.get_by_label("From").fill("2026-01-01")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("link", name="Download the Eurostat figures (CSV)")).to_be_visible()

    page.get_by_role("link", name="Cases", exact=True).click()
    page.get_by_role("link", name=case_of_caseworker.reference).click()
    expect(page.get_by_role("heading", name=case_of_caseworker.reference)).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="PDF summary").click()
    download = info.value
    assert download.suggested_filename == f"{case_of_caseworker.reference}-summary.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"

    page.get_by_role("link", name="Who saw this file").click()
    row = page.get_by_role("row").filter(has_text="Downloaded the PDF summary")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(national.display_name)
    expect(row).to_contain_text("Ministry of the Interior")

    page.go_back()
    page.get_by_role("link", name="Views, downloads and changes").click()
    expect(page.get_by_role("row").filter(has_text="Downloaded the PDF summary")).to_have_count(1)
    expect(page.get_by_role("row").filter(has_text="Case: created")).to_have_count(1)


@pytest.mark.celery_worker
def test_coordinator_gets_a_zip_of_summaries_with_a_live_progress_bar(
    page, live_server, login, settings, coordinator, case_of_caseworker, case_of_caseworker2, tmp_path
):
    from celery.contrib.testing.worker import start_worker

    from trafficking_cms.celery import app

    settings.MEDIA_ROOT = tmp_path / "media"
    app.conf.broker_url = settings.CELERY_BROKER_URL
    login("coordinator")
    page.get_by_role("link", name="Monitoring", exact=True).click()
    page.get_by_role("link", name="PDF summaries of several cases").click()
    page.get_by_label("Stage").select_option("identification")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        page.get_by_role("button", name="Prepare the summaries").click()
        expect(page.get_by_text("The summaries are being prepared")).to_be_visible()
        # htmx polls the progress every 2 s until the file is ready, then shows the link.
        link = page.get_by_role("link", name=re.compile(r"Download the ZIP"))
        expect(link).to_be_visible(timeout=60_000)
    expect(page.locator("progress")).to_have_attribute("value", "2")
    with page.expect_download() as info:
        link.click()
    with zipfile.ZipFile(info.value.path()) as archive:
        assert sorted(archive.namelist()) == sorted(
            f"{c.reference}-summary.pdf" for c in (case_of_caseworker, case_of_caseworker2)
        )
