"""The ground floor: organisations, users and their roles, people, cases, assignments, access.

Stage apps (referrals, services, reintegration) import from here; this module imports none of
them. Every model keeps its history (django-simple-history) with the acting user.
"""

import datetime
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords
from unidecode import unidecode

# EU member states, the other EEA states and Switzerland: their citizens are not third-country
# nationals (residence permits and the reflection period apply only to the others).
EU_EEA_CH = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "IS",
        "LI",
        "NO",
        "CH",
    ]
)
LATVIA = "LV"


def normalise_name(value: str) -> str:
    """Lower-case Latin letters, for search and duplicate detection: diacritics dropped and other
    scripts transliterated by Unidecode (Bērziņa -> berzina, Łukasz -> lukasz, Søren -> soren,
    Strauß -> strauss, Đorđe -> dorde, Оксана -> oksana), spaces collapsed.

    Stored on Person.search_name; a change here needs a migration that recomputes it."""
    return " ".join(unidecode(value or "").lower().split())


class Role(models.TextChoices):
    FIRST_RESPONDER = "first_responder", _("First responder")
    CASEWORKER = "caseworker", _("NGO caseworker")
    COORDINATOR = "coordinator", _("NGO coordinator")
    MUNICIPAL_SOCIAL_WORKER = "municipal_social_worker", _("Municipal social worker")
    EMPLOYMENT_OFFICER = "employment_officer", _("Employment officer")
    NATIONAL_COORDINATOR = "national_coordinator", _("National coordinator")
    SYSTEM_ADMINISTRATOR = "system_administrator", _("System administrator")
    # Not a person: an account another system uses through API tokens (accounts/services.py).
    SERVICE_ACCOUNT = "service_account", _("Service account (API tokens)")


