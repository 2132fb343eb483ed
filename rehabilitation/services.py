"""Every write of the course, consultations and court support: <entity>_<verb>(*, ..., actor).

A limit that many writers can race for (court-support hours, consultation counts, the course's
days) is checked under select_for_update of the parent row and re-summed inside the lock. Locks are
always taken in one order, the Case row first and then the course row, so two writers never wait
for each other in a cycle.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import corrections, periods
from cases.models import Alert, Case, User
from cases.services import history_stamp

from . import limits, permissions, selectors
from .models import (
    CourseService,
    CourtSupportEntry,
    FamilyConsultation,
    FamilyMember,
    MaterialAssistance,
    PostCourseConsultation,
    RehabilitationCourse,
    RehabilitationPlan,
    SpecialistKind,
)
from .permissions import Action

# Hours and amounts as a form (Decimal) or the API and the importer (text, int) hand them over.
type NumberInput = Decimal | int | float | str

# Error messages: module constants the tests reuse. Each says what the user can do next.
NOT_IDENTIFIED = _(
    "State-funded rehabilitation begins only after the identification is approved; "
    "propose the identification and have it approved first."
)
COURSE_ALREADY_ACTIVE = _("This case already has an active course; end it before starting another.")
COURSE_ONE_PER_IDENTIFICATION = _(
    "A course from %(start)s to %(end)s was already given on this identification; the 180 days and "
    "the five post-course consultations belong to the identification, not to a course. A new "
    "identification (after the case is reopened) starts a new entitlement."
)
FAMILY_NOT_IDENTIFIED = _(
    "Family consultations are for the family of an identified victim; have the identification approved first."
)
DATE_IN_FUTURE = _("The date cannot be in the future; record it on the day or later.")
START_BEFORE_OPENED = _("The course cannot start before the case was opened on %(date)s.")
NO_COURSE = _("This case has no rehabilitation course; start the course first.")
NO_ACTIVE_COURSE = _("This case has no active course; only an active course can be ended.")
BEFORE_COURSE = _("The course started on %(start)s; choose a date on or after it.")
COURSE_DAY_OVER = _(
    "The course's last day is %(last_day)s (day 180); %(date)s would be day %(day)s. "
    "Record it as a post-course consultation once the course has ended."
)
AFTER_COURSE_END = _(
    "The course ended on %(end)s; choose a date up to that day, or record a post-course consultation."
)
QUARTER_HOURS = _("Enter the hours in quarter hours, more than zero: 0.25, 0.50, 0.75, 1.00 …")
COURT_SUPPORT_OVER = _(
    "%(remaining)s hours of court support remain; this entry asks for %(requested)s hours."
)
COURT_SUPPORT_USED_UP = _(
    "All %(limit)s hours of court support are used; no more can be logged for this identification."
)
END_STATUS = _("Choose whether the course was completed or ended early.")
END_BEFORE_START = _("The course started on %(start)s; it cannot end before that.")
END_AFTER_LAST_DAY = _("The course's last day is %(last_day)s (day 180); choose an end date up to it.")
END_NEEDS_REASON = _("Give the reason for ending the course early.")
END_BEFORE_SERVICES = _("Services are recorded up to %(date)s; choose an end date on or after it.")
POST_COURSE_NOT_ENDED = _("Post-course consultations begin after the course has ended; end the course first.")
POST_COURSE_NOT_AFTER = _("The course ended on %(end)s; date the post-course consultation after that day.")
POST_COURSE_TOO_LATE = _(
    "Post-course consultations can be dated up to %(last)s, two years after the course ended; "
    "none can be recorded for %(date)s."
)
POST_COURSE_USED = _("All %(limit)s post-course consultations have been used; no more can be recorded.")
FAMILY_NOT_MINOR = _(
    "Family consultations are for the family of a victim under 18 at identification; "
    "this victim was %(age)s on %(date)s."
)
FAMILY_AGE_UNKNOWN = _(
    "The victim's age at identification is unknown; record the date of birth or an estimated age first."
)
FAMILY_USED = _("All %(limit)s family consultations have been used; no more can be recorded.")
FAMILY_MEMBER_NOT_OF_CASE = _("Choose a family member recorded on this case.")
AMOUNT_POSITIVE = _("Enter an amount of more than zero euros.")
PLAN_NEEDS_GOALS = _("Write the goals of the plan.")
PLAN_MAX_PLANNED = 500
PLAN_PLANNED_RANGE = _("Plan between 0 and %(max)s consultations.")
# The plan's counts as the pages and the API name them.
PLAN_FORM_FIELDS = {
    SpecialistKind.SOCIAL_WORKER: "social_worker",
    SpecialistKind.PSYCHOLOGIST: "psychologist",
    SpecialistKind.LAWYER: "lawyer",
    SpecialistKind.MEDICAL: "medical",
    SpecialistKind.OTHER: "other",
}
ALERT_ALREADY_ACKNOWLEDGED = _("This alert was already acknowledged.")


def _lock_case(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("organisation").get(pk=case.pk)


def _lock_latest_course(case: Case) -> RehabilitationCourse | None:
    # Taken after the case's lock, never before (one order for every writer).
    return (
        RehabilitationCourse.objects.select_for_update()
        .filter(case=case)
        .order_by("-start_date", "-pk")
        .first()
    )


def _today() -> datetime.date:
    return timezone.localdate()


def _not_in_future(day: datetime.date, field: str = "date") -> None:
    if day > _today():
        raise ValidationError({field: DATE_IN_FUTURE})


def _hours(value: NumberInput, field: str = "hours") -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: QUARTER_HOURS}) from None
    if not hours.is_finite() or not limits.is_quarter_hours(hours):
        raise ValidationError({field: QUARTER_HOURS})
    return hours.quantize(Decimal("0.01"))


def _require_identified(case: Case) -> None:
    if case.victim_status != Case.VictimStatus.IDENTIFIED:
        raise ValidationError(NOT_IDENTIFIED)


def _within_course(course: RehabilitationCourse, day: datetime.date) -> None:
    """Day 180 is accepted and day 181 refused; a date after an earlier end is refused too."""
    if day < course.start_date:
        raise ValidationError({"date": BEFORE_COURSE % {"start": course.start_date.isoformat()}})
    if day > course.last_day:
        raise ValidationError(
            {
                "date": COURSE_DAY_OVER
                % {
                    "last_day": course.last_day.isoformat(),
                    "date": day.isoformat(),
                    "day": periods.day_number(course.start_date, day),
                }
            }
        )
    if course.ended_on and day > course.ended_on:
        raise ValidationError({"date": AFTER_COURSE_END % {"end": course.ended_on.isoformat()}})


def _specialist(value: str) -> str:
    if value not in SpecialistKind.values:
        raise ValidationError({"specialist": _("Choose the specialist.")})
    return value


# --- the course -------------------------------------------------------------------------------


@transaction.atomic
def course_start(*, case: Case, start_date: datetime.date, actor: User) -> RehabilitationCourse:
    case = _lock_case(case)
    permissions.require(actor, Action.RECORD, case)
    _require_identified(case)
    _not_in_future(start_date, "start_date")
    if start_date < case.opened_on:
        raise ValidationError({"start_date": START_BEFORE_OPENED % {"date": case.opened_on.isoformat()}})
    if RehabilitationCourse.objects.filter(case=case, status=RehabilitationCourse.Status.ACTIVE).exists():
        raise ValidationError(COURSE_ALREADY_ACTIVE)
    earlier = selectors.course_of_current_identification(case=case)
    if earlier is not None:
        raise ValidationError(
            COURSE_ONE_PER_IDENTIFICATION
            % {"start": earlier.start_date.isoformat(), "end": earlier.final_day().isoformat()}
        )
    course = RehabilitationCourse(
        case=case, start_date=start_date, last_day=limits.course_last_day(start_date), recorded_by=actor
    )
    history_stamp(course, actor=actor, reason=_("Course started"))
    course.save()
    return course


@transaction.atomic
def course_end(
    *, case: Case, ended_on: datetime.date, status: str, actor: User, reason: str = ""
) -> RehabilitationCourse:
    """End the active course by hand: completed, or ended early with a reason."""
    case = _lock_case(case)
    permissions.require(actor, Action.RECORD, case)
    course = _lock_latest_course(case)
    if course is None or not course.is_active:
        raise ValidationError(NO_ACTIVE_COURSE)
    if status not in (RehabilitationCourse.Status.COMPLETED, RehabilitationCourse.Status.ENDED_EARLY):
        raise ValidationError({"status": END_STATUS})
    reason = (reason or "").strip()
    if status == RehabilitationCourse.Status.ENDED_EARLY and not reason:
        raise ValidationError({"reason": END_NEEDS_REASON})
    _not_in_future(ended_on, "ended_on")
    if ended_on < course.start_date:
        raise ValidationError({"ended_on": END_BEFORE_START % {"start": course.start_date.isoformat()}})
    if ended_on > course.last_day:
        raise ValidationError({"ended_on": END_AFTER_LAST_DAY % {"last_day": course.last_day.isoformat()}})
    latest = max(
        filter(
            None,
            [
                course.services.order_by("-date").values_list("date", flat=True).first(),
                course.material_assistance.order_by("-date").values_list("date", flat=True).first(),
            ],
        ),
        default=None,
    )
    if latest and ended_on < latest:
        raise ValidationError({"ended_on": END_BEFORE_SERVICES % {"date": latest.isoformat()}})
    course.status = status
    course.ended_on = ended_on
    course.end_reason = reason
    course.ended_at = timezone.now()
    history_stamp(course, actor=actor, reason=reason or _("Course completed"))
    course.save(update_fields=["status", "ended_on", "end_reason", "ended_at"])
    return course


@transaction.atomic
def plan_save(*, case: Case, goals: str, planned: dict[str, int], actor: User) -> RehabilitationPlan:
    case = _lock_case(case)
    permissions.require(actor, Action.RECORD, case)
    course = _lock_latest_course(case)
    if course is None:
        raise ValidationError(NO_COURSE)
    if not (goals or "").strip():
        raise ValidationError({"goals": PLAN_NEEDS_GOALS})
    # The plan that counts is revised in place (a plan changes as the course goes); a voided one
    # stays as it was, and a new plan is written beside it.
    plan = RehabilitationPlan.objects.counted().filter(course=course).first() or RehabilitationPlan(
        course=course
    )
    plan.goals = goals.strip()
    for kind, field_name in RehabilitationPlan.PLANNED_FIELDS.items():
        setattr(plan, field_name, max(int(planned.get(kind, 0) or 0), 0))
    plan.updated_by = actor
    history_stamp(plan, actor=actor)
    plan.save()
    return plan


def _plan_check(*, goals: str, planned: dict[str, Any]) -> dict[str, Any]:
    """The plan's values as the model's fields: goals written, each count a whole number from 0."""
    goals = (goals or "").strip()
    if not goals:
        raise ValidationError({"goals": PLAN_NEEDS_GOALS})
    values: dict[str, Any] = {"goals": goals}
    for kind, field_name in RehabilitationPlan.PLANNED_FIELDS.items():
        try:
            count = int(planned.get(kind, 0) or 0)
        except (TypeError, ValueError):
            count = -1
        if not 0 <= count <= PLAN_MAX_PLANNED:
            raise ValidationError({PLAN_FORM_FIELDS[kind]: PLAN_PLANNED_RANGE % {"max": PLAN_MAX_PLANNED}})
        values[field_name] = count
    return values


@transaction.atomic
def plan_correct(
    *,
    entry: RehabilitationPlan,
    goals: str,
    social_worker: int = 0,
    psychologist: int = 0,
    lawyer: int = 0,
    medical: int = 0,
    other: int = 0,
    reason: str,
    actor: User,
) -> RehabilitationPlan:
    """Correct what the plan says, with a reason: the history keeps both versions, the timeline
    shows the correction. A voided plan is not corrected; write a new one."""
    case, _course, entry = _lock_course_entry(RehabilitationPlan, entry)
    permissions.require(actor, Action.RECORD, case)
    corrections.require_not_voided(entry)
    planned: dict[str, Any] = {
        SpecialistKind.SOCIAL_WORKER: social_worker,
        SpecialistKind.PSYCHOLOGIST: psychologist,
        SpecialistKind.LAWYER: lawyer,
        SpecialistKind.MEDICAL: medical,
        SpecialistKind.OTHER: other,
    }
    values = _plan_check(goals=goals, planned=planned)
    entry.updated_by = actor
    return corrections.apply_correction(entry=entry, case=case, values=values, actor=actor, reason=reason)


@transaction.atomic
def plan_void(*, entry: RehabilitationPlan, reason: str, actor: User) -> RehabilitationPlan:
    """Void a plan written on the wrong case: the course has no plan until a new one is written."""
    case, _course, entry = _lock_course_entry(RehabilitationPlan, entry)
    permissions.require(actor, Action.RECORD, case)
    return corrections.apply_void(entry=entry, case=case, actor=actor, reason=reason)


def _course_service_check(
    course: RehabilitationCourse, *, date: datetime.date, specialist: str, hours: NumberInput
) -> tuple[str, Decimal]:
    specialist = _specialist(specialist)
    hours = _hours(hours)
    _not_in_future(date)
    _within_course(course, date)
    return specialist, hours


@transaction.atomic
def course_service_log(
    *, case: Case, date: datetime.date, specialist: str, hours: NumberInput, notes: str = "", actor: User
) -> CourseService:
    case = _lock_case(case)
    permissions.require(actor, Action.RECORD, case)
    course = _lock_latest_course(case)
    if course is None:
        raise ValidationError(NO_COURSE)
    specialist, hours = _course_service_check(course, date=date, specialist=specialist, hours=hours)
    entry = CourseService(
        course=course,
        date=date,
        specialist=specialist,
        hours=hours,
        notes=(notes or "").strip(),
        recorded_by=actor,
    )
    history_stamp(entry, actor=actor)
    entry.save()
    return entry


def _lock_course_entry[E: CourseService | MaterialAssistance | PostCourseConsultation | RehabilitationPlan](
    model: type[E], entry: E
) -> tuple[Case, RehabilitationCourse, E]:
    """The case, then the entry's course, then the entry: the order every writer takes."""
    case = _lock_case(entry.course.case)
    course = RehabilitationCourse.objects.select_for_update().get(pk=entry.course_id)
    locked = cast(E, model._default_manager.select_for_update().get(pk=entry.pk))
    locked.course = course
    return case, course, locked


