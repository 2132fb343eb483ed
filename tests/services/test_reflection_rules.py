"""The reflection period: not in the future, not before the person was met, and ended early with
a reason (page and API)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from services import selectors, services
from services.models import ReflectionPeriod
from tests.services.factories import case_with

pytestmark = pytest.mark.django_db

D = datetime.timedelta


def test_a_reflection_period_cannot_start_in_the_future(mandated_ngo, caseworker):
    case = case_with(organisation=mandated_ngo, caseworkers=[caseworker], citizenships=["UA"])
    with pytest.raises(ValidationError) as refused:
        services.reflection_period_start(
            case=case, actor=caseworker, start_date=timezone.localdate() + D(days=1)
        )
    assert refused.value.message_dict == {"start_date": [str(services.REFLECTION_START_IN_FUTURE)]}
    assert not ReflectionPeriod.objects.exists()


def test_a_reflection_period_cannot_start_before_the_person_was_met(mandated_ngo, caseworker, police):
    from referrals.models import Referral

    case = case_with(organisation=mandated_ngo, caseworkers=[caseworker], citizenships=["UA"])
    met = timezone.localdate() - D(days=10)
    Referral.objects.create(
        organisation=police.organisation,
        created_by=police,
        status=Referral.Status.SUBMITTED,
        submitted_at=timezone.now(),
        case=case,
        met_on=met,
    )
    with pytest.raises(ValidationError) as refused:
        services.reflection_period_start(case=case, actor=caseworker, start_date=met - D(days=1))
    assert refused.value.message_dict == {
        "start_date": [str(services.REFLECTION_BEFORE_MET % {"met": met.isoformat()})]
    }
    assert services.reflection_period_start(case=case, actor=caseworker, start_date=met).pk


def test_a_reflection_period_ends_early_with_a_reason(client, mandated_ngo, caseworker, national):
    case = case_with(organisation=mandated_ngo, caseworkers=[caseworker], citizenships=["UA"])
    today = timezone.localdate()
    period = services.reflection_period_start(case=case, actor=caseworker, start_date=today - D(days=5))
    with pytest.raises(ValidationError) as no_reason:
        services.reflection_period_end(case=case, actor=caseworker, ended_on=today, reason=" ")
    assert no_reason.value.message_dict == {"reason": [str(services.REFLECTION_END_NEEDS_REASON)]}
    with pytest.raises(ValidationError) as before:
        services.reflection_period_end(case=case, actor=caseworker, ended_on=today - D(days=6), reason="x")
    assert before.value.message_dict == {
        "ended_on": [str(services.REFLECTION_END_BEFORE_START % {"start": period.start_date.isoformat()})]
    }
    with pytest.raises(ValidationError) as future:
        services.reflection_period_end(case=case, actor=caseworker, ended_on=today + D(days=1), reason="x")
    assert future.value.message_dict == {"ended_on": [str(services.REFLECTION_END_IN_FUTURE)]}

    client.force_login(caseworker)
    url = reverse("services:reflection_period_end", args=[case.reference])
    assert url in client.get(case.get_absolute_url()).content.decode()
    response = client.post(
        url, {"ended_on": today.isoformat(), "reason": "Decided to cooperate with the investigation"}
    )
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.status == ReflectionPeriod.Status.ENDED_EARLY and period.ended_on == today
    assert period.history.latest().history_user == caseworker
    view = selectors.reflection_period_view(case=case)
    assert view.last_day == today and view.has_run_out
    with pytest.raises(ValidationError) as again:
        services.reflection_period_end(case=case, actor=caseworker, ended_on=today, reason="x")
    assert again.value.messages == [str(services.REFLECTION_NOT_RUNNING)]
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Decided to cooperate with the investigation" in page and url not in page


def test_the_api_ends_it_early_and_is_in_the_schema(mandated_ngo, caseworker, national):
    case = case_with(organisation=mandated_ngo, caseworkers=[caseworker], citizenships=["UA"])
    today = timezone.localdate()
    services.reflection_period_start(case=case, actor=caseworker, start_date=today - D(days=2))
    api = APIClient()
    api.force_authenticate(national)
    url = f"/api/v1/cases/{case.reference}/reflection-period/end/"
    assert api.post(url, {"ended_on": today.isoformat(), "reason": "x"}, format="json").status_code == 403
    api.force_authenticate(caseworker)
    response = api.post(url, {"ended_on": today.isoformat(), "reason": "Left Latvia"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "ended_early" and response.json()["end_reason"] == "Left Latvia"
    schema = api.get("/api/schema/").content.decode()
    assert "/api/v1/cases/{reference}/reflection-period/end/" in schema
