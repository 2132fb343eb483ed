"""Uploads: decided by content, within the size limit, images without metadata, encrypted at rest."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape
from PIL import Image

from documents import files, services
from documents.models import Document

from .conftest import HTML_AS_PDF, PDF, PDF_MARKER, jpeg_with_exif, png_with_text, stored_files, upload

pytestmark = pytest.mark.django_db


def _post(client, case, content, name="decision.pdf", **fields):
    data = {
        "record": "case",
        "doc_type": "decision",
        "title": "Decision of the investigator",
        "document_date": "2026-11-02",
        "file": upload(content, name),
        **fields,
    }
    return client.post(reverse("documents:attach", args=[case.reference]), data)


def test_a_pdf_is_attached_from_the_page_and_its_bytes_on_disk_are_not_the_file(
    client, caseworker, case_of_caseworker, media_root
):
    client.force_login(caseworker)
    response = _post(client, case_of_caseworker, PDF)
    assert response.status_code == 302
    document = Document.objects.get(case=case_of_caseworker)
    assert (document.content_type, document.size, document.title) == (
        "application/pdf",
        len(PDF),
        "Decision of the investigator",
    )
    [path] = stored_files(media_root)
    on_disk = path.read_bytes()
    assert on_disk != PDF
    assert PDF_MARKER not in on_disk and b"%PDF" not in on_disk
    assert "decision" not in path.name  # the stored name says nothing of the file
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    history = document.history.get()
    assert history.history_user == caseworker
    assert services.document_read(document=document, actor=caseworker) == PDF


def test_a_pdf_that_is_really_html_is_refused_with_a_message_and_nothing_is_stored(
    client, caseworker, case_of_caseworker, media_root
):
    client.force_login(caseworker)
    response = _post(client, case_of_caseworker, HTML_AS_PDF, name="decision.pdf")
    assert response.status_code == 400
    assert escape(str(files.FILE_NOT_ALLOWED)) in response.content.decode()
    assert 'id="id_file_error"' in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    "content",
    [b"MZ\x90\x00 an executable", b"PK\x03\x04 a zip", b"GIF89a a gif", b"\x00\x00 leading junk %PDF-1.4"],
)
def test_other_contents_are_refused_whatever_the_name(
    caseworker, case_of_caseworker, attach, content, media_root
):
    with pytest.raises(ValidationError) as error:
        attach(case_of_caseworker, content=content)
    assert error.value.message_dict["file"] == [str(files.FILE_NOT_ALLOWED)]
    assert stored_files(media_root) == []


def test_a_file_over_the_size_limit_is_refused(settings, caseworker, case_of_caseworker, attach, media_root):
    settings.DOCUMENTS_MAX_BYTES = 100
    with pytest.raises(ValidationError) as error:
        attach(case_of_caseworker, content=PDF)
    [message] = error.value.message_dict["file"]
    assert "files of up to 100" in message
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_an_empty_file_is_refused(caseworker, case_of_caseworker, attach):
    with pytest.raises(ValidationError) as error:
        attach(case_of_caseworker, content=b"")
    assert error.value.message_dict["file"] == [str(files.FILE_EMPTY)]


def test_exif_and_gps_are_gone_from_a_jpeg(caseworker, case_of_caseworker, attach):
    original = jpeg_with_exif()
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(0x8825)  # the test file does carry GPS
    document = attach(case_of_caseworker, content=original)
    assert document.content_type == "image/jpeg"
    data = services.document_read(document=document, actor=caseworker)
    assert b"ZZCameraMaker" not in data and b"Exif" not in data
    with Image.open(io.BytesIO(data)) as after:
        assert after.format == "JPEG"
        assert after.size == (40, 30)
        assert dict(after.getexif()) == {}
        assert "exif" not in after.info


def test_text_chunks_are_gone_from_a_png(caseworker, case_of_caseworker, attach):
    document = attach(case_of_caseworker, content=png_with_text())
    data = services.document_read(document=document, actor=caseworker)
    assert b"ZZ-secret-png-comment" not in data
    with Image.open(io.BytesIO(data)) as after:
        assert after.format == "PNG" and after.mode == "RGBA"


def test_a_damaged_image_is_refused(caseworker, case_of_caseworker, attach):
    broken = jpeg_with_exif()[:60]
    with pytest.raises(ValidationError) as error:
        attach(case_of_caseworker, content=broken)
    assert error.value.message_dict["file"] == [str(files.FILE_UNREADABLE)]


def test_a_record_of_another_case_is_refused(caseworker, case_of_caseworker, attach, media_root):
    with pytest.raises(ValidationError) as error:
        attach(case_of_caseworker, record_kind="identification", record_id=987654)
    assert error.value.message_dict["record"] == [str(services.RECORD_NOT_OF_CASE)]
    assert stored_files(media_root) == []


def test_only_who_may_change_the_case_attaches(client, national, coordinator, case_of_caseworker, media_root):
    client.force_login(national)
    assert client.get(reverse("documents:attach", args=[case_of_caseworker.reference])).status_code == 403
    assert _post(client, case_of_caseworker, PDF).status_code == 403
    client.force_login(coordinator)
    assert _post(client, case_of_caseworker, PDF).status_code == 302
    assert Document.objects.get().uploaded_by == coordinator


def test_the_signed_consent_is_attached_back_as_a_consent_document(client, caseworker, case_of_caseworker):
    client.force_login(caseworker)
    form = client.get(reverse("documents:attach", args=[case_of_caseworker.reference]), {"record": "consent"})
    page = form.content.decode()
    assert '<option value="consent" selected>' in page
    assert '<option value="consent" selected>Consent</option>' in page  # the type, preselected too
    response = _post(
        client,
        case_of_caseworker,
        jpeg_with_exif(),
        name="scan.jpg",
        record="consent",
        doc_type="consent",
        title="Signed consent",
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.record_kind, document.record_id, document.doc_type) == ("consent", None, "consent")
