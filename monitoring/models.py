"""The national coordinator's tools keep one thing of their own: bulk PDF exports and their files.

Statistics and the audit trail are read from the stage apps; nothing here copies case content.
"""

import datetime

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import User

# A ZIP of case summaries is personal data at rest: it is kept for one day, then deleted.
EXPORT_LIFETIME = datetime.timedelta(days=1)


def _expires_at() -> datetime.datetime:
    return timezone.now() + EXPORT_LIFETIME


class SummaryExport(models.Model):
    """One request for the PDF summaries of the cases a filter selects, built into a ZIP by Celery."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being built")
        READY = "ready", _("Ready to download")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired and deleted")

    requested_by = models.ForeignKey(
        User, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="summary_exports"
    )
    # The filter as the user gave it (reference or name, stage, victim status): the cases are
    # selected again, under the requester's scope, when the job runs.
    filters = models.JSONField(_("filter"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("summaries done"), default=0)
    total = models.PositiveIntegerField(_("summaries in all"), default=0)
    # Relative to MEDIA_ROOT, under exports/; empty until the file is written and after deletion.
    file_path = models.CharField(_("file"), max_length=300, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), default=_expires_at, db_index=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("summary export")
        verbose_name_plural = _("summary exports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(done__lte=F("total")), name="summaryexport_done_within_total"),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="summaryexport_expires_after_creation"
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | ~Q(file_path=""), name="summaryexport_ready_has_file"
            ),
        ]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="summaryexport_user_created_idx")
        ]

    def __str__(self) -> str:
        return f"{self.pk} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED, self.Status.EXPIRED)

    def is_expired_at(self, now: datetime.datetime) -> bool:
        return now >= self.expires_at

    @property
    def is_expired(self) -> bool:
        return self.status == self.Status.EXPIRED or self.is_expired_at(timezone.now())
