"""The machinery's own records: the e-mail outbox and the periodic jobs' heartbeats.

Neither keeps a simple-history table: each row is itself the log of one delivery or one job
(created, attempts, last error, sent; last start, success, failure), written by the system and
never edited by a user. The outbox holds no case content: a subject, a link and an address.
"""

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import User


class OutboxEmail(models.Model):
    """One e-mail, written in the same transaction as the event it tells of, delivered by Celery."""

    class Kind(models.TextChoices):
        REFERRAL = "referral", _("New referral")
        ALERT = "alert", _("Case alert")
        SECURITY = "security", _("Security")
        JOB_STALE = "job_stale", _("Periodic job not running")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    recipient = models.ForeignKey(
        User, verbose_name=_("recipient"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_address = models.EmailField(_("address"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("failed attempts"), default=0)
    # The class of the last error only (e.g. SMTPServerDisconnected): never its text, which
    # may quote an address.
    last_error = models.CharField(_("last error"), max_length=100, blank=True)
    # Once per event: a second write with the same key is ignored (ON CONFLICT DO NOTHING).
    dedupe_key = models.CharField(_("event key"), max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending", sent_at__isnull=True) | Q(status="sent", sent_at__isnull=False),
                name="outboxemail_sent_has_time",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=Q(status="pending"), name="outboxemail_due_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} ({self.get_status_display()})"


class JobHeartbeat(models.Model):
    """The last start, success and failure of one periodic job (or of the worker's heartbeat)."""

    name = models.CharField(_("job"), max_length=100, unique=True)
    first_seen_at = models.DateTimeField(_("first seen at"), default=timezone.now)
    last_started_at = models.DateTimeField(_("last started at"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last successful run"), null=True, blank=True)
    last_failure_at = models.DateTimeField(_("last failure"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=100, blank=True)
    # The day (Europe/Riga) the national coordinator was last told this job stopped: once a day.
    stale_notified_on = models.DateField(_("stale alert sent on"), null=True, blank=True)

    class Meta:
        verbose_name = _("job heartbeat")
        verbose_name_plural = _("job heartbeats")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def is_stale_at(self, now: datetime.datetime, after: datetime.timedelta) -> bool:
        since = self.last_success_at or self.first_seen_at
        return now - since > after
