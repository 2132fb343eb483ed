"""The daily job: exact days, idempotence, catching up, e-mails without personal data, and a
query count that does not grow with the number of cases."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Alert
from operations.models import OutboxEmail
from operations.services import outbox_deliver
from rehabilitation import jobs
from rehabilitation.models import CourtSupportEntry, RehabilitationCourse
from tests.rehabilitation.factories import course_at_day, identified_case

pytestmark = pytest.mark.django_db

D = datetime.timedelta
Kind = Alert.Kind


def _alerts(case=None):
    qs = Alert.objects.all() if case is None else Alert.objects.filter(case=case)
    return sorted((a.case_id, a.kind, a.due_on) for a in qs)


def _hours(case, hours, actor, day=None):
    entry = CourtSupportEntry(
        case=case,
        date=day or timezone.localdate(),
        hours=Decimal(hours),
        activity="Hearing",
        recorded_by=actor,
    )
    entry.save()
    return entry


def test_course_is_warned_on_day_166_and_ended_on_day_181(mandated_ngo, caseworker):
    today = timezone.localdate()
    cases = {
        day: identified_case(organisation=mandated_ngo, caseworkers=[caseworker])
        for day in (165, 166, 180, 181)
    }
    courses = {day: course_at_day(case, day, actor=caseworker) for day, case in cases.items()}

    result = jobs.enforce_limits(today=today)

    # Day 165: nothing yet. Day 166 (14 days before day 180): the warning, due today.
    assert _alerts(cases[165]) == []
    assert _alerts(cases[166]) == [(cases[166].pk, Kind.COURSE_ENDS_SOON, today)]
    # Day 180 is still a day of the course.
    courses[180].refresh_from_db()
    assert courses[180].status == RehabilitationCourse.Status.ACTIVE
    assert _alerts(cases[180]) == [(cases[180].pk, Kind.COURSE_ENDS_SOON, courses[180].last_day - D(days=14))]
    # Day 181: ended as "limit reached", on its last day, with a history row of the system.
    course = courses[181]
    course.refresh_from_db()
    assert course.status == RehabilitationCourse.Status.LIMIT_REACHED
    assert course.ended_on == course.last_day == today - D(days=1)
    record = course.history.latest()
    assert record.history_type == "~" and record.history_user is None and record.status == "limit_reached"
    assert record.history_change_reason == "Limit reached: 180 days"
    assert _alerts(cases[181]) == sorted(
        [
            (cases[181].pk, Kind.COURSE_ENDS_SOON, course.last_day - D(days=14)),
            (cases[181].pk, Kind.COURSE_LIMIT_REACHED, today),
        ]
    )
    assert result.courses_ended == 1 and result.alerts_raised == 4
    # Every alert has its history row.
    assert Alert.history.filter(history_type="+").count() == 4


def test_second_run_the_same_day_creates_nothing_and_sends_nothing(mandated_ngo, caseworker):
    case = identified_case(organisation=mandated_ngo, caseworkers=[caseworker])
    course_at_day(case, 181, actor=caseworker)
    _hours(case, "120.00", caseworker)
    first = jobs.enforce_limits()
    assert first.alerts_raised == 3 and first.emails_sent == 1
    before = (
        _alerts(),
        RehabilitationCourse.history.count(),
        Alert.history.count(),
        OutboxEmail.objects.count(),
    )

    second = jobs.enforce_limits()

    assert second.alerts_raised == 0 and second.courses_ended == 0 and second.emails_sent == 0
    assert (
        _alerts(),
        RehabilitationCourse.history.count(),
        Alert.history.count(),
        OutboxEmail.objects.count(),
    ) == before
    # The next day neither: the court-hours warning is once per case, whatever the date.
    assert jobs.enforce_limits(today=timezone.localdate() + D(days=1)).alerts_raised == 0


def test_a_week_missed_is_caught_up_with_the_right_dates(mandated_ngo, caseworker):
    today = timezone.localdate()
    week_ago = today - D(days=7)
    # As of a week ago: at day 160 (warning due in 6 days) and day 176 (last day in 4 days).
    a = identified_case(organisation=mandated_ngo, caseworkers=[caseworker])
    b = identified_case(organisation=mandated_ngo, caseworkers=[caseworker])
    course_a = course_at_day(a, 160, actor=caseworker, today=week_ago)
    course_b = course_at_day(b, 176, actor=caseworker, today=week_ago)
    jobs.enforce_limits(today=week_ago)
    assert _alerts() == [(b.pk, Kind.COURSE_ENDS_SOON, course_b.last_day - D(days=14))]

    # The job was down for a week; today's run catches up.
    result = jobs.enforce_limits(today=today)

    course_a.refresh_from_db()
    course_b.refresh_from_db()
    assert course_a.status == "active"
    assert course_b.status == "limit_reached" and course_b.ended_on == course_b.last_day == week_ago + D(
        days=4
    )
    assert _alerts() == sorted(
        [
            (
                a.pk,
                Kind.COURSE_ENDS_SOON,
                week_ago + D(days=6),
            ),  # due during the week: raised once, with its date
            (b.pk, Kind.COURSE_ENDS_SOON, course_b.last_day - D(days=14)),
            (b.pk, Kind.COURSE_LIMIT_REACHED, course_b.last_day + D(days=1)),
        ]
    )
    assert result.alerts_raised == 2 and result.courses_ended == 1
    assert jobs.enforce_limits(today=today).alerts_raised == 0


def test_court_support_warnings_at_80_and_100_percent(mandated_ngo, caseworker):
    today = timezone.localdate()
    below, at_80, at_100 = (
        identified_case(organisation=mandated_ngo, caseworkers=[caseworker]) for _ in range(3)
    )
    _hours(below, "119.75", caseworker)
    _hours(at_80, "120.00", caseworker)
    _hours(at_100, "100.00", caseworker)
    _hours(at_100, "50.00", caseworker)
    jobs.enforce_limits(today=today)
    assert _alerts() == sorted(
        [
            (at_80.pk, Kind.COURT_HOURS_80, today),
            (at_100.pk, Kind.COURT_HOURS_80, today),
            (at_100.pk, Kind.COURT_HOURS_100, today),
        ]
    )


def test_reflection_period_warned_5_days_before_and_ended_on_day_31(mandated_ngo, caseworker):
    from services.limits import reflection_period_last_day
    from services.models import ReflectionPeriod

    today = timezone.localdate()
    periods = {}
    for day in (24, 25, 30, 31):
        case = identified_case(organisation=mandated_ngo, caseworkers=[caseworker])
        start = today - D(days=day - 1)
        periods[day] = ReflectionPeriod.objects.create(
            case=case, start_date=start, last_day=reflection_period_last_day(start), recorded_by=caseworker
        )
    jobs.enforce_limits(today=today)
    for p in periods.values():
        p.refresh_from_db()
    assert _alerts(periods[24].case) == []
    assert _alerts(periods[25].case) == [(periods[25].case_id, Kind.REFLECTION_ENDS_SOON, today)]
    assert periods[30].status == "running"
    assert periods[31].status == "ended" and periods[31].ended_on == periods[31].last_day == today - D(days=1)
    assert periods[31].history.latest().history_change_reason == "Reflection period ended: 30 days"
    assert (periods[31].case_id, Kind.REFLECTION_ENDED, today) in _alerts(periods[31].case)


def test_residence_permit_reminded_30_days_before_expiry(mandated_ngo, caseworker):
    from services.models import ResidencePermit

    today = timezone.localdate()
    cases = []
    for days_left in (31, 30):
        case = identified_case(organisation=mandated_ngo, caseworkers=[caseworker])
        ResidencePermit.objects.create(
            case=case,
            travel_document_presented_on=today - D(days=400),
            travel_document_type="passport",
            travel_document_number="X1",
            application_submitted_on=today - D(days=399),
            decision="granted",
            decision_on=today - D(days=340),
            permit_number="RP-1",
            valid_from=today - D(days=335),
            valid_until=today + D(days=days_left),
            recorded_by=caseworker,
        )
        cases.append(case)
    jobs.enforce_limits(today=today)
    assert _alerts() == [(cases[1].pk, Kind.PERMIT_EXPIRES_SOON, today)]


def test_emails_go_to_the_assigned_caseworkers_with_a_link_and_no_personal_data(
    mandated_ngo, caseworker, caseworker2, coordinator
):
    case = identified_case(organisation=mandated_ngo, caseworkers=[caseworker, caseworker2])
    course_at_day(case, 181, actor=caseworker)
    jobs.enforce_limits()
    assert mail.outbox == []  # written to the outbox, sent by the delivery job
    outbox_deliver()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([caseworker.email, caseworker2.email])
    person = case.person
    for message in mail.outbox:
        assert (
            message.body
            == f"A case you work on has a new alert: http://127.0.0.1:8000/cases/{case.reference}/#alerts-h"
        )
        text = message.subject + message.body
        for personal in (
            person.given_name,
            person.family_name,
            str(person.date_of_birth),
            caseworker.last_name,
        ):
            assert personal not in text


def test_the_emails_go_into_the_outbox_in_one_statement_however_many(
    mandated_ngo, caseworker, caseworker2, coordinator
):
    cases = [
        identified_case(organisation=mandated_ngo, caseworkers=[caseworker, caseworker2]) for _ in range(12)
    ]
    for case in cases:
        course_at_day(case, 181, actor=caseworker)
    with CaptureQueriesContext(connection) as ctx:
        result = jobs.enforce_limits()
    table = OutboxEmail._meta.db_table
    inserts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith(f'INSERT INTO "{table}"')]
    assert len(inserts) == 1
    assert result.emails_sent == 24 == OutboxEmail.objects.count()
    rows = OutboxEmail.objects.order_by("to_address", "body")
    assert {(r.to_address, r.recipient_id) for r in rows} == {
        (caseworker.email, caseworker.pk),
        (caseworker2.email, caseworker2.pk),
    }
    assert sorted(r.body.rsplit("/cases/", 1)[1] for r in rows if r.recipient_id == caseworker.pk) == sorted(
        f"{c.reference}/#alerts-h" for c in cases
    )
    assert all(r.kind == OutboxEmail.Kind.ALERT and r.status == OutboxEmail.Status.PENDING for r in rows)
    assert len({r.dedupe_key for r in rows}) == 24


def test_closed_cases_raise_nothing(mandated_ngo, caseworker, coordinator):
    from cases import services as case_services

    case = identified_case(organisation=mandated_ngo, caseworkers=[caseworker])
    course_at_day(case, 170, actor=caseworker)
    case_services.case_close(case=case, actor=coordinator, reason="Moved abroad")
    jobs.enforce_limits()
    assert _alerts() == []


def _population(n, mandated_ngo, caseworker):
    from services.limits import reflection_period_last_day
    from services.models import ReflectionPeriod

    today = timezone.localdate()
    for i in range(n):
        case = identified_case(organisation=mandated_ngo, caseworkers=[caseworker])
        course_at_day(case, (166, 181, 100)[i % 3], actor=caseworker)
        _hours(case, ("120.00", "150.00", "10.00")[i % 3], caseworker)
        start = today - D(days=(25, 31, 3)[i % 3] - 1)
        ReflectionPeriod.objects.create(
            case=case, start_date=start, last_day=reflection_period_last_day(start), recorded_by=caseworker
        )


def _count_queries():
    with CaptureQueriesContext(connection) as ctx:
        jobs.enforce_limits()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("n", [3, 30])
def test_the_job_runs_the_same_number_of_queries_for_3_and_30_cases(
    n, mandated_ngo, caseworker, django_assert_num_queries
):
    _population(n, mandated_ngo, caseworker)
    # 16 statements (the last: the e-mails into the outbox, one INSERT ... SELECT) and the
    # transaction's savepoint pair; no more for 30 cases than for 3.
    with django_assert_num_queries(18):
        result = jobs.enforce_limits()
    assert result.courses_ended == n // 3
    assert Alert.objects.count() == result.alerts_raised > 0
    # The idle run: fewer, and fixed (nothing to end or copy to history, nobody to tell).
    with django_assert_num_queries(13):
        jobs.enforce_limits()


def test_the_management_command_runs_for_a_date(mandated_ngo, caseworker, capsys):
    case = identified_case(organisation=mandated_ngo, caseworkers=[caseworker])
    course = course_at_day(case, 100, actor=caseworker)
    call_command("enforce_limits", "--date", (course.last_day + D(days=1)).isoformat())
    course.refresh_from_db()
    assert course.status == "limit_reached" and course.ended_on == course.last_day
    assert "2 alerts raised, 1 courses ended" in capsys.readouterr().out


def test_alerts_the_job_missed_are_raised_within_the_catch_up_window_only(mandated_ngo, caseworker):
    """A period that ran out, or hours recorded, more than CATCH_UP_DAYS ago and never alerted
    (the job did not run then) stay without an alert; within the window they get theirs."""
    from services.limits import reflection_period_last_day
    from services.models import ReflectionPeriod

    today = timezone.localdate()
    window = jobs.CATCH_UP_DAYS
    periods = {}
    for ago in (window - 1, window + 1):
        case = identified_case(organisation=mandated_ngo, caseworkers=[caseworker])
        last_day = today - D(days=ago)
        start = last_day - (reflection_period_last_day(last_day) - last_day)
        periods[ago] = ReflectionPeriod.objects.create(
            case=case,
            start_date=start,
            last_day=last_day,
            status="ended",
            ended_on=last_day,
            recorded_by=caseworker,
        )
    hours = {}
    for ago in (window - 1, window + 1):
        case = identified_case(organisation=mandated_ngo, caseworkers=[caseworker])
        _hours(case, "150.00", caseworker, day=today - D(days=ago))
        CourtSupportEntry.objects.filter(case=case).update(created_at=timezone.now() - D(days=ago))
        hours[ago] = case

    jobs.enforce_limits(today=today)

    recent, old = periods[window - 1], periods[window + 1]
    assert _alerts(recent.case) == [(recent.case_id, Kind.REFLECTION_ENDED, recent.last_day + D(days=1))]
    assert _alerts(old.case) == []
    assert _alerts(hours[window - 1]) == sorted(
        [
            (hours[window - 1].pk, Kind.COURT_HOURS_80, today),
            (hours[window - 1].pk, Kind.COURT_HOURS_100, today),
        ]
    )
    assert _alerts(hours[window + 1]) == []


def test_a_run_replayed_for_an_earlier_date_looks_back_from_that_date(mandated_ngo, caseworker):
    """Hours recorded 70 days ago, never alerted: a run replayed as of 65 days ago (the command's
    --date) raises their alerts; the window counts from the run's date, not from the clock."""
    today = timezone.localdate()
    case = identified_case(organisation=mandated_ngo, caseworkers=[caseworker])
    _hours(case, "150.00", caseworker, day=today - D(days=70))
    CourtSupportEntry.objects.filter(case=case).update(created_at=timezone.now() - D(days=70))

    jobs.enforce_limits(today=today - D(days=65))

    assert _alerts(case) == sorted(
        [
            (case.pk, Kind.COURT_HOURS_80, today - D(days=65)),
            (case.pk, Kind.COURT_HOURS_100, today - D(days=65)),
        ]
    )
