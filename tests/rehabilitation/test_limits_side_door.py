"""Limits that cannot be passed by the side door: one course per identification, family
consultations only for an identified victim who was a minor on the day of approval, and
impossible dates refused on every date field with a message."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases import dates
from rehabilitation import services
from rehabilitation.models import CourtSupportEntry, RehabilitationCourse
from tests.factories import PersonFactory
from tests.rehabilitation.factories import course_at_day, identified_case

pytestmark = pytest.mark.django_db

D = datetime.timedelta
TODAY = timezone.localdate


def test_a_second_course_on_the_same_identification_is_refused(rcase, caseworker, client):
    course = course_at_day(rcase, 60, actor=caseworker)
    services.course_end(case=rcase, ended_on=TODAY() - D(days=5), status="completed", actor=caseworker)
    with pytest.raises(ValidationError) as refused:
        services.course_start(case=rcase, start_date=TODAY(), actor=caseworker)
    expected = services.COURSE_ONE_PER_IDENTIFICATION % {
        "start": course.start_date.isoformat(),
        "end": (TODAY() - D(days=5)).isoformat(),
    }
    assert refused.value.messages == [str(expected)]
    assert RehabilitationCourse.objects.filter(case=rcase).count() == 1
    client.force_login(caseworker)
    page = client.get(rcase.get_absolute_url()).content.decode()
    assert reverse("rehabilitation:course_start", args=[rcase.reference]) not in page
    response = client.post(
        reverse("rehabilitation:course_start", args=[rcase.reference]), {"start_date": TODAY().isoformat()}
    )
    assert (
        response.status_code == 400
        and "belong to the identification, not to a course" in response.content.decode()
    )


def test_a_new_identification_starts_a_new_entitlement(mandated_ngo, caseworker, coordinator):
    """A course given before the identification in force was approved belongs to the earlier one."""
    from services.models import Identification

    case = identified_case(organisation=mandated_ngo, caseworkers=[caseworker])
    course_at_day(case, 60, actor=caseworker)
    services.course_end(case=case, ended_on=TODAY() - D(days=5), status="completed", actor=caseworker)
    RehabilitationCourse.objects.filter(case=case).update(created_at=timezone.now() - D(days=3))
    Identification.objects.create(
        case=case,
        ground="expert_commission_report",
        commission_date=TODAY() - D(days=2),
        commission_members=[{"name": "A", "profession": "B"}],
        status=Identification.Status.APPROVED,
        proposed_by=caseworker,
        decided_by=coordinator,
        decided_at=timezone.now() - D(days=1),
    )
    assert services.course_start(case=case, start_date=TODAY(), actor=caseworker).is_active


def test_family_consultations_need_an_identified_victim(mandated_ngo, caseworker):
    from cases.models import Case
    from tests.factories import make_case

    minor = PersonFactory(date_of_birth=TODAY().replace(year=TODAY().year - 15))
    presumed = make_case(organisation=mandated_ngo, caseworkers=[caseworker], person=minor)
    assert presumed.victim_status == Case.VictimStatus.PRESUMED
    member = services.family_member_add(
        case=presumed, given_name="Inga", relationship="mother", actor=caseworker
    )
    with pytest.raises(ValidationError) as refused:
        services.family_consultation_log(
            case=presumed, family_member=member, date=TODAY(), specialist="psychologist", actor=caseworker
        )
    assert refused.value.messages == [str(services.FAMILY_NOT_IDENTIFIED)]


# --- dates that cannot be true ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1899-12-31", "1899-12-31 cannot be right: dates before 1900 are not accepted. Check the year."),
        ("0202-05-01", "0202-05-01 cannot be right: dates before 1900 are not accepted. Check the year."),
        (
            "9999-12-31",
            "9999-12-31 cannot be right: dates more than 20 years ahead are not accepted. Check the year.",
        ),
    ],
)
def test_impossible_dates_are_refused_on_the_page_and_the_api(rcase, caseworker, client, typed, message):
    client.force_login(caseworker)
    page = client.post(
        reverse("rehabilitation:court_support_add", args=[rcase.reference]),
        {"date": typed, "hours": "1.00", "activity": "Hearing"},
    )
    assert page.status_code == 400 and message in page.content.decode()
    api = APIClient()
    api.force_authenticate(caseworker)
    response = api.post(
        f"/api/v1/cases/{rcase.reference}/court-support/",
        {"date": typed, "hours": "1.00", "activity": "Hearing"},
        format="json",
    )
    assert response.status_code == 400 and response.json()["date"] == [message]
    course = api.post(f"/api/v1/cases/{rcase.reference}/course/", {"start_date": typed}, format="json")
    assert course.status_code == 400 and course.json()["start_date"] == [message]
    assert not CourtSupportEntry.objects.exists() and not RehabilitationCourse.objects.exists()


def test_the_model_refuses_them_too_and_the_bounds_are_exact():
    dates.validate_plausible_date(datetime.date(1900, 1, 1))
    dates.validate_plausible_date(dates.latest())
    for day in (datetime.date(1899, 12, 31), dates.latest() + D(days=1)):
        with pytest.raises(ValidationError):
            dates.validate_plausible_date(day)
    person = PersonFactory.build(date_of_birth=datetime.date(1850, 1, 1))
    with pytest.raises(ValidationError) as refused:
        person.full_clean()
    assert "dates before 1900 are not accepted" in refused.value.message_dict["date_of_birth"][0]
