"""Every write of documents: attach, replace, remove, share, read (logged), destroy, re-wrap."""

from __future__ import annotations

import datetime
import logging
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case, CaseAccess, User
from cases.services import case_access_record, history_stamp

from . import crypto, permissions, records
from .files import checked_content
from .models import RECORDS_WITHOUT_ID, Document, DocumentShare, RecordKind
from .permissions import Action

# An onward referral (reintegration.PartnerReferral): that app is reached only through its
# selectors, so its model is not imported here even for the types.
PartnerReferral = Any

logger = logging.getLogger(__name__)

RECORD_NOT_OF_CASE = _("Choose a record of this case for the document to belong to.")
TITLE_REQUIRED = _("Give the document a title.")
REASON_REQUIRED = _("Give the reason: the history keeps who changed the document, when and why.")
NOT_ACTIVE = _("This document was already replaced or removed.")
REFERRAL_NOT_OF_CASE = _("Share only with an active onward referral of this case.")
ALREADY_SHARED = _("This document is already shared with that partner.")
NOT_SHARED = _("This document is not shared with that partner.")


def storage() -> Storage:
    return storages["documents"]


def _new_name() -> str:
    # Random, and nothing of the person or the case in it.
    return f"documents/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.bin"


def _store(data: bytes) -> tuple[str, crypto.Sealed]:
    name = _new_name()
    sealed = crypto.encrypt(data, name=name)
    saved = storage().save(name, ContentFile(sealed.blob))
    if saved != name:  # the storage renamed it: the name is authenticated, so it must not move
        storage().delete(saved)
        raise RuntimeError("the document storage renamed a new file")
    return name, sealed


def _check_record(case: Case, kind: str, record_id: int | None) -> None:
    if kind not in RecordKind.values or (kind in RECORDS_WITHOUT_ID) != (record_id is None):
        raise ValidationError({"record": RECORD_NOT_OF_CASE})
    if not records.record_belongs(case, kind, record_id):
        raise ValidationError({"record": RECORD_NOT_OF_CASE})


def _write(document: Document, data: bytes) -> Document:
    # The bytes are written before the row. Should the transaction roll back later, what stays
    # in the storage is ciphertext whose key was never committed: unreadable (docs/documents.md).
    name, sealed = _store(data)
    document.storage_name = name
    document.wrapped_key = sealed.wrapped_key
    document.key_id = sealed.key_id
    document.size = len(data)
    try:
        document.full_clean(exclude=["case", "uploaded_by", "replaces", "wrapped_key"])
        with transaction.atomic():
            document.save()
    except Exception:
        storage().delete(name)
        raise
    return document


