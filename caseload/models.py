"""One upload of a caseload file: its check, the coordinator's confirmation and the import."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import Organisation, User


class ImportRun(models.Model):
    class Status(models.TextChoices):
        CHECKING = "checking", _("Being checked")
        CHECKED = "checked", _("Checked: ready to import")
        INVALID = "invalid", _("Checked: problems found")
        IMPORTING = "importing", _("Being imported")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(
        User, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("mandated NGO"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CHECKING)
    # Relative to MEDIA_ROOT, under imports/ (0600 in a 0700 directory); empty once deleted.
    file_path = models.CharField(_("file"), max_length=300, blank=True)
    # The last report: counts and problems (sheet, row, column, message). The messages quote
    # no cell values beyond the previous system's ids and user names.
    report = models.JSONField(_("report"), default=dict, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("caseload import")
        verbose_name_plural = _("caseload imports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["checking", "checked", "importing"]) | ~Q(file_path=""),
                name="importrun_working_has_file",
            ),
        ]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="importrun_user_created_idx")]

    def __str__(self) -> str:
        return f"{self.pk} ({self.get_status_display()})"

    @property
    def is_working(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.IMPORTING)