class Organisation(models.Model):
    class Kind(models.TextChoices):
        POLICE = "police", _("State police")
        BORDER_GUARD = "border_guard", _("State border guard")
        CONSULAR = "consular", _("Consular service")
        MUNICIPAL_SOCIAL_SERVICE = "municipal_social_service", _("Municipal social service")
        NGO_LATVIAN = "ngo_latvian", _("Latvian NGO")
        NGO_FOREIGN = "ngo_foreign", _("Foreign NGO")
        MANDATED_NGO = "mandated_ngo", _("Mandated NGO")
        EMPLOYMENT_AGENCY = "employment_agency", _("State Employment Agency")
        MINISTRY_INTERIOR = "ministry_interior", _("Ministry of the Interior")
        OTHER_SPECIALIST = "other_specialist", _("Other specialists (with training)")

    # Which roles a member of each kind of organisation may hold. A member of an organisation of
    # kind OTHER_SPECIALIST refers victims only while holding a valid training record (docs/domain.md, "Roles").
    ROLES_BY_KIND = {
        Kind.POLICE: {Role.FIRST_RESPONDER, Role.SYSTEM_ADMINISTRATOR},
        Kind.BORDER_GUARD: {Role.FIRST_RESPONDER, Role.SYSTEM_ADMINISTRATOR},
        Kind.CONSULAR: {Role.FIRST_RESPONDER, Role.SYSTEM_ADMINISTRATOR},
        Kind.MUNICIPAL_SOCIAL_SERVICE: {
            Role.FIRST_RESPONDER,
            Role.MUNICIPAL_SOCIAL_WORKER,
            Role.SYSTEM_ADMINISTRATOR,
        },
        Kind.NGO_LATVIAN: {Role.FIRST_RESPONDER, Role.SYSTEM_ADMINISTRATOR},
        Kind.NGO_FOREIGN: {Role.FIRST_RESPONDER, Role.SYSTEM_ADMINISTRATOR},
        Kind.MANDATED_NGO: {Role.CASEWORKER, Role.COORDINATOR, Role.SYSTEM_ADMINISTRATOR},
        Kind.EMPLOYMENT_AGENCY: {Role.EMPLOYMENT_OFFICER, Role.SYSTEM_ADMINISTRATOR},
        Kind.MINISTRY_INTERIOR: {Role.NATIONAL_COORDINATOR, Role.SYSTEM_ADMINISTRATOR},
        Kind.OTHER_SPECIALIST: {Role.FIRST_RESPONDER, Role.SYSTEM_ADMINISTRATOR},
    }
    FIRST_RESPONDER_KINDS = frozenset(
        {
            Kind.POLICE,
            Kind.BORDER_GUARD,
            Kind.CONSULAR,
            Kind.MUNICIPAL_SOCIAL_SERVICE,
            Kind.NGO_LATVIAN,
            Kind.NGO_FOREIGN,
        }
    )

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    municipality = models.CharField(
        _("municipality"), max_length=100, blank=True, help_text=_("For a municipal social service.")
    )
    country = CountryField(_("country"), blank=True, help_text=_("For a foreign NGO or a consular service."))
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="municipal_social_service") | ~Q(municipality=""),
                name="organisation_municipal_service_has_municipality",
                violation_error_message=_("A municipal social service needs its municipality."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="ngo_foreign") | ~Q(country=""),
                name="organisation_foreign_ngo_has_country",
                violation_error_message=_("A foreign NGO needs its country."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="members",
        null=True,
        blank=True,
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


ROLE_NOT_FOR_KIND = _("A member of %(kind)s cannot hold the role %(role)s.")


class UserRole(models.Model):
    """A role a user holds in their organisation; a user may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    # A role that reads case files, granted through the admin, waits for a second person's
    # approval (accounts.services.role_grant_approve); until then it counts for nothing.
    pending = models.BooleanField(_("awaiting approval"), default=False)
    requested_by = models.ForeignKey(
        User,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        User, verbose_name=_("approved by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    history = HistoricalRecords()

    # The roles that read case files: granting one, or moving its holder, needs approval.
    PRIVILEGED = frozenset(
        {Role.CASEWORKER, Role.COORDINATOR, Role.NATIONAL_COORDINATOR, Role.SERVICE_ACCOUNT}
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="user_role_unique")]

    def __str__(self) -> str:
        return self.get_role_display()

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        org = self.user.organisation if self.user_id else None
        if org is None:
            raise ValidationError(_("A user needs an organisation before they can hold a role."))
        if self.role != Role.SERVICE_ACCOUNT and self.role not in Organisation.ROLES_BY_KIND[org.kind]:
            raise ValidationError(
                ROLE_NOT_FOR_KIND % {"kind": org.get_kind_display(), "role": self.get_role_display()}
            )


class TrainingRecord(models.Model):
    """Training in recognising trafficking: makes a specialist of another kind a first responder."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="training_records")
    title = models.CharField(_("course"), max_length=200)
    provider = models.CharField(_("provider"), max_length=200)
    completed_on = models.DateField(_("completed on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True, help_text=_("Empty: no expiry."))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["-completed_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("completed_on")),
                name="training_valid_after_completion",
                violation_error_message=_("A training record cannot expire before it was completed."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.completed_on:%Y-%m-%d})"

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.completed_on <= day and (self.valid_until is None or day <= self.valid_until)


class Person(models.Model):
    """What is known of a (presumed) victim; often partial."""

    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other")
        UNKNOWN = "unknown", _("Unknown")

    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    other_names = models.CharField(_("other names used"), max_length=200, blank=True)
    # Derived from the names (lower case, without diacritics), for search and duplicates.
    search_name = models.CharField(max_length=400, blank=True, editable=False, db_index=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    estimated_age = models.PositiveSmallIntegerField(_("estimated age"), null=True, blank=True)
    estimated_age_on = models.DateField(_("age estimated on"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    citizenships = CountryField(_("citizenships"), multiple=True, blank=True)
    stateless = models.BooleanField(_("stateless"), default=False)
    languages = models.CharField(_("languages"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.TextField(_("address"), blank=True)
    # How to reach the person without endangering them; shown wherever a contact detail shows.
    safe_contact_instructions = models.TextField(_("safe-contact instructions"), blank=True)
    # The person's id in the system a mandated NGO brought its caseload from (docs/import.md):
    # unique per importing organisation, so that running an import again creates no duplicate.
    external_id = models.CharField(_("id in the previous system"), max_length=64, blank=True, default="")
    external_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["search_name"])

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.CheckConstraint(
                condition=Q(date_of_birth__isnull=True) | Q(estimated_age__isnull=True),
                name="person_exact_or_estimated_age",
                violation_error_message=_("Give either the date of birth or an estimated age, not both."),
            ),
            models.CheckConstraint(
                condition=Q(estimated_age__isnull=True) | Q(estimated_age_on__isnull=False),
                name="person_estimated_age_has_date",
                violation_error_message=_("An estimated age needs the date it was estimated on."),
            ),
            models.UniqueConstraint(
                fields=["external_organisation", "external_id"],
                condition=~Q(external_id=""),
                name="person_external_id_unique_per_org",
                violation_error_message=_("Another person already has this id from the previous system."),
            ),
            models.CheckConstraint(
                condition=Q(external_id="") | Q(external_organisation__isnull=False),
                name="person_external_id_has_org",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A derived column that must never drift from the names, whoever writes the row.
        self.search_name = normalise_name(f"{self.given_name} {self.family_name} {self.other_names}")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        name = f"{self.given_name} {self.family_name}".strip()
        return name or str(_("Name unknown"))

    def age_on(self, day: datetime.date) -> int | None:
        if self.date_of_birth:
            born = self.date_of_birth
            return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        if self.estimated_age is not None and self.estimated_age_on:
            years = (
                day.year
                - self.estimated_age_on.year
                - ((day.month, day.day) < (self.estimated_age_on.month, self.estimated_age_on.day))
            )
            return self.estimated_age + max(years, 0)
        return None

    @property
    def age(self) -> int | None:
        return self.age_on(timezone.localdate())

    @property
    def age_is_estimated(self) -> bool:
        return self.date_of_birth is None and self.estimated_age is not None

    def is_minor_on(self, day: datetime.date) -> bool | None:
        age = self.age_on(day)
        return None if age is None else age < 18

    @property
    def is_minor(self) -> bool | None:
        return self.is_minor_on(timezone.localdate())

    @property
    def is_third_country_national(self) -> bool | None:
        """True without any EU/EEA/Swiss citizenship; None while citizenship is unknown."""
        codes = {c.code for c in self.citizenships}
        if codes & EU_EEA_CH:
            return False
        if codes or self.stateless:
            return True
        return None


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low risk")
    MEDIUM = "medium", _("Medium risk")
    HIGH = "high", _("High risk")


class Case(models.Model):
    """One episode of one person in the National Referral Mechanism."""

    class Stage(models.TextChoices):
        REFERRAL = "referral", _("Referral")
        IDENTIFICATION = "identification", _("Identification")
        REHABILITATION = "rehabilitation", _("Rehabilitation")
        REINTEGRATION = "reintegration", _("Reintegration")
        # The course is over and the rest of the case is concluded: only the post-course
        # consultations of the two years after the course remain (docs/lifecycle.md).
        FOLLOW_UP = "follow_up", _("Post-course follow-up")
        CLOSED = "closed", _("Closed")

    class VictimStatus(models.TextChoices):
        PRESUMED = "presumed", _("Presumed victim")
        IDENTIFIED = "identified", _("Identified victim")
        NOT_IDENTIFIED = "not_identified", _("Not identified")

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(editable=False)
    number = models.PositiveIntegerField(editable=False)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="cases"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("mandated NGO"),
        on_delete=models.PROTECT,
        related_name="cases",
        limit_choices_to={"kind": Organisation.Kind.MANDATED_NGO},
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.IDENTIFICATION)
    victim_status = models.CharField(
        _("victim status"), max_length=20, choices=VictimStatus.choices, default=VictimStatus.PRESUMED
    )
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.TextField(_("reason for closing"), blank=True)
    # The level of the latest risk assessment, kept here by the safety capability's service so
    # that the ground floor can decide who sees the contact details (cases.permissions).
    risk_level = models.CharField(
        _("risk level"), max_length=10, choices=RiskLevel.choices, blank=True, default=""
    )
    # The case's id in the system the NGO brought its caseload from (docs/import.md).
    external_id = models.CharField(
        _("id in the previous system"), max_length=64, blank=True, default="", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_on", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="case_year_number_unique"),
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=~Q(external_id=""),
                name="case_external_id_unique_per_org",
            ),
            models.CheckConstraint(
                condition=Q(stage="closed", closed_at__isnull=False)
                | (~Q(stage="closed") & Q(closed_at__isnull=True)),
                name="case_closed_iff_closed_at",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "stage"], name="case_org_stage_idx"),
            # The lists' order, whole and per NGO: the first page reads 25 rows of an index
            # (docs/performance.md). Trigram indexes for the search: migration 0010.
            models.Index(fields=["-opened_on", "-number"], name="case_list_order_idx"),
            models.Index(fields=["organisation", "-opened_on", "-number"], name="case_org_list_order_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("cases:detail", kwargs={"reference": self.reference})

    @property
    def is_open(self) -> bool:
        return self.stage != self.Stage.CLOSED


# The stages a case may move to from each stage; only services change a stage, and only along
# these edges (docs/lifecycle.md). The events move a case along them (cases.services.
# case_stage_follow), a coordinator by hand with a reason (case_move_to_stage); into and out of
# "closed" only closing and reopening lead.
STAGE_TRANSITIONS: dict[str, set[str]] = {
    Case.Stage.REFERRAL: {Case.Stage.IDENTIFICATION, Case.Stage.CLOSED},
    Case.Stage.IDENTIFICATION: {Case.Stage.REHABILITATION, Case.Stage.REINTEGRATION, Case.Stage.CLOSED},
    Case.Stage.REHABILITATION: {Case.Stage.REINTEGRATION, Case.Stage.FOLLOW_UP, Case.Stage.CLOSED},
    Case.Stage.REINTEGRATION: {
        Case.Stage.IDENTIFICATION,
        Case.Stage.REHABILITATION,
        Case.Stage.FOLLOW_UP,
        Case.Stage.CLOSED,
    },
    Case.Stage.FOLLOW_UP: {Case.Stage.REHABILITATION, Case.Stage.REINTEGRATION, Case.Stage.CLOSED},
    Case.Stage.CLOSED: {Case.Stage.IDENTIFICATION, Case.Stage.REHABILITATION, Case.Stage.REINTEGRATION},
}
VICTIM_STATUS_TRANSITIONS: dict[str, set[str]] = {
    Case.VictimStatus.PRESUMED: {Case.VictimStatus.IDENTIFIED, Case.VictimStatus.NOT_IDENTIFIED},
    Case.VictimStatus.NOT_IDENTIFIED: {Case.VictimStatus.PRESUMED},
    Case.VictimStatus.IDENTIFIED: set(),
}
ALLOWED_TRANSITIONS = STAGE_TRANSITIONS


class StageChange(models.Model):
    """One move of a case's stage and the event that moved it: the case's stage history.

    Written by the one service that changes a stage (cases.services), in the same transaction as
    the event. A manual move or the start of the follow-up is a decision a person took with a
    reason; the others follow from the records (docs/lifecycle.md).
    """

    class Event(models.TextChoices):
        OPENED = "opened", _("Case opened")
        REFERRAL_ACCEPTED = "referral_accepted", _("Referral accepted")
        IDENTIFICATION_APPROVED = "identification_approved", _("Identification approved")
        ONWARD_REFERRAL = "onward_referral", _("Referred onward to a partner")
        ONWARD_REFERRAL_WITHDRAWN = "onward_referral_withdrawn", _("Onward referral withdrawn")
        FOLLOW_UP_STARTED = "follow_up_started", _("Post-course follow-up started")
        MANUAL = "manual", _("Moved by a coordinator")
        CLOSED = "closed", _("Case closed")
        REOPENED = "reopened", _("Case reopened")
        ALIGNED = "aligned", _("Brought into line with its records")

    # The events that are a person's decision rather than a consequence of the records.
    DECISIONS = frozenset({Event.MANUAL, Event.FOLLOW_UP_STARTED})

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(_("from stage"), max_length=20, choices=Case.Stage.choices, blank=True)
    to_stage = models.CharField(_("to stage"), max_length=20, choices=Case.Stage.choices)
    event = models.CharField(_("event"), max_length=30, choices=Event.choices)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        User, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["case", "-at"], name="stagechange_case_at_idx")]

    def __str__(self) -> str:
        return f"{self.get_from_stage_display()} → {self.get_to_stage_display()}"


class CaseTransfer(models.Model):
    """A case handed over to another mandated NGO: proposed by the sending NGO's coordinator,
    accepted (or declined) by the receiving NGO's coordinator (docs/lifecycle.md)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="transfers")
    from_organisation = models.ForeignKey(
        Organisation, verbose_name=_("from"), on_delete=models.PROTECT, related_name="+"
    )
    to_organisation = models.ForeignKey(
        Organisation, verbose_name=_("to"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED)
    reason = models.TextField(_("reason for the transfer"))
    proposed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("case transfer")
        verbose_name_plural = _("case transfers")
        ordering = ["-proposed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="proposed"), name="casetransfer_one_open_per_case"
            ),
            models.CheckConstraint(
                condition=~Q(from_organisation=models.F("to_organisation")),
                name="casetransfer_to_another_ngo",
            ),
        ]
        indexes = [models.Index(fields=["to_organisation", "status"], name="casetransfer_to_status_idx")]


class CaseAssignment(models.Model):
    """A caseworker assigned to a case; ending it revokes their object permissions."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        User, verbose_name=_("caseworker"), on_delete=models.PROTECT, related_name="assignments"
    )
    assigned_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user"],
                condition=Q(ended_at__isnull=True),
                name="assignment_one_active_per_user",
            )
        ]
        indexes = [models.Index(fields=["user", "case"], name="assignment_user_case_idx")]