@transaction.atomic
def document_attach(
    *,
    case: Case,
    actor: User,
    upload: UploadedFile[bytes],
    doc_type: str,
    title: str,
    document_date: datetime.date,
    record_kind: str = RecordKind.CASE,
    record_id: int | None = None,
) -> Document:
    """Attach a file to the case (and to one of its records). A refused file stores nothing."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    permissions.require(actor, Action.ATTACH, case)
    if not (title or "").strip():
        raise ValidationError({"title": TITLE_REQUIRED})
    _check_record(case, record_kind, record_id)
    try:
        data, mime = checked_content(upload)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    document = Document(
        case=case,
        record_kind=record_kind,
        record_id=record_id,
        doc_type=doc_type,
        title=title.strip(),
        document_date=document_date,
        content_type=mime,
        uploaded_by=actor,
    )
    history_stamp(document, actor=actor)
    return _write(document, data)


def _locked_active(document: Document) -> Document:
    document = Document.objects.select_for_update().select_related("case").get(pk=document.pk)
    if not document.is_active:
        raise ValidationError(NOT_ACTIVE)
    return document


def _end(document: Document, *, status: str, actor: User, reason: str) -> None:
    document.status = status
    document.removed_by = actor
    document.removed_at = timezone.now()
    document.removal_reason = reason
    history_stamp(document, actor=actor, reason=reason)
    document.save(update_fields=["status", "removed_by", "removed_at", "removal_reason"])
    for share in document.shares.filter(revoked_at__isnull=True):
        _revoke(share, actor=actor)


@transaction.atomic
def document_replace(
    *, document: Document, actor: User, upload: UploadedFile[bytes], reason: str, title: str = ""
) -> Document:
    """A new version of the file in place of this one; the old one is kept (encrypted) until
    retention destroys it, with who replaced it, when and why."""
    document = _locked_active(document)
    permissions.require(actor, Action.CHANGE, document.case)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    try:
        data, mime = checked_content(upload)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    _end(document, status=Document.Status.REPLACED, actor=actor, reason=reason)
    new = Document(
        case=document.case,
        record_kind=document.record_kind,
        record_id=document.record_id,
        doc_type=document.doc_type,
        title=(title or "").strip() or document.title,
        document_date=document.document_date,
        content_type=mime,
        uploaded_by=actor,
        replaces=document,
    )
    history_stamp(new, actor=actor, reason=reason)
    return _write(new, data)


@transaction.atomic
def document_remove(*, document: Document, actor: User, reason: str) -> Document:
    document = _locked_active(document)
    permissions.require(actor, Action.CHANGE, document.case)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    _end(document, status=Document.Status.REMOVED, actor=actor, reason=reason)
    return document


# --- reading: every download is in the case's read log ------------------------------------------


def document_read(*, document: Document, actor: User) -> bytes:
    """The decrypted bytes, for a user a selector already let through; logged as a download."""
    blob = _read_blob(document)
    data = crypto.decrypt(
        blob, wrapped_key=bytes(document.wrapped_key), key_id=document.key_id, name=document.storage_name
    )
    case_access_record(case=document.case, actor=actor, kind=CaseAccess.Kind.DOWNLOAD)
    return data


def _read_blob(document: Document) -> bytes:
    with storage().open(document.storage_name, "rb") as handle:
        return bytes(handle.read())


# --- sharing with a partner -------------------------------------------------------------------


@transaction.atomic
def document_share(*, document: Document, referral: PartnerReferral, actor: User) -> DocumentShare:
    document = _locked_active(document)
    permissions.require(actor, Action.SHARE, document.case)
    if referral.case_id != document.case_id or not referral.is_active:
        raise ValidationError({"referral": REFERRAL_NOT_OF_CASE})
    if document.shares.filter(referral=referral, revoked_at__isnull=True).exists():
        raise ValidationError({"referral": ALREADY_SHARED})
    share = DocumentShare(document=document, referral=referral, shared_by=actor)
    history_stamp(share, actor=actor)
    share.save()
    return share


def _revoke(share: DocumentShare, *, actor: User) -> None:
    share.revoked_by = actor
    share.revoked_at = timezone.now()
    history_stamp(share, actor=actor)
    share.save(update_fields=["revoked_by", "revoked_at"])


@transaction.atomic
def document_unshare(*, document: Document, referral: PartnerReferral, actor: User) -> DocumentShare:
    document = Document.objects.select_for_update().select_related("case").get(pk=document.pk)
    permissions.require(actor, Action.SHARE, document.case)
    share = document.shares.filter(referral=referral, revoked_at__isnull=True).first()
    if share is None:
        raise ValidationError({"referral": NOT_SHARED})
    _revoke(share, actor=actor)
    return share


# --- destroying the bytes: retention and erasure ----------------------------------------------


def _destroy(documents: QuerySet[Document]) -> int:
    """Delete the encrypted bytes and the wrapped keys of these documents; the rows stay as the
    record (type, date, who removed them and why). Idempotent."""
    count = 0
    for document in documents.filter(destroyed_at__isnull=True).order_by("pk"):
        storage().delete(document.storage_name)
        document.wrapped_key = b""
        document.destroyed_at = timezone.now()
        history_stamp(document, actor=None, reason="destroyed")
        document.save(update_fields=["wrapped_key", "destroyed_at"])
        count += 1
    return count


@transaction.atomic
def documents_destroy_removed(*, now: datetime.datetime | None = None) -> int:
    """Destroy the bytes of documents removed or replaced longer ago than the retention period
    (settings.DOCUMENTS_REMOVED_RETENTION_DAYS); called by the daily retention job."""
    due = documents_due_for_destruction(now=now or timezone.now()).select_for_update()
    return _destroy(due)


def documents_due_for_destruction(*, now: datetime.datetime) -> QuerySet[Document]:
    cutoff = now - datetime.timedelta(days=settings.DOCUMENTS_REMOVED_RETENTION_DAYS)
    return Document.objects.exclude(status=Document.Status.ACTIVE).filter(
        removed_at__lt=cutoff, destroyed_at__isnull=True
    )


def documents_destroy_for_anonymisation(documents: QuerySet[Document]) -> None:
    """The privacy registry's hook: a case anonymised or erased keeps no file of it."""
    _destroy(documents)


# --- key rotation -----------------------------------------------------------------------------


def documents_rewrap_keys(*, to_key_id: str | None = None, batch: int = 500) -> int:
    """Re-wrap every stored file's key with the current key-encryption key (or `to_key_id`).

    The files themselves are not rewritten. Each batch commits on its own, so an interrupted run
    leaves every file readable with a key still listed, and running it again finishes the rest.
    Only the two key fields change, and they are kept out of the history: a plain update.
    """
    target = to_key_id or crypto.current_key_id()
    if target not in crypto.key_encryption_keys():
        raise ImproperlyConfigured(f"DOCUMENTS_KEYS has no key {target!r}")
    done = 0
    while True:
        with transaction.atomic():
            rows = list(
                Document.objects.select_for_update()
                .filter(destroyed_at__isnull=True)
                .exclude(key_id=target)
                .order_by("pk")
                .only("pk", "storage_name", "wrapped_key", "key_id")[:batch]
            )
            if not rows:
                return done
            for row in rows:
                wrapped = crypto.rewrap(
                    bytes(row.wrapped_key), key_id=row.key_id, name=row.storage_name, to_key_id=target
                )
                Document.objects.filter(pk=row.pk).update(wrapped_key=wrapped, key_id=target)
            done += len(rows)


def documents_not_on_key(*, key_id: str) -> int:
    return Document.objects.filter(destroyed_at__isnull=True).exclude(key_id=key_id).count()


def documents_verify_readable() -> list[int]:
    """The ids of stored documents that do not decrypt (no read log: nobody reads them)."""
    failed = []
    for document in Document.objects.filter(destroyed_at__isnull=True).order_by("pk").iterator():
        try:
            crypto.decrypt(
                _read_blob(document),
                wrapped_key=bytes(document.wrapped_key),
                key_id=document.key_id,
                name=document.storage_name,
            )
        except (crypto.DecryptionFailed, OSError):
            failed.append(document.pk)
    return failed
