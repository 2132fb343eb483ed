"""The documents API: list, multipart upload under the case's reference, download; the same rules."""

import pytest
from rest_framework.test import APIClient

from cases.models import CaseAccess
from documents import files
from documents.models import Document

from .conftest import HTML_AS_PDF, PDF, stored_files, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def _upload(api, case, content=PDF, **extra):
    data = {
        "file": upload(content),
        "doc_type": "decision",
        "title": "Decision of the investigator",
        "document_date": "2026-11-02",
        **extra,
    }
    return api.post(f"/api/v1/cases/{case.reference}/documents/", data, format="multipart")


def test_upload_list_and_download_through_the_api(api, caseworker, case_of_caseworker):
    api.force_authenticate(caseworker)
    response = _upload(api, case_of_caseworker)
    assert response.status_code == 201, response.content
    body = response.json()
    document = Document.objects.get()
    assert body["id"] == document.pk and body["content_type"] == "application/pdf"
    assert body["download_url"] == f"http://testserver/api/v1/documents/{document.pk}/download/"

    listed = api.get(f"/api/v1/cases/{case_of_caseworker.reference}/documents/")
    assert listed.status_code == 200
    assert [d["title"] for d in listed.json()] == ["Decision of the investigator"]
    assert CaseAccess.objects.filter(case=case_of_caseworker, kind=CaseAccess.Kind.API).count() == 1

    downloaded = api.get(body["download_url"])
    assert downloaded.status_code == 200 and downloaded.content == PDF
    assert downloaded["Content-Disposition"].startswith("attachment;")
    assert "no-store" in downloaded["Cache-Control"]
    assert CaseAccess.objects.filter(case=case_of_caseworker, kind=CaseAccess.Kind.DOWNLOAD).count() == 1


def test_a_refused_upload_is_a_400_with_the_message_and_nothing_stored(
    api, caseworker, case_of_caseworker, media_root
):
    api.force_authenticate(caseworker)
    response = _upload(api, case_of_caseworker, content=HTML_AS_PDF)
    assert response.status_code == 400
    assert response.json() == {"file": [str(files.FILE_NOT_ALLOWED)]}
    assert not Document.objects.exists() and stored_files(media_root) == []
    response = _upload(api, case_of_caseworker, record_kind="identification", record_id=987654)
    assert response.status_code == 400 and "record" in response.json()


@pytest.mark.parametrize("who", ["other_ngo_worker", "municipality", "sysadmin"])
def test_who_may_not_see_the_case_gets_404_everywhere(
    request, api, caseworker, case_of_caseworker, attach, who
):
    document = attach(case_of_caseworker)
    api.force_authenticate(request.getfixturevalue(who))
    assert api.get(f"/api/v1/cases/{case_of_caseworker.reference}/documents/").status_code == 404
    assert _upload(api, case_of_caseworker).status_code == 404
    assert api.get(f"/api/v1/documents/{document.pk}/download/").status_code == 404
    assert Document.objects.count() == 1
    assert not CaseAccess.objects.filter(kind=CaseAccess.Kind.DOWNLOAD).exists()


def test_the_national_coordinator_reads_but_does_not_upload(api, national, case_of_caseworker, attach):
    attach(case_of_caseworker)
    api.force_authenticate(national)
    assert api.get(f"/api/v1/cases/{case_of_caseworker.reference}/documents/").status_code == 200
    assert _upload(api, case_of_caseworker).status_code == 403


def test_the_documents_api_is_in_the_openapi_schema(api, caseworker):
    api.force_authenticate(caseworker)
    schema = api.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert set(paths["/api/v1/cases/{reference}/documents/"]) >= {"get", "post"}
    assert (
        "multipart/form-data"
        in paths["/api/v1/cases/{reference}/documents/"]["post"]["requestBody"]["content"]
    )
    download = paths["/api/v1/documents/{id}/download/"]["get"]
    assert "application/pdf" in download["responses"]["200"]["content"]
    assert "download_url" in schema["components"]["schemas"]["Document"]["properties"]
