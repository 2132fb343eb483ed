"""Every read of the course, consultations, court support and alerts, scoped to the user: out of
scope is a 404, the same as missing."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.db import models
from django.db.models import Case as SqlCase
from django.db.models import Count, DateField, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, When
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import formats, timezone

from cases import periods
from cases import permissions as case_permissions
from cases.collation import lv_collated
from cases.models import Alert, Case, CaseAssignment, Role, User
from cases.selectors import case_get_for_user_or_404

from . import limits, permissions
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

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise, WithAnnotations

    from cases.selectors import TimelineEntry
    from services.selectors import ReflectionView


class AlertDeadline(TypedDict):
    deadline: datetime.date


def rehabilitation_case_for_user_or_404(*, user: User, reference: str) -> Case:
    case = case_get_for_user_or_404(user=user, reference=reference)
    if not permissions.can(user, Action.VIEW, case):
        raise Http404
    return case


def entry_get_for_user_or_404[E: models.Model](*, model: type[E], user: User, pk: int) -> E:
    """One entry of the course, consultations or court support, by id, when the user may see its
    case; a 404 otherwise, the same as a missing one."""
    case_path = "case" if any(f.name == "case" for f in model._meta.fields) else "course__case"
    reference = model._default_manager.filter(pk=pk).values_list(f"{case_path}__reference", flat=True).first()
    if reference is None:
        raise Http404
    case = rehabilitation_case_for_user_or_404(user=user, reference=reference)
    entry = model._default_manager.get(pk=pk)
    # The case as the scoped read found it (person and organisation already loaded).
    if case_path == "case":
        entry.case = case  # type: ignore[attr-defined]
    else:
        entry.course.case = case  # type: ignore[attr-defined]
    return entry


def course_current(*, case: Case) -> RehabilitationCourse | None:
    """The active course, else the latest one."""
    return (
        RehabilitationCourse.objects.filter(case=case)
        .prefetch_related(
            Prefetch("plans", queryset=RehabilitationPlan.objects.counted(), to_attr="counted_plans")
        )
        .order_by("-start_date", "-pk")
        .first()
    )


def course_services(*, course: RehabilitationCourse) -> QuerySet[CourseService]:
    return course.services.select_related("recorded_by").order_by("-date", "-pk")


@dataclass(frozen=True)
class PlanProgress:
    specialist: str
    label: StrOrPromise
    delivered: int
    planned: int


def plan_progress(
    *, course: RehabilitationCourse, plan: RehabilitationPlan | None = None
) -> list[PlanProgress]:
    """Consultations delivered in the course against the plan, per specialist: one grouped query.

    A specialist neither planned nor consulted is left out; one consulted beyond the plan shows
    as more than planned: the plan sets no limit.
    """
    from django.db.models import Count

    delivered = dict(
        course.services.order_by()
        .values_list("specialist")
        .annotate(n=Count("pk"))
        .values_list("specialist", "n")
    )
    planned = plan.planned() if plan is not None else {}
    rows = []
    for kind in SpecialistKind:
        done, aim = delivered.get(kind.value, 0), planned.get(kind, 0)
        if done or aim:
            rows.append(PlanProgress(kind.value, str(kind.label), done, aim))
    return rows


def material_assistance_list(*, course: RehabilitationCourse) -> QuerySet[MaterialAssistance]:
    return course.material_assistance.select_related("recorded_by").order_by("-date", "-pk")


def post_course_consultations(*, course: RehabilitationCourse) -> QuerySet[PostCourseConsultation]:
    return course.post_course_consultations.select_related("recorded_by").order_by("-date", "-pk")


def family_members(*, case: Case) -> QuerySet[FamilyMember]:
    return case.family_members.order_by(lv_collated("given_name"), "pk")


def family_consultations(*, case: Case) -> QuerySet[FamilyConsultation]:
    return case.family_consultations.select_related("family_member", "recorded_by").order_by("-date", "-pk")


def court_support_entries(*, case: Case) -> QuerySet[CourtSupportEntry]:
    return case.court_support_entries.select_related("recorded_by").order_by("-date", "-pk")


def identification_reference_date(*, case: Case) -> datetime.date:
    """The day the victim's age "at identification" is taken on, for family consultations.

    The approval date of the identification (stage 2's identification, read through its
    selector); for a case identified without an approval on record (older data), the start of its
    first course, else the day the case was opened.
    """
    from services import selectors as identification_selectors

    current = identification_selectors.identification_current(case=case)
    if current is not None and current.status == current.Status.APPROVED and current.decided_at:
        return timezone.localdate(current.decided_at)
    first = (
        RehabilitationCourse.objects.filter(case=case)
        .order_by("start_date")
        .values_list("start_date", flat=True)
        .first()
    )
    return first or case.opened_on


def course_of_current_identification(*, case: Case) -> RehabilitationCourse | None:
    """A course already given on the case's current identification, or None.

    The course's 180 days and the five post-course consultations belong to one identification
    (docs/decisions.md, "The limits"): a course recorded after the identification in force was
    approved uses them up. A case identified without an approval on record (older data) has one
    identification, so any course counts.
    """
    from services import selectors as identification_selectors

    courses = RehabilitationCourse.objects.filter(case=case).order_by("-start_date", "-pk")
    current = identification_selectors.identification_current(case=case)
    if current is not None and current.status == current.Status.APPROVED and current.decided_at:
        courses = courses.filter(created_at__gte=current.decided_at)
    return courses.first()


# --- entitlements -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseEntitlement:
    course: RehabilitationCourse
    start_date: datetime.date
    last_day: datetime.date
    days_used: int
    days_remaining: int
    status: str
    status_display: str

    @property
    def days_limit(self) -> int:
        return limits.COURSE_DAYS


@dataclass(frozen=True)
class Entitlements:
    course: CourseEntitlement | None
    court_hours_used: Decimal
    court_hours_limit: Decimal
    post_course_used: int
    post_course_limit: int
    post_course_last_day: datetime.date | None
    family_used: int
    family_limit: int
    reflection: ReflectionView | None

    @property
    def court_hours_remaining(self) -> Decimal:
        return max(self.court_hours_limit - self.court_hours_used, Decimal("0"))


def entitlements_for_case(
    *,
    case: Case,
    today: datetime.date | None = None,
    reflection_of: Callable[[], ReflectionView | None] | None = None,
) -> Entitlements:
    """What the state pays for, consumed and remaining, as the case page and the API show it
    (`reflection_of`: the reflection period as the caller has it, for a page that shows it twice)."""
    from services import selectors as services_selectors

    today = today or timezone.localdate()
    course = course_current(case=case)
    course_info = None
    post_used, post_last = 0, None
    if course is not None:
        final = course.ended_on or min(today, course.last_day)
        used = max(min(periods.day_number(course.start_date, final), limits.COURSE_DAYS), 0)
        remaining = limits.COURSE_DAYS - used if course.is_active else 0
        course_info = CourseEntitlement(
            course=course,
            start_date=course.start_date,
            last_day=course.last_day,
            days_used=used,
            days_remaining=remaining,
            status=course.status,
            status_display=course.get_status_display(),
        )
        # An ended course has its end date (a constraint on the table).
        if not course.is_active and course.ended_on is not None:
            post_used = course.post_course_consultations.counted().count()
            post_last = limits.post_course_last_day(course.ended_on)
    # The hours and the family consultations used, in one statement.
    consumed = (
        Case.objects.filter(pk=case.pk)
        .values("pk")
        .annotate(
            hours=Subquery(
                CourtSupportEntry.objects.counted()
                .filter(case_id=OuterRef("pk"))
                .order_by()
                .values("case_id")
                .annotate(total=Sum("hours"))
                .values("total")
            ),
            family=Subquery(
                FamilyConsultation.objects.counted()
                .filter(case_id=OuterRef("pk"))
                .order_by()
                .values("case_id")
                .annotate(n=Count("pk"))
                .values("n")
            ),
        )
        .first()
    )
    hours = (consumed["hours"] if consumed else None) or Decimal("0")
    return Entitlements(
        course=course_info,
        court_hours_used=hours.quantize(Decimal("0.01")),
        court_hours_limit=limits.COURT_SUPPORT_LIMIT,
        post_course_used=post_used,
        post_course_limit=limits.POST_COURSE_LIMIT,
        post_course_last_day=post_last,
        family_used=(consumed["family"] if consumed else None) or 0,
        family_limit=limits.FAMILY_CONSULTATION_LIMIT,
        reflection=reflection_of()
        if reflection_of is not None
        else services_selectors.reflection_period_view(case=case, today=today),
    )


# --- alerts -----------------------------------------------------------------------------------


# An alert is raised some days before the deadline it warns of (due_on is the day it is raised);
# the reader needs the deadline itself. Days from due_on to the deadline, per kind: the warnings
# look ahead, the expiries look back at the last day that passed; court hours have no deadline.
def _deadline_offsets() -> dict[str, int]:
    from services import selectors as services_selectors

    from .jobs import PERMIT_WARN_DAYS_BEFORE

    return {
        Alert.Kind.COURSE_ENDS_SOON: limits.COURSE_WARN_DAYS_BEFORE,
        Alert.Kind.COURSE_LIMIT_REACHED: -1,
        Alert.Kind.REFLECTION_ENDS_SOON: services_selectors.REFLECTION_WARN_DAYS_BEFORE,
        Alert.Kind.REFLECTION_ENDED: -1,
        Alert.Kind.PERMIT_EXPIRES_SOON: PERMIT_WARN_DAYS_BEFORE,
    }


# Kinds whose deadline has passed by the time they are raised: shown as "ended", not "overdue".
ENDED_KINDS = frozenset(
    {Alert.Kind.COURSE_LIMIT_REACHED, Alert.Kind.REFLECTION_ENDED, Alert.Kind.FOLLOW_UP_ENDED}
)
USED_UP_KINDS = frozenset({Alert.Kind.COURT_HOURS_100})


def _with_deadline(qs: QuerySet[Alert]) -> QuerySet[WithAnnotations[Alert, AlertDeadline]]:
    whens = [
        When(kind=kind, then=Cast(F("due_on") + datetime.timedelta(days=days), output_field=DateField()))
        for kind, days in _deadline_offsets().items()
    ]
    return qs.annotate(deadline=SqlCase(*whens, default=F("due_on"), output_field=DateField()))


def _mark_urgency(alerts: list[Any], today: datetime.date | None = None) -> list[Alert]:
    """Days left to each alert's deadline (negative: overdue), for the page to say so: the rows
    carry the figures as attributes the templates read."""
    today = today or timezone.localdate()
    offsets = _deadline_offsets()
    for alert in alerts:
        alert.has_deadline = alert.kind in offsets
        alert.is_ended = alert.kind in ENDED_KINDS
        alert.is_used_up = alert.kind in USED_UP_KINDS
        alert.days_left = (alert.deadline - today).days
        alert.days_overdue = -alert.days_left
    return alerts


def alerts_for_case(*, case: Case, include_acknowledged: bool = True, limit: int = 20) -> list[Alert]:
    qs = _with_deadline(Alert.objects.filter(case=case).select_related("acknowledged_by"))
    if not include_acknowledged:
        qs = qs.filter(acknowledged_at__isnull=True)
    return _mark_urgency(list(qs.order_by("acknowledged_at", "deadline", "-pk")[:limit]))


def alert_get_for_user_or_404(*, user: User, pk: int) -> Alert:
    alert = Alert.objects.select_related("case").filter(pk=pk).first()
    if alert is None:
        raise Http404
    visible = case_permissions.case_visibility_filter(user)
    if visible is None or not Case.objects.filter(visible, pk=alert.case_id).exists():
        raise Http404
    if not permissions.can(user, Action.VIEW, alert.case):
        raise Http404
    return alert


def open_alerts_for_user(*, user: User, limit: int = 50) -> list[Alert] | None:
    """Unacknowledged alerts of the cases assigned to a caseworker, or of every case of a
    coordinator's NGO, the nearest deadline (or the longest overdue) first; None for other roles
    (the panel is then absent). Both roles may see the person's name on these cases."""
    roles = case_permissions.user_roles(user)
    base = Alert.objects.filter(acknowledged_at__isnull=True).exclude(case__stage=Case.Stage.CLOSED)
    if Role.COORDINATOR in roles and user.organisation_id:
        qs = base.filter(case__organisation_id=user.organisation_id)
    elif Role.CASEWORKER in roles and user.organisation_id:
        assigned = CaseAssignment.objects.filter(
            case_id=OuterRef("case_id"), user_id=user.pk, ended_at__isnull=True
        )
        qs = base.filter(Q(case__organisation_id=user.organisation_id) & Exists(assigned))
    else:
        return None
    qs = _with_deadline(qs).select_related("case__person").order_by("deadline", "pk")
    return _mark_urgency(list(qs[:limit]))


