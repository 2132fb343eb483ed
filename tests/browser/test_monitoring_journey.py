"""The national coordinator's journey: monitoring, a PDF summary, and the download in the access list."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_national_opens_monitoring_downloads_a_summary_and_sees_the_download(page, live_server, login, national, case_of_caseworker):
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