# django-guardian with direct foreign keys: the generic tables do not scale (docs/decisions.md).
class CaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)
    history = HistoricalRecords()

    class Meta(UserObjectPermissionBase.Meta):
        indexes = [
            models.Index(fields=["user", "content_object"], name="caseuserperm_user_case_idx"),
            models.Index(fields=["content_object", "user"], name="caseuserperm_case_user_idx"),
        ]


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)
    history = HistoricalRecords()

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [
            models.Index(fields=["group", "content_object"], name="casegroupperm_group_case_idx"),
            models.Index(fields=["content_object", "group"], name="casegroupperm_case_group_idx"),
        ]


class CaseAccess(models.Model):
    """Who saw whose file, and when: every view of a case file and every download."""

    class Kind(models.TextChoices):
        VIEW = "view", _("Viewed the case file")
        API = "api", _("Read through the API")
        PDF = "pdf", _("Downloaded the PDF summary")
        NARROW = "narrow", _("Viewed a partner's narrow view")
        SUBJECT_ACCESS = "subject", _("Exported for the person (subject access)")
        EMERGENCY = "emergency", _("Opened in an emergency")
        LIST = "list", _("Saw it in a list")
        DOWNLOAD = "download", _("Downloaded a document")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="case_accesses")
    # The organisation at the time: a user may move on, the record must not.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, related_name="+")
    # The reader's name at the time: "who saw this file" must not change when an account is renamed.
    reader_name = models.CharField(_("reader"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.VIEW)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("case access")
        verbose_name_plural = _("case accesses")
        ordering = ["-at"]
        indexes = [models.Index(fields=["case", "-at"], name="caseaccess_case_at_idx")]


class Alert(models.Model):
    """A warning or an expiry raised by a periodic job, shown on the case and on the assigned
    caseworkers' dashboards until acknowledged, and e-mailed once (a link, no personal data).

    One row per (case, kind, due date): the job inserts with ON CONFLICT DO NOTHING, so running it
    twice raises nothing the second time.
    """

    class Kind(models.TextChoices):
        COURSE_ENDS_SOON = "course_ends_soon", _("The rehabilitation course ends soon")
        COURSE_LIMIT_REACHED = "course_limit_reached", _("The rehabilitation course reached its 180 days")
        # xgettext:no-python-format
        COURT_HOURS_80 = "court_hours_80", _("80 % of the court-support hours are used")
        COURT_HOURS_100 = "court_hours_100", _("All 150 court-support hours are used")
        REFLECTION_ENDS_SOON = "reflection_ends_soon", _("The reflection period ends soon")
        REFLECTION_ENDED = "reflection_ended", _("The reflection period has ended")
        PERMIT_EXPIRES_SOON = "permit_expires_soon", _("The residence permit expires soon")
        RISK_REVIEW_OVERDUE = "risk_review_overdue", _("The risk assessment is due for review")
        HIGH_RISK_NO_PLAN = "high_risk_no_plan", _("A high-risk case has no safety plan")
        FOLLOW_UP_ENDED = "follow_up_ended", _("The post-course follow-up has ended: the case can be closed")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    due_on = models.DateField(_("due on"))
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        User,
        verbose_name=_("acknowledged by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-due_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "due_on"], name="alert_case_kind_due_unique"),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True, acknowledged_by__isnull=True)
                | Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False),
                name="alert_acknowledged_with_user",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "acknowledged_at"], name="alert_case_ack_idx"),
            models.Index(
                fields=["notified_at"], name="alert_notified_idx", condition=Q(notified_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.due_on:%Y-%m-%d})"


