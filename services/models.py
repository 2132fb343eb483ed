"""Stage 2: identification, criminal proceedings, assistance, reflection period, residence permit.

Every model keeps its history (django-simple-history) with the acting user. Only the services
write these rows; cases/ never imports this module.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from cases import periods
from cases.models import Case, Correctable, User, void_constraints

# Messages of the one-row checks (Model.clean); the tests reuse them.
FIELD_NEEDED_FOR_GROUND = _("Enter the %(field)s; the %(ground)s needs it.")
FIELD_OF_ANOTHER_GROUND = _(
    "Leave the %(field)s empty: it belongs to another ground, and an identification stands on exactly one."
)
MEMBERS_NEEDED = _("List the members of the Commission of experts, each with their profession.")
MEMBER_INCOMPLETE = _(
    "Give both the name and the profession of every member of the Commission (member %(n)s is incomplete)."
)
NOT_IDENTIFIED_NEEDS_REASON = _("Give the reason why the person is not identified.")
RETURN_NEEDS_REASON = _(
    "Give the reason for returning the proposal, so that the caseworker knows what to change."
)
ENDS_BEFORE_START = _("The end date cannot be before the start date.")
COMPENSATION_ONLY = _("A claim, an amount and a claim status belong to compensation only.")
HEARING_NEEDS_DATE = _("Enter the date of the hearing.")
PERMIT_STEP_ORDER = _("Record the earlier steps first: %(step)s.")
PERMIT_GRANTED_NEEDS = _(
    "A granted permit needs its number, the decision date and its validity (from and until)."
)
PERMIT_VALIDITY_ORDER = _("The permit cannot be valid until a day before it becomes valid.")


class Ground(models.TextChoices):
    # The three grounds of identification (docs/domain.md, "The stages").
    CRIMINAL_PROCEDURE_DECISION = (
        "criminal_procedure_decision",
        _("decision of the performer of the criminal procedure"),
    )
    LAW_ENFORCEMENT_STATEMENT = "law_enforcement_statement", _("statement of a law-enforcement institution")
    EXPERT_COMMISSION_REPORT = "expert_commission_report", _("assessment report of the Commission of experts")


# The document fields each ground needs, and only that ground may fill.
GROUND_FIELDS: dict[str, tuple[str, ...]] = {
    Ground.CRIMINAL_PROCEDURE_DECISION: ("cp_case_number", "cp_date", "cp_body"),
    Ground.LAW_ENFORCEMENT_STATEMENT: ("le_institution", "le_country", "le_number", "le_date"),
    Ground.EXPERT_COMMISSION_REPORT: ("commission_date", "commission_members"),
}
ALL_GROUND_FIELDS = tuple(f for fields in GROUND_FIELDS.values() for f in fields)
_DATE_FIELDS = {"cp_date", "le_date", "commission_date"}


def _filled(name: str) -> Q:
    return Q(**{f"{name}__isnull": False}) if name in _DATE_FIELDS else ~Q(**{name: ""})


def _empty(name: str) -> Q:
    return Q(**{f"{name}__isnull": True}) if name in _DATE_FIELDS else Q(**{name: ""})


def _ground_condition() -> Q:
    """Exactly one ground: its own document fields filled, every other ground's empty.

    The Commission's member list is a JSON list, checked in clean(); the database checks its date.
    """
    condition = Q()
    first = True
    for ground, fields in GROUND_FIELDS.items():
        branch = Q(ground=ground)
        for name in fields:
            if name != "commission_members":
                branch &= _filled(name)
        for other, other_fields in GROUND_FIELDS.items():
            if other != ground:
                for name in other_fields:
                    if name != "commission_members":
                        branch &= _empty(name)
        condition = branch if first else condition | branch
        first = False
    return condition


class Identification(models.Model):
    """A proposal to identify the person as a victim, and the coordinator's decision on it.

    A returned proposal stays as it was (with the reason); the caseworker makes a new one. At most
    one proposal per case is open or approved at a time.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed, awaiting review")
        RETURNED = "returned", _("Returned")
        APPROVED = "approved", _("Approved")

    class Outcome(models.TextChoices):
        IDENTIFIED = "identified", _("Identified as a victim")
        NOT_IDENTIFIED = "not_identified", _("Not identified")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="identifications"
    )
    ground = models.CharField(_("ground"), max_length=40, choices=Ground.choices)
    outcome = models.CharField(
        _("outcome"),
        max_length=20,
        choices=Outcome.choices,
        default=Outcome.IDENTIFIED,
        help_text=_("What the document concludes; for the Commission of experts, its conclusion."),
    )
    outcome_reason = models.TextField(_("reason (not identified)"), blank=True)
    # A decision of the performer of the criminal procedure.
    cp_case_number = models.CharField(_("criminal case number"), max_length=100, blank=True)
    cp_date = models.DateField(_("date of the decision"), null=True, blank=True)
    cp_body = models.CharField(_("body that took the decision"), max_length=200, blank=True)
    # A statement of a law-enforcement institution, Latvian or foreign.
    le_institution = models.CharField(_("law-enforcement institution"), max_length=200, blank=True)
    le_country = CountryField(_("country of the institution"), blank=True)
    le_number = models.CharField(_("statement number"), max_length=100, blank=True)
    le_date = models.DateField(_("date of the statement"), null=True, blank=True)
    # The assessment report of the Commission of experts.
    commission_date = models.DateField(_("date of the report"), null=True, blank=True)
    commission_members = models.JSONField(
        _("members of the Commission"),
        default=list,
        blank=True,
        help_text=_("Each member's name and profession."),
    )

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        User, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decided_by = models.ForeignKey(
        User, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("identification")
        verbose_name_plural = _("identifications")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=_ground_condition(),
                name="identification_exactly_one_ground",
                violation_error_message=_(
                    "An identification stands on exactly one ground, with that ground's document."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(outcome="not_identified") | ~Q(outcome_reason=""),
                name="identification_not_identified_has_reason",
                violation_error_message=NOT_IDENTIFIED_NEEDS_REASON,
            ),
            models.CheckConstraint(
                condition=Q(status="proposed", decided_by__isnull=True, decided_at__isnull=True)
                | (~Q(status="proposed") & Q(decided_by__isnull=False, decided_at__isnull=False)),
                name="identification_decided_iff_not_proposed",
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_reason=""),
                name="identification_returned_has_reason",
                violation_error_message=RETURN_NEEDS_REASON,
            ),
            # The second pair of eyes, also in the database: nobody decides their own proposal.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("proposed_by")),
                name="identification_four_eyes",
                violation_error_message=_("The person who proposed an identification cannot decide it."),
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=["proposed", "approved"]),
                name="identification_one_open_or_approved_per_case",
                violation_error_message=_("This case already has an identification proposed or approved."),
            ),
        ]
        indexes = [
            models.Index(fields=["case", "status"], name="identification_case_status_idx"),
            # The coordinators' review queue: the few proposed ones among a million decided
            # (docs/performance.md).
            models.Index(
                fields=["proposed_at"], name="identification_proposed_idx", condition=Q(status="proposed")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_ground_display()} ({self.get_status_display()})"

    def clean(self):
        errors: dict[str, list] = {}
        if self.ground in GROUND_FIELDS:
            ground_label = Ground(self.ground).label
            for name in GROUND_FIELDS[self.ground]:
                if name == "commission_members":
                    continue
                if getattr(self, name) in (None, ""):
                    label = self._meta.get_field(name).verbose_name
                    errors.setdefault(name, []).append(
                        ValidationError(
                            FIELD_NEEDED_FOR_GROUND % {"field": label, "ground": ground_label},
                            code="required",
                        )
                    )
            for other, fields in GROUND_FIELDS.items():
                if other == self.ground:
                    continue
                for name in fields:
                    if getattr(self, name) not in (None, "", []):
                        label = self._meta.get_field(name).verbose_name
                        errors.setdefault(name, []).append(
                            ValidationError(FIELD_OF_ANOTHER_GROUND % {"field": label}, code="other_ground")
                        )
            if self.ground == Ground.EXPERT_COMMISSION_REPORT:
                member_error = self.members_error(self.commission_members)
                if member_error:
                    errors.setdefault("commission_members", []).append(member_error)
        if self.outcome == self.Outcome.NOT_IDENTIFIED and not (self.outcome_reason or "").strip():
            errors.setdefault("outcome_reason", []).append(
                ValidationError(NOT_IDENTIFIED_NEEDS_REASON, code="required")
            )
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def members_error(members) -> ValidationError | None:
        if not isinstance(members, list) or not members:
            return ValidationError(MEMBERS_NEEDED, code="required")
        for n, member in enumerate(members, start=1):
            if (
                not isinstance(member, dict)
                or set(member) - {"name", "profession"}
                or not str(member.get("name") or "").strip()
                or not str(member.get("profession") or "").strip()
            ):
                return ValidationError(MEMBER_INCOMPLETE % {"n": n}, code="invalid")
        return None

    @property
    def document_summary(self) -> str:
        if self.ground == Ground.CRIMINAL_PROCEDURE_DECISION:
            return f"{self.cp_case_number}, {self.cp_date:%Y-%m-%d}, {self.cp_body}"
        if self.ground == Ground.LAW_ENFORCEMENT_STATEMENT:
            return f"{self.le_institution} ({self.le_country.name}), No {self.le_number}, {self.le_date:%Y-%m-%d}"
        if self.ground == Ground.EXPERT_COMMISSION_REPORT and self.commission_date:
            members = "; ".join(
                f"{m.get('name')} ({m.get('profession')})" for m in self.commission_members or []
            )
            return f"{self.commission_date:%Y-%m-%d}: {members}"
        return ""


class CriminalProceeding(Correctable):
    """Criminal proceedings that concern the victim."""

    class ProceduralStatus(models.TextChoices):
        VICTIM = "victim", _("Victim")
        WITNESS = "witness", _("Witness")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="proceedings"
    )
    case_number = models.CharField(_("criminal case number"), max_length=100)
    procedural_status = models.CharField(
        _("procedural status of the person"), max_length=20, choices=ProceduralStatus.choices
    )
    body = models.CharField(_("court or investigating body"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("criminal proceeding")
        verbose_name_plural = _("criminal proceedings")
        ordering = ["created_at", "pk"]
        constraints = [
            # A voided record (recorded on the wrong case, say) does not hold its number.
            models.UniqueConstraint(
                fields=["case", "case_number"],
                condition=Q(voided_at__isnull=True),
                name="proceeding_case_number_unique",
                violation_error_message=_("These criminal proceedings are already recorded on the case."),
            ),
            *void_constraints("proceeding"),
        ]

    def __str__(self) -> str:
        return self.case_number


class Hearing(Correctable):
    proceeding = models.ForeignKey(CriminalProceeding, on_delete=models.CASCADE, related_name="hearings")
    date = models.DateField(_("date of the hearing"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")
        ordering = ["date", "pk"]
        constraints = [*void_constraints("hearing")]


class AssistanceRecord(Correctable):
    """One piece of state-funded assistance given to the person (docs/decisions.md, "State-funded assistance")."""

    class Kind(models.TextChoices):
        RETURN_FROM_ABROAD = "return_from_abroad", _("Return from a foreign country")
        FIRST_MEETING = "first_meeting", _("First meeting and interview on urgent needs")
        LEGAL_AID = "legal_aid", _("Legal aid")
        COMPENSATION = "compensation", _("Compensation")
        EDUCATION = "education", _("Education")
        EMERGENCY_MEDICAL_CARE = "emergency_medical_care", _("Emergency medical care")
        WITNESS_PROTECTION = "witness_protection", _("Special protection of a person who testifies")
        LABOUR_MARKET = "labour_market", _("Access to the labour market")

    class CompensationStatus(models.TextChoices):
        CLAIMED = "claimed", _("Claimed")
        AWARDED = "awarded", _("Awarded")
        REFUSED = "refused", _("Refused")
        PAID = "paid", _("Paid")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="assistance_records"
    )
    kind = models.CharField(_("kind of assistance"), max_length=30, choices=Kind.choices)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True, help_text=_("Empty while it continues."))
    arranged_by = models.CharField(
        _("arranged by"), max_length=200, help_text=_("The institution or person who arranged it.")
    )
    outcome = models.TextField(_("outcome"), blank=True)
    claim = models.CharField(
        _("compensation claim"), max_length=200, blank=True, help_text=_("Against whom, and on what basis.")
    )
    amount_eur = models.DecimalField(
        _("amount (EUR)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    compensation_status = models.CharField(
        _("status of the claim"), max_length=20, choices=CompensationStatus.choices, blank=True
    )
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assistance record")
        verbose_name_plural = _("assistance records")
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="assistancerecord_ends_after_start",
                violation_error_message=ENDS_BEFORE_START,
            ),
            models.CheckConstraint(
                condition=Q(kind="compensation")
                | Q(claim="", amount_eur__isnull=True, compensation_status=""),
                name="assistancerecord_compensation_fields_only_for_compensation",
                violation_error_message=COMPENSATION_ONLY,
            ),
            models.CheckConstraint(
                condition=Q(amount_eur__isnull=True) | Q(amount_eur__gte=0),
                name="assistancerecord_amount_not_negative",
            ),
            *void_constraints("assistancerecord"),
        ]
        indexes = [models.Index(fields=["case", "kind"], name="assistancerecord_case_kind_idx")]

    def __str__(self) -> str:
        return self.get_kind_display()


class ReflectionPeriod(models.Model):
    """The reflection period of a third-country national: 30 days (docs/domain.md, "The limits"), one per case.

    `last_day` is stored (always from limits.reflection_period_last_day) so that the periodic job
    of the limits issue can select the periods to warn about and end in one set-based query.
    """

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        ENDED = "ended", _("Ended")
        ENDED_EARLY = "ended_early", _("Ended early")

    case = models.OneToOneField(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="reflection_period"
    )
    start_date = models.DateField(_("start date"))
    last_day = models.DateField(_("last day"), editable=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RUNNING)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    # Why it ended before its 30 days (e.g. the person decided to cooperate with the investigation).
    end_reason = models.TextField(_("reason for ending early"), blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reflection period")
        verbose_name_plural = _("reflection periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("start_date")), name="reflection_last_day_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status="running", ended_on__isnull=True)
                | Q(status__in=["ended", "ended_early"], ended_on__isnull=False),
                name="reflection_ended_iff_ended_on",
            ),
            models.CheckConstraint(
                condition=~Q(status="ended_early") | (~Q(end_reason="") & Q(ended_on__lte=F("last_day"))),
                name="reflection_ended_early_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "last_day"], name="reflection_status_last_day_idx")]

    def __str__(self) -> str:
        return f"{self.start_date:%Y-%m-%d} – {self.last_day:%Y-%m-%d}"

    def days_remaining_on(self, today) -> int:
        return periods.days_remaining(self.last_day, today)

    def has_run_out_on(self, today) -> bool:
        return periods.has_ended(self.last_day, today)


class ResidencePermit(models.Model):
    """The residence-permit workflow of a third-country national who is an identified victim
    (docs/domain.md, "Residence permit")."""

    class Decision(models.TextChoices):
        PENDING = "", _("Awaiting the decision")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    case = models.OneToOneField(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="residence_permit"
    )
    travel_document_presented_on = models.DateField(_("travel document presented on"))
    travel_document_type = models.CharField(_("type of travel document"), max_length=100)
    travel_document_number = models.CharField(_("travel document number"), max_length=50)
    application_submitted_on = models.DateField(
        _("application submitted on"),
        null=True,
        blank=True,
        help_text=_(
            "With the recognition decision and the statement on the necessity of a residence permit."
        ),
    )
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, blank=True, default=""
    )
    decision_on = models.DateField(_("decision date"), null=True, blank=True)
    permit_number = models.CharField(_("permit number"), max_length=50, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("residence permit")
        verbose_name_plural = _("residence permits")
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="")
                | Q(application_submitted_on__isnull=False, decision_on__isnull=False),
                name="permit_decision_after_application",
                violation_error_message=_(
                    "Record the application and the decision date before the decision."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(decision="granted")
                | (~Q(permit_number="") & Q(valid_from__isnull=False, valid_until__isnull=False)),
                name="permit_granted_has_number_and_validity",
                violation_error_message=PERMIT_GRANTED_NEEDS,
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="permit_validity_in_order",
                violation_error_message=PERMIT_VALIDITY_ORDER,
            ),
        ]
        indexes = [models.Index(fields=["valid_until"], name="permit_valid_until_idx")]

    def __str__(self) -> str:
        return self.permit_number or str(_("residence permit"))

    @property
    def step(self) -> str:
        if self.decision:
            return self.get_decision_display()
        if self.application_submitted_on:
            return str(_("Application submitted, awaiting the decision"))
        return str(_("Travel document presented"))

    def clean(self):
        errors: dict[str, list] = {}
        if (
            self.application_submitted_on
            and self.travel_document_presented_on
            and (self.application_submitted_on < self.travel_document_presented_on)
        ):
            errors["application_submitted_on"] = [
                _("The application cannot be submitted before the travel document was presented.")
            ]
        if self.decision and not self.application_submitted_on:
            errors["decision"] = [PERMIT_STEP_ORDER % {"step": _("the application")}]
        if self.decision and not self.decision_on:
            errors["decision_on"] = [_("Enter the date of the decision.")]
        if self.decision == self.Decision.GRANTED and not (
            self.permit_number and self.valid_from and self.valid_until
        ):
            errors.setdefault("permit_number", []).append(PERMIT_GRANTED_NEEDS)
        if self.decision != self.Decision.GRANTED and (
            self.permit_number or self.valid_from or self.valid_until
        ):
            errors.setdefault("permit_number", []).append(
                _("A permit number and validity belong to a granted permit only.")
            )
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors.setdefault("valid_until", []).append(PERMIT_VALIDITY_ORDER)
        if errors:
            raise ValidationError(errors)
