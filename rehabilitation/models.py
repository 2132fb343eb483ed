"""Stage 2, the state-paid part: the course of social rehabilitation, its plan, the services and
consultations given, material assistance, post-course and family consultations, and court support.

The limits (docs/decisions.md, "The limits, exactly") are checked on entry by the services, under
a row lock, and over time by the periodic job (jobs.py). Whatever one row can say about itself is
also a database constraint here.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Floor
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import Case, Correctable, User, void_constraints

from . import limits


class SpecialistKind(models.TextChoices):
    SOCIAL_WORKER = "social_worker", _("Social worker")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    LAWYER = "lawyer", _("Lawyer")
    MEDICAL = "medical", _("Medical practitioner")
    OTHER = "other", _("Other specialist")


def _positive_quarter_hours(field: str, name: str) -> models.CheckConstraint:
    """More than zero, in whole quarter hours (hours * 4 is a whole number)."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gt": 0}) & Exact(F(field) * 4, Floor(F(field) * 4)),
        name=name,
        violation_error_message=_("Hours are logged in quarter hours, more than zero."),
    )


class RehabilitationCourse(models.Model):
    """One course of state-funded social rehabilitation of an identified victim, at most 180 days."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        ENDED_EARLY = "ended_early", _("Ended early")
        LIMIT_REACHED = "limit_reached", _("Limit reached (180 days)")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="rehabilitation_courses"
    )
    start_date = models.DateField(_("start date"))
    # Stored (always from limits.course_last_day) so that the periodic job selects the courses to
    # warn about and end with one set-based query and no date arithmetic in SQL.
    last_day = models.DateField(_("last day"), editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    # The course's final day (inclusive). A course ended by the limit ends on its last day
    # (day 180), whenever the job ran; post-course consultations are dated after it.
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.TextField(_("reason for ending"), blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        User, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rehabilitation course")
        verbose_name_plural = _("rehabilitation courses")
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status="active"),
                name="course_one_active_per_case",
                violation_error_message=_("This case already has an active course."),
            ),
            models.CheckConstraint(
                condition=Q(status="active", ended_on__isnull=True)
                | (~Q(status="active") & Q(ended_on__isnull=False)),
                name="course_ended_iff_ended_on",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | (Q(ended_on__gte=F("start_date")) & Q(ended_on__lte=F("last_day"))),
                name="course_ends_within_its_days",
            ),
            models.CheckConstraint(
                condition=Q(last_day__gt=F("start_date")), name="course_last_day_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(status="ended_early") | ~Q(end_reason=""),
                name="course_ended_early_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "last_day"], name="course_status_last_day_idx")]

    def __str__(self) -> str:
        return f"{self.start_date:%Y-%m-%d} – {self.last_day:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def final_day(self) -> datetime.date:
        """The last day an in-course service may be dated: the end, or day 180."""
        return self.ended_on or self.last_day

    @property
    def plan(self) -> RehabilitationPlan | None:
        """The plan that counts (a voided one does not), from `counted_plans` when the selector
        prefetched it."""
        plans = getattr(self, "counted_plans", None)
        if plans is None:
            plans = list(self.plans.filter(voided_at__isnull=True)[:1])
        return plans[0] if plans else None


class RehabilitationPlan(Correctable):
    """The client rehabilitation plan: goals and planned consultations per specialist
    (docs/domain.md, "The stages"). A course has at most one plan that counts; a voided plan (written
    on the wrong case) stays in the history, and a new one can be written."""

    course = models.ForeignKey(RehabilitationCourse, on_delete=models.CASCADE, related_name="plans")
    goals = models.TextField(_("goals"))
    planned_social_worker = models.PositiveSmallIntegerField(_("social worker"), default=0)
    planned_psychologist = models.PositiveSmallIntegerField(_("psychologist"), default=0)
    planned_lawyer = models.PositiveSmallIntegerField(_("lawyer"), default=0)
    planned_medical = models.PositiveSmallIntegerField(_("medical practitioner"), default=0)
    planned_other = models.PositiveSmallIntegerField(_("other specialist"), default=0)
    updated_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rehabilitation plan")
        verbose_name_plural = _("rehabilitation plans")
        constraints = [
            models.UniqueConstraint(
                fields=["course"],
                condition=Q(voided_at__isnull=True),
                name="plan_one_counted_per_course",
                violation_error_message=_("This course already has a plan; correct it instead."),
            ),
            *void_constraints("plan"),
        ]

    PLANNED_FIELDS = {
        SpecialistKind.SOCIAL_WORKER: "planned_social_worker",
        SpecialistKind.PSYCHOLOGIST: "planned_psychologist",
        SpecialistKind.LAWYER: "planned_lawyer",
        SpecialistKind.MEDICAL: "planned_medical",
        SpecialistKind.OTHER: "planned_other",
    }

    def planned(self) -> dict[str, int]:
        return {kind: getattr(self, name) for kind, name in self.PLANNED_FIELDS.items()}


class CourseService(Correctable):
    """A consultation or service given during the course. The notes are free text that the
    national coordinator does not see (docs/decisions.md, "Who sees what"), and partners never."""

    course = models.ForeignKey(RehabilitationCourse, on_delete=models.CASCADE, related_name="services")
    date = models.DateField(_("date"))
    specialist = models.CharField(_("specialist"), max_length=20, choices=SpecialistKind.choices)
    hours = models.DecimalField(
        _("duration (hours)"),
        max_digits=5,
        decimal_places=2,
        help_text=_("In quarter hours: 0.25, 0.5, 1.75 …"),
    )
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("consultation or service")
        verbose_name_plural = _("consultations and services")
        ordering = ["-date", "-pk"]
        constraints = [
            _positive_quarter_hours("hours", "course_service_quarter_hours"),
            *void_constraints("course_service"),
        ]
        indexes = [models.Index(fields=["course", "date"], name="course_service_course_date_idx")]


class MaterialAssistance(Correctable):
    course = models.ForeignKey(
        RehabilitationCourse, on_delete=models.CASCADE, related_name="material_assistance"
    )
    date = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=300)
    amount_eur = models.DecimalField(_("amount (EUR)"), max_digits=10, decimal_places=2)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("material assistance")
        verbose_name_plural = _("material assistance")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_eur__gt=0),
                name="material_amount_positive",
                violation_error_message=_("The amount must be more than zero."),
            ),
            *void_constraints("material_assistance"),
        ]


class PostCourseConsultation(Correctable):
    """One of at most five one-hour consultations within two years after the course ended."""

    course = models.ForeignKey(
        RehabilitationCourse, on_delete=models.CASCADE, related_name="post_course_consultations"
    )
    date = models.DateField(_("date"))
    specialist = models.CharField(_("specialist"), max_length=20, choices=SpecialistKind.choices)
    notes = models.TextField(_("notes"), blank=True)
    # An opening balance brought in from the previous system (docs/import.md): it counts toward
    # the limit like any entry, and the pages mark it as imported.
    opening_balance = models.BooleanField(_("imported opening balance"), default=False, editable=False)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    HOURS = limits.POST_COURSE_HOURS

    class Meta:
        verbose_name = _("post-course consultation")
        verbose_name_plural = _("post-course consultations")
        ordering = ["-date", "-pk"]
        constraints = [*void_constraints("post_course_consultation")]


class FamilyMember(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="family_members")
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    relationship = models.CharField(_("relationship to the victim"), max_length=100)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("family member")
        verbose_name_plural = _("family members")
        ordering = ["given_name", "pk"]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class FamilyConsultation(Correctable):
    """A consultation for a family member of a minor victim; at most five per case in total."""

    # Denormalised from the family member: the limit is per case, counted under the case's lock.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="family_consultations")
    family_member = models.ForeignKey(
        FamilyMember, verbose_name=_("family member"), on_delete=models.PROTECT, related_name="consultations"
    )
    date = models.DateField(_("date"))
    specialist = models.CharField(_("specialist"), max_length=20, choices=SpecialistKind.choices)
    notes = models.TextField(_("notes"), blank=True)
    # An opening balance brought in from the previous system (docs/import.md): it counts toward
    # the limit like any entry, and the pages mark it as imported.
    opening_balance = models.BooleanField(_("imported opening balance"), default=False, editable=False)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("family consultation")
        verbose_name_plural = _("family consultations")
        ordering = ["-date", "-pk"]
        constraints = [*void_constraints("family_consultation")]


class CourtSupportEntry(Correctable):
    """Hours of support during criminal proceedings; at most 150.00 per case (docs/domain.md)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="court_support_entries")
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=2, help_text=_("In quarter hours: 0.25, 0.5, 1.75 …")
    )
    activity = models.CharField(_("activity"), max_length=300)
    # An opening balance brought in from the previous system (docs/import.md): it counts toward
    # the limit like any entry, and the pages mark it as imported.
    opening_balance = models.BooleanField(_("imported opening balance"), default=False, editable=False)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("court support entry")
        verbose_name_plural = _("court support entries")
        ordering = ["-date", "-pk"]
        constraints = [
            _positive_quarter_hours("hours", "court_support_quarter_hours"),
            models.CheckConstraint(
                condition=Q(hours__lte=limits.COURT_SUPPORT_LIMIT), name="court_support_entry_within_limit"
            ),
            *void_constraints("court_support"),
        ]
        indexes = [
            models.Index(fields=["case", "date"], name="court_support_case_date_idx"),
            # The daily job's catch-up window: the entries recorded or corrected lately
            # (docs/performance.md, "The daily job's idle rerun").
            models.Index(fields=["created_at"], name="court_support_created_idx"),
            models.Index(
                fields=["corrected_at"],
                name="court_support_corrected_idx",
                condition=Q(corrected_at__isnull=False),
            ),
        ]
