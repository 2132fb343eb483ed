"""Helpers for the rehabilitation tests: identified cases and courses at a given day."""

import datetime

from django.utils import timezone

from cases.models import Case
from rehabilitation import limits
from rehabilitation.models import RehabilitationCourse
from tests.factories import PersonFactory, make_case


def identified_case(*, organisation, caseworkers=(), opened_days_ago=400, person=None, **changes) -> Case:
    today = timezone.localdate()
    return make_case(
        organisation=organisation,
        caseworkers=caseworkers,
        person=person or PersonFactory(),
        opened_on=today - datetime.timedelta(days=opened_days_ago),
        victim_status=Case.VictimStatus.IDENTIFIED,
        stage=Case.Stage.REHABILITATION,
        **changes,
    )


def course_at_day(case: Case, day: int, *, actor, today: datetime.date | None = None) -> RehabilitationCourse:
    """A course of `case` that is at day `day` today (day 1 = started today)."""
    today = today or timezone.localdate()
    start = today - datetime.timedelta(days=day - 1)
    course = RehabilitationCourse(
        case=case, start_date=start, last_day=limits.course_last_day(start), recorded_by=actor
    )
    course._history_user = actor
    course.save()
    return course
