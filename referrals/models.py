"""Stage 1: a first responder's referral of a possible victim, and its intake by the mandated NGO.

Without the person's consent a referral is an anonymous notification: it carries nothing that
identifies the person (the database refuses it), counts in statistics and never opens a case.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from cases.models import Person

ANONYMOUS_HAS_IDENTITY = _(
    "Without the person's consent, leave out the name, other names, date of birth and contact: "
    "the referral is then recorded as an anonymous notification."
)
EXACT_OR_ESTIMATED_AGE = _("Give either the date of birth or an estimated age, not both.")

# The fields that identify a person: none of them is kept without consent.
IDENTIFYING_FIELDS = (
    "given_name",
    "family_name",
    "other_names",
    "date_of_birth",
    "phone",
    "email",
    "address",
)


class Indicator(models.TextChoices):
    """Methods of control, after the Human Trafficking Case Data Standard."""

    DEBT_BONDAGE = "debt_bondage", _("Debt bondage")
    WITHHELD_DOCUMENTS = "withheld_documents", _("Identity or travel documents withheld")
    THREATS_VIOLENCE = "threats_violence", _("Threats or violence")
    RESTRICTED_MOVEMENT = "restricted_movement", _("Restricted movement")
    ISOLATION = "isolation", _("Isolation")
    FALSE_PROMISES = "false_promises", _("False promises or deception")
    EXCESSIVE_HOURS = "excessive_hours", _("Excessive working hours")
    PSYCHOLOGICAL_ABUSE = "psychological_abuse", _("Psychological abuse")
    CONFISCATED_EARNINGS = "confiscated_earnings", _("Earnings confiscated")
    OTHER = "other", _("Other (describe below)")


class Exploitation(models.TextChoices):
    SEXUAL = "sexual", _("Sexual exploitation")
    FORCED_LABOUR = "forced_labour", _("Forced labour")
    FORCED_CRIMINALITY = "forced_criminality", _("Forced criminality")
    BEGGING = "begging", _("Forced begging")
    MARRIAGE = "marriage", _("Forced or sham marriage")
    ORGAN_REMOVAL = "organ_removal", _("Organ removal")
    OTHER = "other", _("Other")


class UrgentNeed(models.TextChoices):
    SHELTER = "shelter", _("Shelter")
    MEDICAL_CARE = "medical_care", _("Medical care")
    INTERPRETER = "interpreter", _("Interpreter")
    SAFETY = "safety", _("Safety")
    RETURN_FROM_ABROAD = "return_from_abroad", _("Return from abroad")


class Informed(models.TextChoices):
    """Who was told of a child's referral made without the child's own consent."""

    PARENT = "parent", _("A parent")
    GUARDIAN = "guardian", _("The guardian")
    ORPHANS_COURT = "orphans_court", _("The orphan's court (bāriņtiesa)")
    POLICE = "police", _("The State Police")
    OTHER = "other", _("Someone else (say who below)")


# Referred with the person's identity: on their consent, or a child's without it. Anonymous: the
# person did not consent and is not referred as a child.
IDENTIFIED = Q(consent=True) | Q(child_without_consent=True)
ANONYMOUS = Q(consent=False, child_without_consent=False)


class Referral(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    # The same choices as the person the referral becomes (one list, one translation).
    Sex = Person.Sex

    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    # The referrer: their organisation sees the referral, nobody else of theirs.
    organisation = models.ForeignKey(
        "cases.Organisation",
        verbose_name=_("referring organisation"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("referred by"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )

    # What is known of the person; partial is normal.
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    other_names = models.CharField(_("other names used"), max_length=200, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    estimated_age = models.PositiveSmallIntegerField(_("estimated age"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    citizenships = CountryField(_("citizenships"), multiple=True, blank=True)
    languages = models.CharField(_("languages"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("where the person can be reached"), max_length=300, blank=True)

    # Where and when the person was met, and what was observed.
    met_on = models.DateField(_("met on"), null=True, blank=True)
    met_place = models.CharField(_("place where the person was met"), max_length=200, blank=True)
    indicators = models.JSONField(_("indicators observed"), default=list, blank=True)
    indicators_notes = models.TextField(_("what was observed"), blank=True)
    forms_of_exploitation = models.JSONField(_("suspected forms of exploitation"), default=list, blank=True)
    country_of_exploitation = CountryField(_("country of exploitation"), blank=True)
    urgent_needs = models.JSONField(_("urgent needs"), default=list, blank=True)
    # None while a draft has not answered the question yet.
    consent = models.BooleanField(_("the person consents to being referred"), null=True, blank=True)
    # A child is referred without their own consent and never becomes an anonymous notification;
    # the referral then records who was informed (docs/privacy.md).
    child_without_consent = models.BooleanField(
        _("a child referred without the child's own consent"), default=False
    )
    informed = models.JSONField(_("who was informed"), default=list, blank=True)
    informed_details = models.TextField(_("who was informed, and when"), blank=True)

    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, db_index=True)
    # The intake decision, by a coordinator of a mandated NGO.
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    intake_organisation = models.ForeignKey(
        "cases.Organisation", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="referrals",
        null=True,
        blank=True,
    )
    person = models.ForeignKey(
        "cases.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="referrals",
        null=True,
        blank=True,
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(consent=False)
                | Q(child_without_consent=True)
                | (
                    Q(given_name="", family_name="", other_names="", phone="", email="", address="")
                    & Q(date_of_birth__isnull=True)
                ),
                name="referral_anonymous_has_no_identity",
                violation_error_message=ANONYMOUS_HAS_IDENTITY,
            ),
            models.CheckConstraint(
                condition=Q(date_of_birth__isnull=True) | Q(estimated_age__isnull=True),
                name="referral_exact_or_estimated_age",
                violation_error_message=EXACT_OR_ESTIMATED_AGE,
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | (Q(case__isnull=False) & IDENTIFIED),
                name="referral_accepted_has_case",
            ),
            models.CheckConstraint(
                condition=Q(child_without_consent=False) | Q(consent=False),
                name="referral_child_without_consent_is_not_consent",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="referral_declined_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="referral_submitted_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "-created_at"], name="referral_org_created_idx"),
            models.Index(fields=["status", "submitted_at"], name="referral_status_submitted_idx"),
            # The intake coordinator's latest decisions (docs/performance.md).
            models.Index(
                fields=["intake_organisation", "-decided_at", "-id"], name="referral_intake_decided_idx"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Referral %(id)s") % {"id": self.pk})

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("referrals:detail", kwargs={"pk": self.pk})

    @property
    def is_anonymous(self) -> bool:
        return self.consent is False and not self.child_without_consent

    @property
    def is_identified(self) -> bool:
        """Referred with the person's identity: on their consent, or a child's without it."""
        return self.consent is True or self.child_without_consent

    @property
    def informed_labels(self) -> list[str]:
        return self._labels(self.informed, Informed.choices)

    @property
    def display_name(self) -> str:
        if self.is_anonymous:
            return str(_("Anonymous notification"))
        name = f"{self.given_name} {self.family_name}".strip()
        return name or str(_("Name unknown"))

    @property
    def is_presumed_child(self) -> bool:
        """Under 18 by the date of birth or the estimated age given: flagged to the coordinator at
        intake (a child needs a legal representative on record)."""
        if self.estimated_age is not None:
            return self.estimated_age < 18
        if self.date_of_birth is not None:
            day = (
                (self.submitted_at or self.created_at).date()
                if (self.submitted_at or self.created_at)
                else None
            )
            if day is None:
                return False
            born = self.date_of_birth
            return day.year - born.year - ((day.month, day.day) < (born.month, born.day)) < 18
        return False

    def _labels(self, values, choices) -> list[str]:
        labels = dict(choices)
        return [str(labels.get(v, v)) for v in values or []]

    @property
    def indicator_labels(self) -> list[str]:
        return self._labels(self.indicators, Indicator.choices)

    @property
    def exploitation_labels(self) -> list[str]:
        return self._labels(self.forms_of_exploitation, Exploitation.choices)

    @property
    def urgent_need_labels(self) -> list[str]:
        return self._labels(self.urgent_needs, UrgentNeed.choices)


class ReferralAccess(models.Model):
    """Who read which referral, when and how: every page, list row and API answer showing one.

    Like the case read log (cases.CaseAccess), with the reader's name and organisation as they
    were then; a list records every referral it shows in one insert.
    """

    class Kind(models.TextChoices):
        VIEW = "view", _("Viewed the referral")
        LIST = "list", _("Saw it in a list")
        API = "api", _("Read through the API")

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "cases.Organisation", on_delete=models.PROTECT, null=True, related_name="+"
    )
    reader_name = models.CharField(_("reader"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.VIEW)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("referral access")
        verbose_name_plural = _("referral accesses")
        ordering = ["-at"]
        indexes = [models.Index(fields=["referral", "-at"], name="referralaccess_referral_at_idx")]
