"""The data's whole life: legal holds, anonymisation records, erasure requests, subject-access exports.

A case past its retention period is anonymised (privacy/anonymise.py) unless a legal hold stands;
an erasure request is proposed by one coordinator and decided by another. Every row keeps its
history with the acting user.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class RetentionRule(models.TextChoices):
    CLOSED_CASE = "closed_case", _("Closed case past its retention period")
    DECLINED_REFERRAL = "declined_referral", _("Declined referral past its retention period")
    ANONYMOUS_NOTIFICATION = "anonymous_notification", _("Anonymous notification past its retention period")
    ERASURE_REQUEST = "erasure_request", _("The person's request for erasure")


class LegalHold(models.Model):
    """Stops anonymisation of a case until it is lifted."""

    class Kind(models.TextChoices):
        CRIMINAL_PROCEEDINGS = "criminal_proceedings", _("Open criminal proceedings")
        PENDING_CLAIM = "pending_claim", _("A pending claim")
        COORDINATOR = "coordinator", _("A coordinator's reasoned hold")

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="legal_holds"
    )
    kind = models.CharField(_("kind of hold"), max_length=24, choices=Kind.choices)
    reason = models.TextField(_("reason"))
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lift_reason = models.TextField(_("reason for lifting"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-placed_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="legalhold_has_reason"),
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True, lifted_by__isnull=True)
                | (Q(lifted_at__isnull=False, lifted_by__isnull=False) & ~Q(lift_reason="")),
                name="legalhold_lifted_with_user_and_reason",
            ),
        ]
        indexes = [models.Index(fields=["case", "lifted_at"], name="legalhold_case_lifted_idx")]

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class Anonymisation(models.Model):
    """The record that a case (or a referral that opened none) was anonymised: when, under which rule.

    One per case or referral: running the job again finds it and does nothing.
    """

    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="anonymisation"
    )
    referral = models.OneToOneField(
        "referrals.Referral", on_delete=models.PROTECT, null=True, blank=True, related_name="anonymisation"
    )
    rule = models.CharField(_("rule"), max_length=24, choices=RetentionRule.choices)
    done_at = models.DateTimeField(_("anonymised at"), default=timezone.now)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("anonymisation")
        verbose_name_plural = _("anonymisations")
        ordering = ["-done_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False, referral__isnull=True)
                | Q(case__isnull=True, referral__isnull=False),
                name="anonymisation_case_or_referral",
            )
        ]


class ErasureRequest(models.Model):
    """The person asks for their data to be erased: one coordinator proposes, another decides."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Awaiting a second coordinator")
        DONE = "done", _("Erased (anonymised)")
        REFUSED = "refused", _("Refused")

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="erasure_requests"
    )
    received_on = models.DateField(_("request received on"), default=timezone.localdate)
    reason = models.TextField(_("what the person asked"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusing"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        ordering = ["-proposed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("proposed_by")),
                name="erasure_four_eyes",
            ),
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(refusal_reason=""),
                name="erasure_refused_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="proposed", decided_at__isnull=True)
                | (~Q(status="proposed") & Q(decided_at__isnull=False)),
                name="erasure_decided_iff_not_proposed",
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="proposed"), name="erasure_one_open_per_case"
            ),
        ]


class SubjectAccessExport(models.Model):
    """A subject-access export was produced: by whom, when, in which form (the content is not kept)."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        JSON = "json", "JSON"

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="subject_access_exports")
    produced_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    produced_at = models.DateTimeField(_("produced at"), default=timezone.now)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    language = models.CharField(_("language"), max_length=5)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("subject-access export")
        verbose_name_plural = _("subject-access exports")
        ordering = ["-produced_at"]
