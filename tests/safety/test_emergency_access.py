"""Emergency access: a coordinator not named on a high-risk case opens it, for a limited time."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import SecurityEvent
from cases import permissions as case_permissions
from cases.models import CaseAccess, Role
from cases.permissions import Action
from operations.models import OutboxEmail
from safety import services
from safety.models import EmergencyAccess
from tests.factories import UserFactory

from .conftest import PHONE

pytestmark = pytest.mark.django_db


def test_the_case_page_leads_a_restricted_coordinator_to_the_emergency_form(
    client, high_risk_case, coordinator2
):
    client.force_login(coordinator2)
    response = client.get(high_risk_case.get_absolute_url())
    url = reverse("safety:emergency_access", kwargs={"reference": high_risk_case.reference})
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url)
    assert page.status_code == 200 and PHONE not in page.content.decode()
    # The refusal itself is in the security log.
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.ACCESS_REFUSED, user=coordinator2).exists()


def test_others_get_the_same_404(client, high_risk_case, caseworker2, coordinator, other_ngo_worker):
    url = reverse("safety:emergency_access", kwargs={"reference": high_risk_case.reference})
    for user in (caseworker2, coordinator, other_ngo_worker):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(caseworker2)
    assert client.get(high_risk_case.get_absolute_url()).status_code == 404


def test_a_reason_is_required(client, high_risk_case, coordinator2):
    client.force_login(coordinator2)
    url = reverse("safety:emergency_access", kwargs={"reference": high_risk_case.reference})
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert not EmergencyAccess.objects.exists()
    with pytest.raises(Exception) as error:
        services.emergency_access_open(case=high_risk_case, actor=coordinator2, reason="  ")
    assert error.value.message_dict["reason"] == [str(services.EMERGENCY_NEEDS_REASON)]


def test_emergency_access_opens_logs_and_tells(
    client, high_risk_case, coordinator2, caseworker, national, django_capture_on_commit_callbacks, settings
):
    settings.SAFETY_EMERGENCY_ACCESS_HOURS = 3
    client.force_login(coordinator2)
    url = reverse("safety:emergency_access", kwargs={"reference": high_risk_case.reference})
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url, {"reason": "Police report the person missing tonight"})
    assert response.status_code == 302 and response["Location"] == high_risk_case.get_absolute_url()
    access = EmergencyAccess.objects.get()
    assert access.user == coordinator2 and access.reason == "Police report the person missing tonight"
    assert access.expires_at - access.granted_at == datetime.timedelta(hours=3)
    assert access.history.get().history_user == coordinator2
    assert CaseAccess.objects.filter(
        case=high_risk_case, user=coordinator2, kind=CaseAccess.Kind.EMERGENCY
    ).exists()
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.EMERGENCY_ACCESS)
    assert event.user == coordinator2 and event.target == f"cases.Case:{high_risk_case.reference}"

    # The e-mails: queued on commit; the service is what the task calls, once only.
    assert len(callbacks) == 1
    assert services.emergency_access_notify(access_id=access.pk) == 2
    assert services.emergency_access_notify(access_id=access.pk) == 0
    queued = list(OutboxEmail.objects.filter(kind=OutboxEmail.Kind.SECURITY))
    assert sorted(m.to_address for m in queued) == sorted([caseworker.email, national.email])
    for message in queued:
        assert "Roberts" not in message.body and "Kalējs" not in message.body and PHONE not in message.body
        assert high_risk_case.get_absolute_url() in message.body

    page = client.get(high_risk_case.get_absolute_url())
    assert page.status_code == 200
    assert PHONE in page.content.decode()
    assert "your access ends at" in page.content.decode()


def test_the_access_ends_after_its_time(high_risk_case, coordinator2, monkeypatch, settings):
    settings.SAFETY_EMERGENCY_ACCESS_HOURS = 4
    services.emergency_access_open(case=high_risk_case, actor=coordinator2, reason="Missing person")
    assert case_permissions.can(coordinator2, Action.VIEW_CASE, high_risk_case)
    assert case_permissions.contact_visible(coordinator2, high_risk_case)
    start = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: start + datetime.timedelta(hours=3, minutes=59))
    assert case_permissions.can(coordinator2, Action.VIEW_CASE, high_risk_case)
    monkeypatch.setattr(timezone, "now", lambda: start + datetime.timedelta(hours=4, seconds=1))
    assert not case_permissions.can(coordinator2, Action.VIEW_CASE, high_risk_case)
    assert not case_permissions.contact_visible(coordinator2, high_risk_case)
    assert case_permissions.may_request_emergency_access(coordinator2, high_risk_case)


def test_only_a_restricted_coordinator_may_open_one(
    high_risk_case, coordinator, caseworker2, national, mandated_ngo
):
    both = UserFactory(organisation=mandated_ngo, roles=[Role.CASEWORKER])
    for user in (coordinator, caseworker2, national, both):
        with pytest.raises(Exception) as error:
            services.emergency_access_open(case=high_risk_case, actor=user, reason="x")
        assert error.type.__name__ == "PermissionDenied"
    assert not EmergencyAccess.objects.exists()