def case_timeline_entries(case: Case) -> list[TimelineEntry]:
    """Course, plan and consultation events for the case timeline (never the session notes)."""
    from django.utils.translation import gettext as _

    from cases.selectors import history_timeline_entries

    records = list(
        RehabilitationCourse.history.filter(case_id=case.pk)
        .select_related("history_user")
        .order_by("history_date")
    )
    course_ids = {rec.id for rec in records}

    # simple-history adds the `history` manager at run time; it has no types.
    def of_courses(model: Any) -> list[Any]:
        return list(
            model.history.filter(course_id__in=course_ids)
            .select_related("history_user")
            .order_by("history_date")
        )

    def specialist(rec: Any) -> str:
        return str(SpecialistKind(rec.specialist).label) if rec.specialist in SpecialistKind.values else ""

    return [
        *history_timeline_entries(
            model=RehabilitationCourse,
            records=records,
            created_title=_("Rehabilitation course started"),
            changed_title=_("Rehabilitation course updated"),
            fields={"status", "ended_on"},
        ),
        *history_timeline_entries(
            model=RehabilitationPlan,
            records=of_courses(RehabilitationPlan) if course_ids else [],
            created_title=_("Rehabilitation plan written"),
            changed_title=_("Rehabilitation plan changed"),
            fields=set(RehabilitationPlan.PLANNED_FIELDS.values()),
        ),
        *history_timeline_entries(
            model=CourseService,
            records=of_courses(CourseService) if course_ids else [],
            created_title=lambda rec: (
                _("Consultation: %(specialist)s, %(hours)s h")
                % {"specialist": specialist(rec), "hours": formats.number_format(rec.hours, 2)}
            ),
            changed_title=_("Consultation corrected"),
            fields={"date", "specialist", "hours"},
        ),
        *history_timeline_entries(
            model=PostCourseConsultation,
            records=of_courses(PostCourseConsultation) if course_ids else [],
            created_title=lambda rec: (
                _("Post-course consultation: %(specialist)s") % {"specialist": specialist(rec)}
            ),
            changed_title=_("Consultation corrected"),
            fields={"date", "specialist"},
        ),
    ]


# --- the post-course follow-up (cases.lifecycle, docs/lifecycle.md) ---------------------------


def follow_up_refusal(case: Case) -> str | None:
    """A case waits in follow-up only after its course ended and while the two-year window of the
    post-course consultations is still open."""
    from django.utils.translation import gettext

    course = RehabilitationCourse.objects.filter(case=case).order_by("-start_date", "-pk").first()
    if course is None:
        return gettext("The follow-up comes after a rehabilitation course, and this case has none.")
    # An ended course has its end date (a constraint on the table).
    if course.is_active or course.ended_on is None:
        return gettext("The rehabilitation course is still running: end it before the follow-up starts.")
    last = limits.post_course_last_day(course.ended_on)
    if last < timezone.localdate():
        return gettext(
            "The two years of post-course follow-up ended on %(date)s: close the case instead."
        ) % {"date": last.isoformat()}
    return None
