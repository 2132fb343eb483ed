"""The papers a case rests on: files attached to the case and to its records, encrypted at rest.

A document's bytes are never in the database and never under a public URL: they are stored
through the "documents" storage (docs/documents.md), encrypted with a key of their own that is
kept here only wrapped by a key-encryption key from the environment.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import Case, User


class DocumentType(models.TextChoices):
    DECISION = "decision", _("Decision")
    STATEMENT = "statement", _("Statement")
    REPORT = "report", _("Report")
    TRAVEL_DOCUMENT = "travel_document", _("Travel document")
    PERMIT = "permit", _("Permit")
    CLAIM = "claim", _("Claim")
    CONSENT = "consent", _("Consent")
    MEDICAL = "medical", _("Medical")
    OTHER = "other", _("Other")


class RecordKind(models.TextChoices):
    """The record of the case a document belongs to; the case itself and the consent have no id."""

    CASE = "case", _("The case file")
    IDENTIFICATION = "identification", _("Identification")
    PROCEEDING = "proceeding", _("Criminal proceedings")
    ASSISTANCE = "assistance", _("Assistance")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
    COURSE = "course", _("Rehabilitation course")
    CONSENT = "consent", _("Consent")


RECORDS_WITHOUT_ID = (RecordKind.CASE, RecordKind.CONSENT)


class Document(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        REPLACED = "replaced", _("Replaced")
        REMOVED = "removed", _("Removed")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="documents")
    # A record of another app, by kind and id: the apps own their models (docs/architecture.md),
    # documents/records.py resolves and checks them through their selectors.
    record_kind = models.CharField(
        _("belongs to"), max_length=20, choices=RecordKind.choices, default=RecordKind.CASE
    )
    record_id = models.PositiveIntegerField(null=True, blank=True)
    doc_type = models.CharField(_("type"), max_length=20, choices=DocumentType.choices)
    title = models.CharField(_("title"), max_length=200)
    document_date = models.DateField(_("date of the document"))
    # What the content is (decided from the bytes), its size before encryption.
    content_type = models.CharField(max_length=40, editable=False)
    size = models.PositiveIntegerField(_("size"), editable=False)
    # The name in the storage: random, no personal data; the original file name is not kept.
    storage_name = models.CharField(max_length=200, unique=True, editable=False)
    # The file's own AES-256-GCM key, wrapped by the key-encryption key `key_id`.
    wrapped_key = models.BinaryField(editable=False)
    key_id = models.CharField(max_length=40, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    removed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removal_reason = models.TextField(_("reason"), blank=True)
    # When the encrypted bytes were destroyed (retention, erasure): the row stays as the record.
    destroyed_at = models.DateTimeField(_("destroyed at"), null=True, blank=True)
    # The wrapped key changes on every key rotation: kept out of the history, which must not hold
    # keys that outlive a rotation.
    history = HistoricalRecords(excluded_fields=["wrapped_key", "key_id"])

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-document_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="active", removed_at__isnull=True)
                | (~Q(status="active") & Q(removed_at__isnull=False) & ~Q(removal_reason="")),
                name="document_removed_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(record_kind__in=["case", "consent"], record_id__isnull=True)
                | (~Q(record_kind__in=["case", "consent"]) & Q(record_id__isnull=False)),
                name="document_record_id_iff_record",
            ),
            models.CheckConstraint(
                condition=Q(content_type__in=["application/pdf", "image/jpeg", "image/png"]),
                name="document_allowed_content_type",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "status"], name="document_case_status_idx"),
            models.Index(fields=["record_kind", "record_id"], name="document_record_idx"),
        ]

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def extension(self) -> str:
        return {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[self.content_type]

    @property
    def download_name(self) -> str:
        # No title in the file name: it may name the person, and names travel in browser histories.
        return f"document-{self.pk}.{self.extension}"


class DocumentShare(models.Model):
    """A document shared explicitly with the partner of an onward referral; nothing else of the
    case's files reaches a partner."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="shares")
    referral = models.ForeignKey(
        "reintegration.PartnerReferral",
        verbose_name=_("onward referral"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    shared_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    shared_at = models.DateTimeField(_("shared at"), default=timezone.now)
    revoked_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("document share")
        verbose_name_plural = _("document shares")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "referral"],
                condition=Q(revoked_at__isnull=True),
                name="documentshare_one_active",
            )
        ]
