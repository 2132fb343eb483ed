"""Replace and remove need a reason; the history keeps who, when and why; the encrypted bytes of
removed files are destroyed when retention says so, and with the case's anonymisation."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from documents import services
from documents.models import Document
from privacy import anonymise
from privacy.retention import apply_retention

from .conftest import stored_files, upload

pytestmark = pytest.mark.django_db


def test_removing_needs_a_reason_and_the_history_keeps_who_and_why(
    client, caseworker, case_of_caseworker, attach
):
    document = attach(case_of_caseworker)
    client.force_login(caseworker)
    response = client.post(reverse("documents:remove", args=[document.pk]), {"reason": " "})
    assert response.status_code == 400
    document.refresh_from_db()
    assert document.is_active
    response = client.post(
        reverse("documents:remove", args=[document.pk]), {"reason": "Attached to the wrong case"}
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.status, document.removed_by, document.removal_reason) == (
        "removed",
        caseworker,
        "Attached to the wrong case",
    )
    last = document.history.first()
    assert (last.history_user, last.history_change_reason) == (caseworker, "Attached to the wrong case")
    # Removed: gone from the case page and from downloads.
    assert client.get(reverse("documents:download", args=[document.pk])).status_code == 404
    assert (
        "Decision of the investigator"
        not in client.get(case_of_caseworker.get_absolute_url()).content.decode()
    )


def test_the_service_refuses_a_removal_without_reason(caseworker, case_of_caseworker, attach):
    document = attach(case_of_caseworker)
    with pytest.raises(ValidationError) as error:
        services.document_remove(document=document, actor=caseworker, reason="")
    assert error.value.message_dict["reason"] == [str(services.REASON_REQUIRED)]


def test_replacing_keeps_the_old_version_with_who_and_why(client, coordinator, case_of_caseworker, attach):
    old = attach(case_of_caseworker)
    client.force_login(coordinator)
    response = client.post(
        reverse("documents:replace", args=[old.pk]),
        {"file": upload(b"%PDF-1.4\n% second version\n%%EOF\n"), "reason": "", "title": ""},
    )
    assert response.status_code == 400
    response = client.post(
        reverse("documents:replace", args=[old.pk]),
        {"file": upload(b"%PDF-1.4\n% second version\n%%EOF\n"), "reason": "The signed copy", "title": ""},
    )
    assert response.status_code == 302
    old.refresh_from_db()
    new = Document.objects.get(replaces=old)
    assert (old.status, old.removed_by, old.removal_reason) == ("replaced", coordinator, "The signed copy")
    assert new.is_active and new.title == old.title and new.uploaded_by == coordinator
    assert services.document_read(document=new, actor=coordinator).startswith(b"%PDF-1.4\n% second")
    page = client.get(reverse("documents:detail", args=[new.pk])).content.decode()
    assert "The signed copy" in page


def test_retention_destroys_the_bytes_of_removed_files_after_its_period(
    settings, caseworker, case_of_caseworker, attach, media_root
):
    settings.DOCUMENTS_REMOVED_RETENTION_DAYS = 30
    kept = attach(case_of_caseworker)
    removed = attach(case_of_caseworker)
    services.document_remove(document=removed, actor=caseworker, reason="Duplicate")
    assert len(stored_files(media_root)) == 2

    report = apply_retention(now=timezone.now() + datetime.timedelta(days=29))
    assert report.removed_documents == 0
    report = apply_retention(now=timezone.now() + datetime.timedelta(days=31))
    assert report.removed_documents == 1
    removed.refresh_from_db()
    assert removed.destroyed_at is not None and bytes(removed.wrapped_key) == b""
    assert [p.name for p in stored_files(media_root)] == [kept.storage_name.rsplit("/", 1)[-1]]
    # The row stays as the record: type, date, who removed it and why.
    assert removed.removal_reason == "Duplicate"
    assert apply_retention(now=timezone.now() + datetime.timedelta(days=40)).removed_documents == 0


def test_anonymising_the_case_destroys_every_file_of_it(caseworker, case_of_caseworker, attach, media_root):
    document = attach(case_of_caseworker, title="Passport of Aija Bērziņa")
    anonymise.anonymise_cases(case_ids=[case_of_caseworker.pk], rule="erasure")
    document.refresh_from_db()
    assert document.destroyed_at is not None
    assert stored_files(media_root) == []
    assert "Bērziņa" not in document.title
    assert not document.history.filter(title__contains="Bērziņa").exists()


def test_the_subject_access_export_lists_the_document_without_its_key_or_storage(
    client, coordinator, case_of_caseworker, attach
):
    document = attach(case_of_caseworker, title="Passport copy")
    client.force_login(coordinator)
    response = client.get(
        reverse("privacy:subject_access_json", args=[case_of_caseworker.reference]), {"lang": "en"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Passport copy" in body
    assert document.storage_name not in body and document.key_id not in body and "memory at" not in body
