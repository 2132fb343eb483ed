"""Stage 3: onward referrals to partners, the municipality's part, the agency's part, consultations.

A PartnerReferral opens a narrow view of one case to one partner organisation (a municipal social
service or the State Employment Agency) while it is active and the case is open. Every record a
partner makes hangs off that referral, so a partner's section is exactly its referral's records.
"""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import Case, Correctable, Organisation, Role, User, void_constraints

# The partners a case can be referred to, and the role that works each of them.
PARTNER_KINDS = (Organisation.Kind.MUNICIPAL_SOCIAL_SERVICE, Organisation.Kind.EMPLOYMENT_AGENCY)
PARTNER_ROLE_BY_KIND: dict[str, str] = {
    Organisation.Kind.MUNICIPAL_SOCIAL_SERVICE: Role.MUNICIPAL_SOCIAL_WORKER,
    Organisation.Kind.EMPLOYMENT_AGENCY: Role.EMPLOYMENT_OFFICER,
}

AMOUNT = {"max_digits": 10, "decimal_places": 2}


class LegalBasis(models.TextChoices):
    """Why the person's data may be shared with the partner (docs/privacy.md)."""

    CONSENT = "consent", _("The person's consent")
    OTHER = "other", _("Another legal basis, named by a coordinator")


class ConsentGiven(models.TextChoices):
    """How the consent was given."""

    SIGNED_FORM = "signed_form", _("On a signed consent form")
    WRITTEN = "written", _("In writing (a letter or an e-mail)")
    ORAL = "oral", _("Orally, noted by the staff member")
    REPRESENTATIVE = "representative", _("By the legal representative of a minor")


