"""A coordinator produces the person's subject-access PDF from the case page, and reads it."""

import pytest
from playwright.sync_api import expect

from tests.monitoring.conftest import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_produces_and_reads_a_subject_access_pdf(
    page, live_server, login, coordinator, case_of_caseworker
):
    person = case_of_caseworker.person
    login("coordinator")
    page.get_by_role("link", name="Cases", exact=True).click()
    page.get_by_role("link", name=case_of_caseworker.reference).click()
    page.get_by_role("link", name="Legal holds, erasure and subject access").click()
    expect(page.get_by_role("heading", name=f"Privacy of {case_of_caseworker.reference}")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="PDF in English").click()
    download = info.value
    assert download.suggested_filename == f"{case_of_caseworker.reference}-subject-access-en.pdf"
    with open(download.path(), "rb") as handle:
        text = pdf_text(handle.read())
    assert "Personal data held on you" in text
    assert person.given_name in text and person.family_name in text
    assert case_of_caseworker.reference in text
    assert "Who read your file" in text

    page.get_by_role("link", name=f"Back to {case_of_caseworker.reference}").click()
    page.get_by_role("link", name="Who saw this file").click()
    row = page.get_by_role("row").filter(has_text="Exported for the person (subject access)")
    expect(row).to_have_count(1)
