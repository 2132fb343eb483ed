"""The services: each limit's exact boundary, its message, and the history row with its user."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases import periods
from cases.models import Alert, Case
from rehabilitation import limits, services
from rehabilitation.models import (
    CourtSupportEntry,
    FamilyConsultation,
    PostCourseConsultation,
    RehabilitationCourse,
)
from tests.factories import PersonFactory, make_case
from tests.rehabilitation.factories import course_at_day, identified_case

pytestmark = pytest.mark.django_db

TODAY = lambda: timezone.localdate()  # noqa: E731
D = datetime.timedelta


def _messages(exc, field=None):
    return exc.value.message_dict[field] if field else exc.value.messages


# --- the course -------------------------------------------------------------------------------


def test_course_start_records_the_last_day_and_history(rcase, caseworker):
    start = TODAY() - D(days=10)
    course = services.course_start(case=rcase, start_date=start, actor=caseworker)
    assert course.last_day == start + D(days=179)
    assert course.status == RehabilitationCourse.Status.ACTIVE
    record = course.history.get()
    assert record.history_user == caseworker and record.history_type == "+"


def test_course_start_refuses_a_presumed_victim(mandated_ngo, caseworker):
    case = make_case(organisation=mandated_ngo, caseworkers=[caseworker])
    with pytest.raises(ValidationError) as exc:
        services.course_start(case=case, start_date=TODAY(), actor=caseworker)
    assert _messages(exc) == [services.NOT_IDENTIFIED]


def test_course_start_refuses_a_second_active_course_and_a_future_start(rcase, caseworker):
    services.course_start(case=rcase, start_date=TODAY(), actor=caseworker)
    with pytest.raises(ValidationError) as exc:
        services.course_start(case=rcase, start_date=TODAY(), actor=caseworker)
    assert _messages(exc) == [services.COURSE_ALREADY_ACTIVE]
    case = identified_case(organisation=rcase.organisation, caseworkers=[caseworker])
    with pytest.raises(ValidationError) as exc:
        services.course_start(case=case, start_date=TODAY() + D(days=1), actor=caseworker)
    assert _messages(exc, "start_date") == [services.DATE_IN_FUTURE]


def test_course_start_is_refused_to_the_national_coordinator_and_an_unassigned_caseworker(
    rcase, national, caseworker2
):
    for user in (national, caseworker2):
        with pytest.raises(PermissionDenied):
            services.course_start(case=rcase, start_date=TODAY(), actor=user)


def test_day_180_is_accepted_and_day_181_refused(rcase, caseworker):
    course = course_at_day(rcase, 181, actor=caseworker)
    day_180 = course.start_date + D(days=179)
    entry = services.course_service_log(
        case=rcase, date=day_180, specialist="psychologist", hours="1.00", notes="n", actor=caseworker
    )
    assert entry.history.get().history_user == caseworker
    day_181 = course.start_date + D(days=180)
    with pytest.raises(ValidationError) as exc:
        services.course_service_log(
            case=rcase, date=day_181, specialist="psychologist", hours="1.00", actor=caseworker
        )
    assert _messages(exc, "date") == [
        services.COURSE_DAY_OVER % {"last_day": day_180.isoformat(), "date": day_181.isoformat(), "day": 181}
    ]
    # Material assistance obeys the same days.
    services.material_assistance_log(
        case=rcase, date=day_180, description="Food", amount_eur="20.00", actor=caseworker
    )
    with pytest.raises(ValidationError):
        services.material_assistance_log(
            case=rcase, date=day_181, description="Food", amount_eur="20.00", actor=caseworker
        )


def test_course_service_refuses_before_the_start_after_an_early_end_and_odd_hours(rcase, caseworker):
    course = course_at_day(rcase, 20, actor=caseworker)
    with pytest.raises(ValidationError) as exc:
        services.course_service_log(
            case=rcase, date=course.start_date - D(days=1), specialist="lawyer", hours="1", actor=caseworker
        )
    assert _messages(exc, "date") == [services.BEFORE_COURSE % {"start": course.start_date.isoformat()}]
    for bad in ("0", "0.30", "-1", "abc"):
        with pytest.raises(ValidationError) as exc:
            services.course_service_log(
                case=rcase, date=TODAY(), specialist="lawyer", hours=bad, actor=caseworker
            )
        assert _messages(exc, "hours") == [services.QUARTER_HOURS]
    ended_on = course.start_date + D(days=9)
    services.course_end(
        case=rcase, ended_on=ended_on, status="ended_early", reason="Moved abroad", actor=caseworker
    )
    with pytest.raises(ValidationError) as exc:
        services.course_service_log(
            case=rcase, date=ended_on + D(days=1), specialist="lawyer", hours="1", actor=caseworker
        )
    assert _messages(exc, "date") == [services.AFTER_COURSE_END % {"end": ended_on.isoformat()}]


def test_course_end_rules_and_history(rcase, caseworker):
    course = course_at_day(rcase, 30, actor=caseworker)
    with pytest.raises(ValidationError) as exc:
        services.course_end(case=rcase, ended_on=TODAY(), status="ended_early", reason=" ", actor=caseworker)
    assert _messages(exc, "reason") == [services.END_NEEDS_REASON]
    services.course_service_log(
        case=rcase, date=TODAY() - D(days=2), specialist="lawyer", hours="1", actor=caseworker
    )
    with pytest.raises(ValidationError) as exc:
        services.course_end(case=rcase, ended_on=TODAY() - D(days=3), status="completed", actor=caseworker)
    assert _messages(exc, "ended_on") == [
        services.END_BEFORE_SERVICES % {"date": (TODAY() - D(days=2)).isoformat()}
    ]
    course = services.course_end(case=rcase, ended_on=TODAY(), status="completed", actor=caseworker)
    assert course.status == "completed" and course.ended_on == TODAY()
    assert course.history.latest().history_user == caseworker
    with pytest.raises(ValidationError) as exc:
        services.course_end(case=rcase, ended_on=TODAY(), status="completed", actor=caseworker)
    assert _messages(exc) == [services.NO_ACTIVE_COURSE]


# --- court support ----------------------------------------------------------------------------


def _court(case, hours, actor, **kw):
    return services.court_support_log(
        case=case, date=TODAY(), hours=hours, activity="Hearing", actor=actor, **kw
    )


def test_court_support_150_accepted_150_25_refused(rcase, caseworker):
    _court(rcase, "148.00", caseworker)
    entry = _court(rcase, "2.00", caseworker)
    assert entry.history.get().history_user == caseworker
    assert CourtSupportEntry.objects.filter(case=rcase).count() == 2
    with pytest.raises(ValidationError) as exc:
        _court(rcase, "0.25", caseworker)
    assert _messages(exc, "hours") == [
        "All 150.00 hours of court support are used; no more can be logged for this identification."
    ]


def test_court_support_message_says_what_remains(rcase, caseworker):
    _court(rcase, "147.75", caseworker)
    with pytest.raises(ValidationError) as exc:
        _court(rcase, "3", caseworker)
    assert _messages(exc, "hours") == ["2.25 hours of court support remain; this entry asks for 3.00 hours."]
    assert _messages(exc, "hours") == [
        services.COURT_SUPPORT_OVER % {"remaining": "2.25", "requested": "3.00"}
    ]


def test_court_support_refuses_quarter_hour_violations_and_presumed_victims(rcase, mandated_ngo, caseworker):
    with pytest.raises(ValidationError) as exc:
        _court(rcase, "1.10", caseworker)
    assert _messages(exc, "hours") == [services.QUARTER_HOURS]
    presumed = make_case(organisation=mandated_ngo, caseworkers=[caseworker])
    with pytest.raises(ValidationError) as exc:
        _court(presumed, "1.00", caseworker)
    assert _messages(exc) == [services.NOT_IDENTIFIED]


def test_court_support_is_refused_to_the_national_coordinator(rcase, national):
    with pytest.raises(PermissionDenied):
        _court(rcase, "1.00", national)


# --- post-course consultations ----------------------------------------------------------------


def _ended_course(case, actor, *, ended_days_ago):
    course_at_day(case, 40 + ended_days_ago, actor=actor)
    ended_on = TODAY() - D(days=ended_days_ago)
    return services.course_end(case=case, ended_on=ended_on, status="completed", actor=actor)


def test_post_course_needs_an_ended_course_and_a_date_after_it(rcase, caseworker):
    course_at_day(rcase, 10, actor=caseworker)
    with pytest.raises(ValidationError) as exc:
        services.post_course_consultation_log(
            case=rcase, date=TODAY(), specialist="psychologist", actor=caseworker
        )
    assert _messages(exc) == [services.POST_COURSE_NOT_ENDED]
    case = identified_case(organisation=rcase.organisation, caseworkers=[caseworker])
    course = _ended_course(case, caseworker, ended_days_ago=5)
    with pytest.raises(ValidationError) as exc:
        services.post_course_consultation_log(
            case=case, date=course.ended_on, specialist="psychologist", actor=caseworker
        )
    assert _messages(exc, "date") == [services.POST_COURSE_NOT_AFTER % {"end": course.ended_on.isoformat()}]
    entry = services.post_course_consultation_log(
        case=case, date=course.ended_on + D(days=1), specialist="psychologist", actor=caseworker
    )
    assert entry.history.get().history_user == caseworker


def test_post_course_within_two_years_of_the_end(mandated_ngo, caseworker):
    case = identified_case(organisation=mandated_ngo, caseworkers=[caseworker], opened_days_ago=1200)
    course = course_at_day(case, 900, actor=caseworker)
    # End it by hand at an exact date: two years and one day ago.
    ended_on = periods.add_years(TODAY(), -2) - D(days=1)
    course.status, course.ended_on, course.end_reason = "completed", ended_on, ""
    course.save()
    last = limits.post_course_last_day(ended_on)
    assert last == TODAY() - D(days=1)
    services.post_course_consultation_log(case=case, date=last, specialist="lawyer", actor=caseworker)
    with pytest.raises(ValidationError) as exc:
        services.post_course_consultation_log(
            case=case, date=last + D(days=1), specialist="lawyer", actor=caseworker
        )
    assert _messages(exc, "date") == [
        services.POST_COURSE_TOO_LATE % {"last": last.isoformat(), "date": (last + D(days=1)).isoformat()}
    ]


def test_post_course_at_most_five(rcase, caseworker):
    course = _ended_course(rcase, caseworker, ended_days_ago=10)
    for n in range(5):
        services.post_course_consultation_log(
            case=rcase, date=course.ended_on + D(days=n + 1), specialist="lawyer", actor=caseworker
        )
    with pytest.raises(ValidationError) as exc:
        services.post_course_consultation_log(case=rcase, date=TODAY(), specialist="lawyer", actor=caseworker)
    assert _messages(exc) == [services.POST_COURSE_USED % {"limit": 5}]
    assert PostCourseConsultation.objects.count() == 5


# --- family consultations ---------------------------------------------------------------------


def test_family_consultations_only_for_a_minor_at_identification_and_at_most_five(mandated_ngo, caseworker):
    today = TODAY()
    minor = PersonFactory(date_of_birth=today.replace(year=today.year - 16))
    case = identified_case(organisation=mandated_ngo, caseworkers=[caseworker], person=minor)
    member = services.family_member_add(case=case, given_name="Inga", relationship="mother", actor=caseworker)
    for _n in range(5):
        services.family_consultation_log(
            case=case, family_member=member, date=today, specialist="psychologist", actor=caseworker
        )
    with pytest.raises(ValidationError) as exc:
        services.family_consultation_log(
            case=case, family_member=member, date=today, specialist="psychologist", actor=caseworker
        )
    assert _messages(exc) == [services.FAMILY_USED % {"limit": 5}]
    assert FamilyConsultation.objects.filter(case=case).count() == 5
    assert FamilyConsultation.history.filter(history_user=caseworker).count() == 5

    adult = PersonFactory(date_of_birth=datetime.date(1990, 1, 1))
    adult_case = identified_case(organisation=mandated_ngo, caseworkers=[caseworker], person=adult)
    member = services.family_member_add(
        case=adult_case, given_name="Ivars", relationship="brother", actor=caseworker
    )
    with pytest.raises(ValidationError) as exc:
        services.family_consultation_log(
            case=adult_case, family_member=member, date=today, specialist="lawyer", actor=caseworker
        )
    on = adult_case.opened_on  # no approved identification and no course: the day the case opened
    assert _messages(exc) == [services.FAMILY_NOT_MINOR % {"age": adult.age_on(on), "date": on.isoformat()}]


def test_family_consultation_uses_the_age_on_the_identification_approval(
    mandated_ngo, caseworker, coordinator
):
    """Turned 18 after the identification was approved: still a minor at identification."""
    from services.models import Identification

    today = TODAY()
    person = PersonFactory(date_of_birth=periods.add_years(today, -18) - D(days=10))  # 18 for ten days
    case = identified_case(organisation=mandated_ngo, caseworkers=[caseworker], person=person)
    ident = Identification(
        case=case,
        ground="criminal_procedure_decision",
        cp_case_number="1",
        cp_date=today - D(days=40),
        cp_body="Police",
        proposed_by=caseworker,
        status=Identification.Status.APPROVED,
        decided_by=coordinator,
        decided_at=timezone.now() - D(days=30),
    )
    ident.save()
    member = services.family_member_add(case=case, given_name="Inga", relationship="mother", actor=caseworker)
    consultation = services.family_consultation_log(
        case=case, family_member=member, date=today, specialist="psychologist", actor=caseworker
    )
    consultation.refresh_from_db()
    assert (consultation.case, consultation.family_member, consultation.date) == (case, member, today)


def test_family_consultation_refuses_another_cases_member(mandated_ngo, caseworker):
    today = TODAY()
    minor = PersonFactory(date_of_birth=today.replace(year=today.year - 15))
    a = identified_case(organisation=mandated_ngo, caseworkers=[caseworker], person=minor)
    b = identified_case(
        organisation=mandated_ngo,
        caseworkers=[caseworker],
        person=PersonFactory(date_of_birth=minor.date_of_birth),
    )
    member_of_b = services.family_member_add(case=b, given_name="X", relationship="sister", actor=caseworker)
    with pytest.raises(ValidationError) as exc:
        services.family_consultation_log(
            case=a, family_member=member_of_b, date=today, specialist="lawyer", actor=caseworker
        )
    assert _messages(exc, "family_member") == [services.FAMILY_MEMBER_NOT_OF_CASE]


# --- alerts -----------------------------------------------------------------------------------


def test_alert_acknowledge_by_the_caseworker_with_history(rcase, caseworker, national):
    alert = Alert.objects.create(case=rcase, kind=Alert.Kind.COURT_HOURS_80, due_on=TODAY())
    with pytest.raises(PermissionDenied):
        services.alert_acknowledge(alert=alert, actor=national)
    alert = services.alert_acknowledge(alert=alert, actor=caseworker)
    assert alert.acknowledged_by == caseworker and alert.acknowledged_at is not None
    assert alert.history.latest().history_user == caseworker
    with pytest.raises(ValidationError) as exc:
        services.alert_acknowledge(alert=alert, actor=caseworker)
    assert _messages(exc) == [services.ALERT_ALREADY_ACKNOWLEDGED]


def test_closed_case_takes_no_entries(rcase, caseworker, coordinator):
    from cases import services as case_services

    case_services.case_close(case=rcase, actor=coordinator, reason="Done")
    rcase.refresh_from_db()
    assert rcase.stage == Case.Stage.CLOSED
    with pytest.raises(PermissionDenied):
        _court(rcase, "1.00", coordinator)


def test_hours_text_has_two_decimals():
    assert limits.hours_text(Decimal("2.25")) == "2.25"
    assert limits.hours_text(Decimal("3")) == "3.00"


def test_the_database_refuses_hours_that_are_not_quarter_hours(rcase, caseworker):
    from django.db import IntegrityError, transaction

    for bad in ("0.30", "0.00", "-0.25"):
        with pytest.raises(IntegrityError), transaction.atomic():
            CourtSupportEntry.objects.create(
                case=rcase, date=TODAY(), hours=Decimal(bad), activity="x", recorded_by=caseworker
            )
    CourtSupportEntry.objects.create(
        case=rcase, date=TODAY(), hours=Decimal("0.75"), activity="x", recorded_by=caseworker
    )


def test_the_entry_that_reaches_80_and_100_percent_raises_its_alert_at_once(rcase, caseworker):
    _court(rcase, "119.75", caseworker)
    assert not Alert.objects.filter(case=rcase).exists()
    _court(rcase, "0.25", caseworker)
    alert = Alert.objects.get(case=rcase)
    assert (alert.kind, alert.due_on) == (Alert.Kind.COURT_HOURS_80, TODAY())
    assert alert.history.get().history_user == caseworker
    _court(rcase, "30.00", caseworker)
    assert set(Alert.objects.filter(case=rcase).values_list("kind", flat=True)) == {
        Alert.Kind.COURT_HOURS_80,
        Alert.Kind.COURT_HOURS_100,
    }
    # The nightly job raises no second one.
    from rehabilitation.jobs import enforce_limits

    assert enforce_limits().alerts_raised == 0
    assert Alert.objects.filter(case=rcase).count() == 2


def test_court_hours_used_up_is_its_own_message(rcase, caseworker):
    _court(rcase, "150.00", caseworker)
    with pytest.raises(ValidationError) as exc:
        _court(rcase, "0.25", caseworker)
    assert _messages(exc, "hours") == [services.COURT_SUPPORT_USED_UP % {"limit": "150.00"}]


def test_hours_display_follows_the_language():
    from django.utils import translation

    with translation.override("lv"):
        assert limits.hours_display(Decimal("2.5")) == "2,50"
    with translation.override("en"):
        assert limits.hours_display(Decimal("2.5")) == "2.50"
    assert limits.hours_text(Decimal("2.5")) == "2.50"