class PartnerReferral(models.Model):
    """The mandated NGO refers a case onward to a municipality's social service or the agency."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        COMPLETED = "completed", _("Completed by the partner")

    LegalBasis = LegalBasis
    ConsentGiven = ConsentGiven

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="partner_referrals"
    )
    partner = models.ForeignKey(
        Organisation,
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="partner_referrals",
        limit_choices_to={"kind__in": PARTNER_KINDS},
    )
    needs_note = models.TextField(
        _("the victim's needs"),
        help_text=_("Addressed to the partner: they read this note and nothing else of the case file."),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    referred_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    referred_at = models.DateTimeField(_("referred at"), default=timezone.now)
    withdrawn_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdraw_reason = models.TextField(_("reason for withdrawing"), blank=True)
    completed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    # The legal basis for sharing; blank only on referrals made before it was recorded.
    legal_basis = models.CharField(_("legal basis"), max_length=12, choices=LegalBasis.choices, blank=True)
    consent_given_on = models.DateField(_("consent given on"), null=True, blank=True)
    consent_how = models.CharField(
        _("how the consent was given"), max_length=16, choices=ConsentGiven.choices, blank=True
    )
    consent_covers = models.TextField(_("what the consent covers"), blank=True)
    other_basis = models.TextField(_("the other legal basis"), blank=True)
    consent_withdrawn_on = models.DateField(_("consent withdrawn on"), null=True, blank=True)
    consent_withdrawn_at = models.DateTimeField(_("consent withdrawal recorded at"), null=True, blank=True)
    consent_withdrawn_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("onward referral")
        verbose_name_plural = _("onward referrals")
        ordering = ["-referred_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "partner"],
                condition=Q(status="active"),
                name="partnerreferral_one_active_per_partner",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | Q(withdrawn_at__isnull=False),
                name="partnerreferral_withdrawn_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | (Q(completed_at__isnull=False) & ~Q(outcome="")),
                name="partnerreferral_completed_has_outcome",
            ),
            models.CheckConstraint(
                condition=~Q(legal_basis="consent")
                | (Q(consent_given_on__isnull=False) & ~Q(consent_how="") & ~Q(consent_covers="")),
                name="partnerreferral_consent_is_described",
            ),
            models.CheckConstraint(
                condition=~Q(legal_basis="other") | ~Q(other_basis=""),
                name="partnerreferral_other_basis_is_named",
            ),
            models.CheckConstraint(
                condition=Q(consent_withdrawn_on__isnull=True)
                | (Q(legal_basis="consent") & Q(consent_withdrawn_at__isnull=False)),
                name="partnerreferral_consent_withdrawal_recorded",
            ),
        ]
        indexes = [models.Index(fields=["partner", "status"], name="partnerref_partner_status_idx")]

    def __str__(self) -> str:
        return f"{self.case.reference} → {self.partner.name}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def rests_on_consent(self) -> bool:
        return self.legal_basis == LegalBasis.CONSENT

    @property
    def consent_withdrawn(self) -> bool:
        return self.consent_withdrawn_on is not None

    @property
    def is_municipal(self) -> bool:
        return self.partner.kind == Organisation.Kind.MUNICIPAL_SOCIAL_SERVICE

    @property
    def is_employment(self) -> bool:
        return self.partner.kind == Organisation.Kind.EMPLOYMENT_AGENCY


class NeedCategory(models.TextChoices):
    UTILITIES = "utilities", _("Public utilities payments")
    MEDICAL = "medical", _("Medical care")
    FOOD = "food", _("Food")
    HOUSING = "housing", _("Housing")
    OTHER = "other", _("Other")


_PERIOD = (Q(months__isnull=False) & Q(period_from__isnull=True) & Q(period_to__isnull=True)) | (
    Q(months__isnull=True)
    & Q(period_from__isnull=False)
    & Q(period_to__isnull=False)
    & Q(period_to__gte=F("period_from"))
)


class AssessedNeed(Correctable):
    """One item of the municipality's needs assessment: what, how much, for how long."""

    referral = models.ForeignKey(PartnerReferral, on_delete=models.CASCADE, related_name="needs")
    category = models.CharField(_("need"), max_length=12, choices=NeedCategory.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    amount_eur = models.DecimalField(_("amount (EUR)"), **AMOUNT)
    period_from = models.DateField(_("from"), null=True, blank=True)
    period_to = models.DateField(_("to"), null=True, blank=True)
    months = models.PositiveSmallIntegerField(_("months"), null=True, blank=True)
    assessed_on = models.DateField(_("assessed on"), default=timezone.localdate)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessed need")
        verbose_name_plural = _("needs assessment")
        ordering = ["assessed_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_eur__gte=0), name="assessedneed_amount_not_negative"),
            models.CheckConstraint(condition=_PERIOD, name="assessedneed_one_period"),
            models.CheckConstraint(
                condition=Q(months__isnull=True) | Q(months__gte=1), name="assessedneed_months_positive"
            ),
            *void_constraints("assessedneed"),
        ]

    @property
    def total_eur(self):
        """The amount is per month; over a number of months, this is the whole need."""
        return self.amount_eur * self.months if self.months else None


class Assistance(Correctable):
    """Assistance the municipality granted."""

    referral = models.ForeignKey(PartnerReferral, on_delete=models.CASCADE, related_name="assistance")
    kind = models.CharField(_("kind"), max_length=12, choices=NeedCategory.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    amount_eur = models.DecimalField(_("amount (EUR)"), **AMOUNT)
    granted_from = models.DateField(_("from"))
    granted_to = models.DateField(_("to"), null=True, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assistance granted")
        verbose_name_plural = _("assistance granted")
        ordering = ["granted_from", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_eur__gte=0), name="assistance_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(granted_to__isnull=True) | Q(granted_to__gte=F("granted_from")),
                name="assistance_dates_in_order",
            ),
            *void_constraints("reintegration_assistance"),
        ]


class EmploymentMeasure(Correctable):
    """What the State Employment Agency did: registration, counselling, training, placement."""

    class Kind(models.TextChoices):
        REGISTRATION = "registration", _("Registered as a job seeker")
        COUNSELLING = "counselling", _("Career counselling")
        TRAINING = "training", _("Occupational training")
        PLACEMENT = "placement", _("Job placement")

    referral = models.ForeignKey(PartnerReferral, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField(_("measure"), max_length=12, choices=Kind.choices)
    started_on = models.DateField(_("date or start date"))
    ended_on = models.DateField(_("end date"), null=True, blank=True)
    course = models.CharField(_("course"), max_length=200, blank=True)
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("employment measure")
        verbose_name_plural = _("employment measures")
        ordering = ["started_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="employmentmeasure_dates_in_order",
            ),
            models.CheckConstraint(
                condition=~Q(kind="training") | (~Q(course="") & ~Q(provider="")),
                name="employmentmeasure_training_has_course",
            ),
            models.CheckConstraint(
                condition=~Q(kind="placement") | ~Q(employer=""),
                name="employmentmeasure_placement_has_employer",
            ),
            # A voided registration (recorded by mistake) leaves room for the right one.
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(kind="registration", voided_at__isnull=True),
                name="employmentmeasure_one_registration",
            ),
            *void_constraints("employmentmeasure"),
        ]


class PartnerConsultation(Correctable):
    """The NGO and one partner consult on the victim's needs (docs/domain.md); both sides read
    it."""

    referral = models.ForeignKey(PartnerReferral, on_delete=models.CASCADE, related_name="consultations")
    held_on = models.DateField(_("date"))
    participants = models.CharField(_("participants"), max_length=500)
    topic = models.CharField(_("topic"), max_length=300)
    recommendations = models.TextField(_("recommendations"), blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("consultation with a partner")
        verbose_name_plural = _("consultations with partners")
        ordering = ["held_on", "pk"]
        constraints = [*void_constraints("partnerconsultation")]