class LegalRepresentative(models.Model):
    """Who acts for a minor (known or estimated under 18): a parent, a guardian, or the orphan's
    court (bāriņtiesa) by its decision. Shown to those who work the case (docs/privacy.md)."""

    class Kind(models.TextChoices):
        PARENT = "parent", _("Parent")
        GUARDIAN = "guardian", _("Guardian")
        ORPHANS_COURT = "orphans_court", _("Orphan's court (bāriņtiesa)")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="legal_representatives"
    )
    kind = models.CharField(_("legal representative"), max_length=16, choices=Kind.choices)
    name = models.CharField(
        _("name"), max_length=200, help_text=_("The person's name, or the orphan's court's name.")
    )
    contact = models.CharField(_("contact"), max_length=300, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    end_reason = models.TextField(_("reason for ending"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("legal representative")
        verbose_name_plural = _("legal representatives")
        ordering = ["ended_at", "-recorded_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="legalrep_has_name"),
            models.CheckConstraint(
                condition=~Q(kind="orphans_court")
                | (~Q(decision_number="") & Q(decision_date__isnull=False)),
                name="legalrep_orphans_court_has_decision",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | ~Q(end_reason=""), name="legalrep_ended_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"

    @property
    def is_current(self) -> bool:
        return self.ended_at is None


class FigureSnapshot(models.Model):
    """Figures a periodic job precomputes (cases/snapshots.py): what a page would otherwise
    aggregate over a whole NGO or the whole country on every request (docs/performance.md).

    Derived data, replaced on every refresh; its history records when each was computed (the
    figures themselves are not copied into it)."""

    kind = models.CharField(_("kind"), max_length=40)
    # None: the whole country (the national coordinator's figures).
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    # The figures' labels are translated when they are computed: one snapshot per language.
    language = models.CharField(_("language"), max_length=10, blank=True)
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period to"), null=True, blank=True)
    data = models.JSONField(_("figures"), encoder=DjangoJSONEncoder)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    took_ms = models.PositiveIntegerField(_("computing took (ms)"), default=0)
    history = HistoricalRecords(excluded_fields=["data"])

    class Meta:
        verbose_name = _("figure snapshot")
        verbose_name_plural = _("figure snapshots")
        indexes = [
            models.Index(
                fields=["kind", "organisation", "language", "-computed_at"], name="snapshot_lookup_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.computed_at:%Y-%m-%d %H:%M})"


# --- corrections and voids of the entries the stages record ----------------------------------


class CorrectableQuerySet[M: models.Model](models.QuerySet[M]):
    def counted(self) -> "CorrectableQuerySet[M]":
        """The entries that count: a voided entry counts toward no limit and no total."""
        return self.filter(voided_at__isnull=True)


class Correctable(models.Model):
    """An entry a stage records (court-support hours, a consultation, assistance ...) that can be
    corrected, or voided with a reason, by whoever may write it (cases.corrections). A voided row
    stays, with its history, but counts toward no limit and no total (docs/decisions.md,
    "Corrections and voids")."""

    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True, editable=False)
    voided_by = models.ForeignKey(
        User,
        verbose_name=_("voided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    void_reason = models.TextField(_("reason for voiding"), blank=True, editable=False)
    corrected_at = models.DateTimeField(_("last corrected at"), null=True, blank=True, editable=False)

    objects = CorrectableQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None


def void_constraints(prefix: str) -> list[models.CheckConstraint]:
    """The database's half of a void: who, when and why, all three or none."""
    return [
        models.CheckConstraint(
            condition=Q(voided_at__isnull=True, voided_by__isnull=True, void_reason="")
            | (Q(voided_at__isnull=False, voided_by__isnull=False) & ~Q(void_reason="")),
            name=f"{prefix}_void_complete",
        )
    ]


class EntryCorrection(models.Model):
    """One correction or void of a stage's entry: the case timeline shows it; the entry's own
    history keeps both versions and the actor."""

    class Action(models.TextChoices):
        CORRECTED = "corrected", _("Corrected")
        VOIDED = "voided", _("Voided")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="entry_corrections")
    kind = models.CharField(_("kind of entry"), max_length=40)
    object_id = models.PositiveBigIntegerField()
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    # The names of the fields that changed (never their values: the timeline may be read by
    # someone who may not read the entry's notes).
    fields = models.JSONField(default=list, blank=True)
    reason = models.TextField(_("reason"))
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("correction of an entry")
        verbose_name_plural = _("corrections of entries")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["case", "at"], name="entrycorrection_case_at_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="entrycorrection_has_reason"),
        ]
