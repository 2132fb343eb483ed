"""Safety: risk assessments with their factors, the safety plan's measures, the disclosure of a
high-risk case's contact to a partner, and the coordinators' emergency access. Every model keeps
its history with the acting user."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import Case, Organisation, RiskLevel


class RiskFactor(models.TextChoices):
    EXPLOITER_CONTACT = "exploiter_contact", _("Contact with the exploiters")
    THREATS = "threats", _("Threats to the person or their family")
    DEBTS = "debts", _("Debts to the exploiters")
    DOCUMENTS_HELD = "documents_held", _("Documents held by others")
    CHILDREN_AT_RISK = "children_at_risk", _("Children at risk")
    KNOWN_ADDRESS = "known_address", _("An address the exploiters know")
    TESTIMONY = "testimony", _("Testimony in criminal proceedings")


class RiskAssessment(models.Model):
    """One assessment (at intake, then each review); the latest sets the case's risk level."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="risk_assessments"
    )
    assessed_on = models.DateField(_("assessed on"), default=timezone.localdate)
    level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices)
    next_review_on = models.DateField(_("next review"))
    notes = models.TextField(_("notes"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assessed by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["-assessed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_review_on__gt=F("assessed_on")),
                name="riskassessment_review_after_assessment",
                violation_error_message=_("The next review must come after the assessment."),
            ),
            models.CheckConstraint(
                condition=Q(level__in=RiskLevel.values), name="riskassessment_level_valid"
            ),
        ]
        indexes = [models.Index(fields=["case", "-assessed_on"], name="riskassessment_case_idx")]

    def __str__(self) -> str:
        return f"{self.get_level_display()} ({self.assessed_on:%Y-%m-%d})"


class RiskAssessmentFactor(models.Model):
    """One factor of one assessment: present or not, with notes."""

    assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="factors")
    factor = models.CharField(_("risk factor"), max_length=30, choices=RiskFactor.choices)
    present = models.BooleanField(_("present"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("risk factor")
        verbose_name_plural = _("risk factors")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "factor"], name="riskfactor_one_per_assessment")
        ]

    def __str__(self) -> str:
        return self.get_factor_display()


class SafetyMeasure(models.Model):
    """A measure of the case's safety plan: what, who is responsible, by when."""

    class Kind(models.TextChoices):
        SAFE_ACCOMMODATION = "safe_accommodation", _("Safe accommodation")
        CODE_WORD = "code_word", _("A code word")
        WHO_TO_CALL = "who_to_call", _("Who to call in danger")
        ROUTES_TO_AVOID = "routes_to_avoid", _("Routes and places to avoid")
        SPECIAL_PROTECTION = "special_protection", _("Special protection requested in criminal proceedings")
        OTHER = "other", _("Other measure")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="safety_measures"
    )
    kind = models.CharField(_("measure"), max_length=30, choices=Kind.choices)
    description = models.TextField(_("what is agreed"))
    responsible = models.CharField(_("who is responsible"), max_length=200)
    due_on = models.DateField(_("by when"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("safety measure")
        verbose_name_plural = _("safety measures")
        ordering = ["done_on", "due_on", "pk"]
        indexes = [models.Index(fields=["case", "done_on"], name="safetymeasure_case_idx")]

    def __str__(self) -> str:
        return self.get_kind_display()


class ContactDisclosure(models.Model):
    """A high-risk case's contact details given to a partner organisation, with the reason."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contact_disclosures")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact disclosure")
        verbose_name_plural = _("contact disclosures")
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "organisation"],
                condition=Q(revoked_at__isnull=True),
                name="contactdisclosure_one_active",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="contactdisclosure_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.case} → {self.organisation}"


class EmergencyAccess(models.Model):
    """A coordinator's time-limited access to a high-risk case they are not named on."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="emergency_accesses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("coordinator"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    granted_at = models.DateTimeField(_("from"), default=timezone.now)
    expires_at = models.DateTimeField(_("until"))
    notified_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")
        ordering = ["-granted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("granted_at")), name="emergencyaccess_expires_later"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="emergencyaccess_has_reason"),
        ]
        indexes = [models.Index(fields=["case", "user", "expires_at"], name="emergencyaccess_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.case} ({self.granted_at:%Y-%m-%d %H:%M})"
