"""Encryption at rest and the rotation of the key-encryption key."""

import base64
import os

import pytest
from django.core.management import CommandError, call_command

from documents import crypto, services
from documents.models import Document

from .conftest import jpeg_with_exif, stored_files

pytestmark = pytest.mark.django_db


def _key(key_id: str) -> str:
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"


def test_each_file_has_its_own_key_and_the_storage_name_is_authenticated(
    caseworker, case_of_caseworker, attach
):
    a, b = attach(case_of_caseworker), attach(case_of_caseworker)
    assert a.wrapped_key != b.wrapped_key
    blob_a = services._read_blob(a)
    with pytest.raises(crypto.DecryptionFailed):  # a's bytes under b's key and name
        crypto.decrypt(blob_a, wrapped_key=b.wrapped_key, key_id=b.key_id, name=b.storage_name)
    tampered = blob_a[:-1] + bytes([blob_a[-1] ^ 1])
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(tampered, wrapped_key=a.wrapped_key, key_id=a.key_id, name=a.storage_name)


def test_key_rotation_keeps_every_file_readable(settings, caseworker, case_of_caseworker, attach, media_root):
    old, new = _key("2025"), _key("2026")
    settings.DOCUMENTS_KEYS = old
    documents = [attach(case_of_caseworker), attach(case_of_caseworker, content=jpeg_with_exif())]
    removed = attach(case_of_caseworker)
    services.document_remove(document=removed, actor=caseworker, reason="Wrong case")
    before = {d.pk: services.document_read(document=d, actor=caseworker) for d in [*documents, removed]}
    files_before = {p: p.read_bytes() for p in stored_files(media_root)}

    settings.DOCUMENTS_KEYS = f"{new},{old}"  # the new key first: current
    call_command("rotate_document_keys", "--verify")
    assert set(Document.objects.values_list("key_id", flat=True)) == {"2026"}
    # The files themselves were not rewritten; only their small wrapped keys changed.
    assert {p: p.read_bytes() for p in stored_files(media_root)} == files_before

    settings.DOCUMENTS_KEYS = new  # the old key retired
    for document in Document.objects.all():
        assert services.document_read(document=document, actor=caseworker) == before[document.pk]
    # Running it again changes nothing.
    call_command("rotate_document_keys")
    # The history keeps no wrapped keys.
    assert not hasattr(Document.history.model, "wrapped_key")


def test_a_file_wrapped_by_a_retired_key_does_not_open(settings, caseworker, case_of_caseworker, attach):
    old, new = _key("old"), _key("new")
    settings.DOCUMENTS_KEYS = old
    document = attach(case_of_caseworker)
    settings.DOCUMENTS_KEYS = new
    with pytest.raises(crypto.DecryptionFailed):
        services.document_read(document=document, actor=caseworker)
    with pytest.raises(CommandError):
        call_command("rotate_document_keys")


def test_new_files_use_the_current_key(settings, caseworker, case_of_caseworker, attach):
    settings.DOCUMENTS_KEYS = f"{_key('b')},{_key('a')}"
    assert attach(case_of_caseworker).key_id == "b"