@transaction.atomic
def course_service_correct(
    *,
    entry: CourseService,
    date: datetime.date,
    specialist: str,
    hours: NumberInput,
    notes: str = "",
    reason: str,
    actor: User,
) -> CourseService:
    case, course, entry = _lock_course_entry(CourseService, entry)
    permissions.require(actor, Action.RECORD, case)
    corrections.require_not_voided(entry)
    specialist, hours = _course_service_check(course, date=date, specialist=specialist, hours=hours)
    values = {"date": date, "specialist": specialist, "hours": hours, "notes": (notes or "").strip()}
    return corrections.apply_correction(entry=entry, case=case, values=values, actor=actor, reason=reason)


@transaction.atomic
def course_service_void(*, entry: CourseService, reason: str, actor: User) -> CourseService:
    case, _course, entry = _lock_course_entry(CourseService, entry)
    permissions.require(actor, Action.RECORD, case)
    return corrections.apply_void(entry=entry, case=case, actor=actor, reason=reason)


def _material_check(course: RehabilitationCourse, *, date: datetime.date, amount_eur: NumberInput) -> Decimal:
    try:
        amount = Decimal(str(amount_eur)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({"amount_eur": AMOUNT_POSITIVE}) from None
    if amount <= 0:
        raise ValidationError({"amount_eur": AMOUNT_POSITIVE})
    _not_in_future(date)
    _within_course(course, date)
    return amount


@transaction.atomic
def material_assistance_log(
    *, case: Case, date: datetime.date, description: str, amount_eur: NumberInput, actor: User
) -> MaterialAssistance:
    case = _lock_case(case)
    permissions.require(actor, Action.RECORD, case)
    course = _lock_latest_course(case)
    if course is None:
        raise ValidationError(NO_COURSE)
    amount = _material_check(course, date=date, amount_eur=amount_eur)
    entry = MaterialAssistance(
        course=course, date=date, description=description.strip(), amount_eur=amount, recorded_by=actor
    )
    history_stamp(entry, actor=actor)
    entry.save()
    return entry


@transaction.atomic
def material_assistance_correct(
    *,
    entry: MaterialAssistance,
    date: datetime.date,
    description: str,
    amount_eur: NumberInput,
    reason: str,
    actor: User,
) -> MaterialAssistance:
    case, course, entry = _lock_course_entry(MaterialAssistance, entry)
    permissions.require(actor, Action.RECORD, case)
    corrections.require_not_voided(entry)
    amount = _material_check(course, date=date, amount_eur=amount_eur)
    values = {"date": date, "description": (description or "").strip(), "amount_eur": amount}
    return corrections.apply_correction(entry=entry, case=case, values=values, actor=actor, reason=reason)


@transaction.atomic
def material_assistance_void(*, entry: MaterialAssistance, reason: str, actor: User) -> MaterialAssistance:
    case, _course, entry = _lock_course_entry(MaterialAssistance, entry)
    permissions.require(actor, Action.RECORD, case)
    return corrections.apply_void(entry=entry, case=case, actor=actor, reason=reason)


# --- after the course -------------------------------------------------------------------------


def _post_course_check(
    course: RehabilitationCourse, *, date: datetime.date, specialist: str, excluding: int | None = None
) -> str:
    if course.is_active or course.ended_on is None:
        raise ValidationError(POST_COURSE_NOT_ENDED)
    specialist = _specialist(specialist)
    _not_in_future(date)
    if date <= course.ended_on:
        raise ValidationError({"date": POST_COURSE_NOT_AFTER % {"end": course.ended_on.isoformat()}})
    last = limits.post_course_last_day(course.ended_on)
    if date > last:
        raise ValidationError(
            {"date": POST_COURSE_TOO_LATE % {"last": last.isoformat(), "date": date.isoformat()}}
        )
    # Counted inside the lock: two simultaneous sixth entries cannot both pass. A voided one
    # counts for nothing.
    used = course.post_course_consultations.counted()
    if excluding is not None:
        used = used.exclude(pk=excluding)
    if used.count() >= limits.POST_COURSE_LIMIT:
        raise ValidationError(POST_COURSE_USED % {"limit": limits.POST_COURSE_LIMIT})
    return specialist


@transaction.atomic
def post_course_consultation_log(
    *,
    case: Case,
    date: datetime.date,
    specialist: str,
    notes: str = "",
    actor: User,
    opening_balance: bool = False,
) -> PostCourseConsultation:
    """One of at most five one-hour consultations, dated after the course ended and within two
    years of its end (Cabinet Regulation No 344 (2019); docs/domain.md, "The limits")."""
    case = _lock_case(case)
    permissions.require(actor, Action.RECORD, case)
    course = _lock_latest_course(case)
    if course is None:
        raise ValidationError(NO_COURSE)
    specialist = _post_course_check(course, date=date, specialist=specialist)
    entry = PostCourseConsultation(
        course=course,
        date=date,
        specialist=specialist,
        notes=(notes or "").strip(),
        recorded_by=actor,
        opening_balance=opening_balance,
    )
    history_stamp(entry, actor=actor)
    entry.save()
    return entry


@transaction.atomic
def post_course_consultation_correct(
    *,
    entry: PostCourseConsultation,
    date: datetime.date,
    specialist: str,
    notes: str = "",
    reason: str,
    actor: User,
) -> PostCourseConsultation:
    case, course, entry = _lock_course_entry(PostCourseConsultation, entry)
    permissions.require(actor, Action.RECORD, case)
    corrections.require_not_voided(entry)
    specialist = _post_course_check(course, date=date, specialist=specialist, excluding=entry.pk)
    values = {"date": date, "specialist": specialist, "notes": (notes or "").strip()}
    return corrections.apply_correction(entry=entry, case=case, values=values, actor=actor, reason=reason)


@transaction.atomic
def post_course_consultation_void(
    *, entry: PostCourseConsultation, reason: str, actor: User
) -> PostCourseConsultation:
    """Void a consultation: one of the five comes back."""
    case, _course, entry = _lock_course_entry(PostCourseConsultation, entry)
    permissions.require(actor, Action.RECORD, case)
    return corrections.apply_void(entry=entry, case=case, actor=actor, reason=reason)


# --- the family of a minor victim -------------------------------------------------------------


@transaction.atomic
def family_member_add(
    *, case: Case, given_name: str, family_name: str = "", relationship: str, actor: User
) -> FamilyMember:
    case = _lock_case(case)
    permissions.require(actor, Action.RECORD, case)
    if not given_name.strip():
        raise ValidationError({"given_name": _("Enter the family member's given name.")})
    if not relationship.strip():
        raise ValidationError({"relationship": _("Enter how they are related to the victim.")})
    member = FamilyMember(
        case=case,
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        relationship=relationship.strip(),
        recorded_by=actor,
    )
    history_stamp(member, actor=actor)
    member.save()
    return member


def _family_check(
    case: Case,
    *,
    family_member: FamilyMember,
    date: datetime.date,
    specialist: str,
    excluding: int | None = None,
) -> str:
    if family_member.case_id != case.pk:
        raise ValidationError({"family_member": FAMILY_MEMBER_NOT_OF_CASE})
    # Only for an identified victim (docs/decisions.md, "The limits"): the age that decides is the
    # age on the day the identification was approved.
    if case.victim_status != Case.VictimStatus.IDENTIFIED:
        raise ValidationError(FAMILY_NOT_IDENTIFIED)
    specialist = _specialist(specialist)
    _not_in_future(date)
    on = selectors.identification_reference_date(case=case)
    minor = case.person.is_minor_on(on)
    if minor is None:
        raise ValidationError(FAMILY_AGE_UNKNOWN)
    if not minor:
        raise ValidationError(FAMILY_NOT_MINOR % {"age": case.person.age_on(on), "date": on.isoformat()})
    used = FamilyConsultation.objects.counted().filter(case=case)
    if excluding is not None:
        used = used.exclude(pk=excluding)
    if used.count() >= limits.FAMILY_CONSULTATION_LIMIT:
        raise ValidationError(FAMILY_USED % {"limit": limits.FAMILY_CONSULTATION_LIMIT})
    return specialist


@transaction.atomic
def family_consultation_log(
    *,
    case: Case,
    family_member: FamilyMember,
    date: datetime.date,
    specialist: str,
    notes: str = "",
    actor: User,
    opening_balance: bool = False,
) -> FamilyConsultation:
    case = _lock_case(case)
    permissions.require(actor, Action.RECORD, case)
    specialist = _family_check(case, family_member=family_member, date=date, specialist=specialist)
    entry = FamilyConsultation(
        case=case,
        family_member=family_member,
        date=date,
        specialist=specialist,
        notes=(notes or "").strip(),
        recorded_by=actor,
        opening_balance=opening_balance,
    )
    history_stamp(entry, actor=actor)
    entry.save()
    return entry


@transaction.atomic
def family_consultation_correct(
    *,
    entry: FamilyConsultation,
    family_member: FamilyMember,
    date: datetime.date,
    specialist: str,
    notes: str = "",
    reason: str,
    actor: User,
) -> FamilyConsultation:
    case, entry = _lock_entry(FamilyConsultation, entry)
    permissions.require(actor, Action.RECORD, case)
    corrections.require_not_voided(entry)
    specialist = _family_check(
        case, family_member=family_member, date=date, specialist=specialist, excluding=entry.pk
    )
    values = {
        "family_member": family_member,
        "date": date,
        "specialist": specialist,
        "notes": (notes or "").strip(),
    }
    return corrections.apply_correction(entry=entry, case=case, values=values, actor=actor, reason=reason)


@transaction.atomic
def family_consultation_void(*, entry: FamilyConsultation, reason: str, actor: User) -> FamilyConsultation:
    """Void a consultation: one of the five comes back."""
    case, entry = _lock_entry(FamilyConsultation, entry)
    permissions.require(actor, Action.RECORD, case)
    return corrections.apply_void(entry=entry, case=case, actor=actor, reason=reason)


# --- court support ----------------------------------------------------------------------------


def _court_support_check(
    *, case: Case, date: datetime.date, hours: NumberInput, activity: str, excluding: int | None = None
) -> tuple[Decimal, Decimal, str]:
    """The rules of one entry, with the case's other counted hours summed inside the case's lock
    (the caller holds it): the hours, the new total and the activity."""
    _require_identified(case)
    hours = _hours(hours)
    _not_in_future(date)
    if not (activity or "").strip():
        raise ValidationError({"activity": _("Describe the activity (e.g. accompanied to a hearing).")})
    others = CourtSupportEntry.objects.counted().filter(case=case)
    if excluding is not None:
        others = others.exclude(pk=excluding)
    used = others.aggregate(total=Sum("hours"))["total"] or Decimal("0")
    remaining = limits.COURT_SUPPORT_LIMIT - used
    if remaining <= 0:
        raise ValidationError(
            {"hours": COURT_SUPPORT_USED_UP % {"limit": limits.hours_display(limits.COURT_SUPPORT_LIMIT)}}
        )
    if hours > remaining:
        raise ValidationError(
            {
                "hours": COURT_SUPPORT_OVER
                % {"remaining": limits.hours_display(remaining), "requested": limits.hours_display(hours)}
            }
        )
    return hours, used + hours, activity.strip()


@transaction.atomic
def court_support_log(
    *,
    case: Case,
    date: datetime.date,
    hours: NumberInput,
    activity: str,
    actor: User,
    opening_balance: bool = False,
) -> CourtSupportEntry:
    """Log hours of support in criminal proceedings; the case's total never passes 150.00.

    The case row is locked and the hours re-summed inside the lock: without it, two entries of
    2.00 at 148.00 would both read 148.00 and both pass. A voided entry counts for nothing.
    """
    case = _lock_case(case)
    permissions.require(actor, Action.RECORD, case)
    hours, total, activity = _court_support_check(case=case, date=date, hours=hours, activity=activity)
    entry = CourtSupportEntry(
        case=case,
        date=date,
        hours=hours,
        activity=activity,
        recorded_by=actor,
        opening_balance=opening_balance,
    )
    history_stamp(entry, actor=actor, reason=_("Opening balance imported") if opening_balance else "")
    entry.save()
    _court_hours_alert_now(case=case, total=total, actor=actor)
    return entry


def _lock_entry[E: CourtSupportEntry | FamilyConsultation](model: type[E], entry: E) -> tuple[Case, E]:
    """The entry's case first, then the entry: the order every writer of the case takes."""
    case = _lock_case(entry.case)
    return case, cast(E, model._default_manager.select_for_update().get(pk=entry.pk))


@transaction.atomic
def court_support_correct(
    *,
    entry: CourtSupportEntry,
    date: datetime.date,
    hours: NumberInput,
    activity: str,
    reason: str,
    actor: User,
) -> CourtSupportEntry:
    """Correct an entry; the 150 hours are re-checked under the same lock as a new entry, counting
    the case's other entries and the corrected hours."""
    case, entry = _lock_entry(CourtSupportEntry, entry)
    permissions.require(actor, Action.RECORD, case)
    corrections.require_not_voided(entry)
    hours, total, activity = _court_support_check(
        case=case, date=date, hours=hours, activity=activity, excluding=entry.pk
    )
    corrections.apply_correction(
        entry=entry,
        case=case,
        values={"date": date, "hours": hours, "activity": activity},
        actor=actor,
        reason=reason,
    )
    _court_hours_alert_now(case=case, total=total, actor=actor)
    return entry


@transaction.atomic
def court_support_void(*, entry: CourtSupportEntry, reason: str, actor: User) -> CourtSupportEntry:
    """Void an entry: its hours come back to the case's 150."""
    case, entry = _lock_entry(CourtSupportEntry, entry)
    permissions.require(actor, Action.RECORD, case)
    return corrections.apply_void(entry=entry, case=case, actor=actor, reason=reason)


def _court_hours_alert_now(*, case: Case, total: Decimal, actor: User) -> None:
    """The entry that crosses 80 % or 100 % raises its alert at once, not at the next night's job.

    Under the case's row lock, so two entries cannot both raise it; the job raises none where one
    exists (whatever its date), and e-mails it once, as it does its own.
    """
    today = timezone.localdate()
    for kind, threshold in (
        (Alert.Kind.COURT_HOURS_80, limits.court_support_warn_threshold()),
        (Alert.Kind.COURT_HOURS_100, limits.COURT_SUPPORT_LIMIT),
    ):
        if total >= threshold and not Alert.objects.filter(case=case, kind=kind).exists():
            alert = Alert(case=case, kind=kind, due_on=today)
            history_stamp(alert, actor=actor, reason=_("Raised by the entry that reached the limit"))
            alert.save()


# --- alerts -----------------------------------------------------------------------------------


@transaction.atomic
def alert_acknowledge(*, alert: Alert, actor: User) -> Alert:
    alert = Alert.objects.select_for_update().select_related("case").get(pk=alert.pk)
    permissions.require(actor, Action.ACKNOWLEDGE_ALERT, alert.case)
    if alert.acknowledged_at is not None:
        raise ValidationError(ALERT_ALREADY_ACKNOWLEDGED)
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = actor
    history_stamp(alert, actor=actor, reason=_("Alert acknowledged"))
    alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return alert


# --- the person's details, as the family consultations rely on them (cases.corrections) ----------

PERSON_FAMILY_RELIES = _(
    "Family consultations were given on case %(reference)s because the victim was under 18 on "
    "%(date)s, the day of identification; with these details they were %(age)s. Check the date of "
    "birth, or void those consultations first."
)


def person_check(*, person: Any, before: Any) -> None:
    """Refuse a correction of the age that would make the family consultations already given (and
    counted) unlawful: they are only for a victim under 18 on the day of identification."""
    cases = Case.objects.filter(
        person_id=person.pk,
        family_consultations__isnull=False,
        family_consultations__voided_at__isnull=True,
    ).distinct()
    for case in cases:
        on = selectors.identification_reference_date(case=case)
        if person.is_minor_on(on) is not True:
            age = person.age_on(on)
            raise ValidationError(
                {
                    "date_of_birth": PERSON_FAMILY_RELIES
                    % {
                        "reference": case.reference,
                        "date": on.isoformat(),
                        "age": "?" if age is None else age,
                    }
                }
            )
