"""The PDF case summary lists the documents (type, title, date), never their content."""

import pytest
from django.urls import reverse

from tests.monitoring.conftest import pdf_text

from .conftest import PDF_MARKER

pytestmark = pytest.mark.django_db


def test_the_summary_lists_the_documents_not_their_content(
    client, coordinator, caseworker, case_of_caseworker, attach
):
    attach(case_of_caseworker, title="Decision of the investigator", doc_type="decision")
    removed = attach(case_of_caseworker, title="Zzremoved scan")
    from documents import services

    services.document_remove(document=removed, actor=caseworker, reason="Duplicate")
    client.force_login(coordinator)
    response = client.get(reverse("case_summary_pdf", args=[case_of_caseworker.reference]))
    assert response.status_code == 200
    text = " ".join(pdf_text(response.content).split())
    assert "Documents" in text
    assert "Decision Decision of the investigator 2026-11-02" in text
    assert "Zzremoved scan" not in text
    assert PDF_MARKER.decode() not in text
