"""Nobody raises their own access: a role that reads case files, granted in the admin, and a move
into another organisation take effect only when a second person approves them."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import SecurityEvent
from accounts.services import ROLE_APPROVE_OWN
from cases.models import Role, UserRole
from cases.permissions import user_roles

from .helpers import _FormParser

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _admin_model_permissions(sysadmin):
    """The demo's administrator holds the admin's model permissions (cases/demo.py)."""
    from django.contrib.auth.models import Permission

    sysadmin.user_permissions.add(*Permission.objects.filter(content_type__app_label="cases"))


def _admin_change(client, user, **changes):
    """POST the admin's change form of user as a browser would, with changes applied."""
    url = f"/admin/cases/user/{user.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    parser = _FormParser()
    parser.feed(page.content.decode())
    form = next(f for f in parser.forms if "username" in f.names)
    data = dict(form.values)
    data.update({k: str(v) for k, v in changes.items()})
    return client.post(url, data)


def _grant_in_admin(client, user, role):
    existing = UserRole.objects.filter(user=user).count()
    return _admin_change(
        client,
        user,
        **{
            "role_grants-TOTAL_FORMS": existing + 1,
            f"role_grants-{existing}-role": role,
            f"role_grants-{existing}-user": user.pk,
        },
    )


def fresh(user):
    user.refresh_from_db()
    user.__dict__.pop("_roles_cache", None)
    return user


def test_the_administrator_granting_themself_national_coordinator_gets_nothing_until_approved(
    client, sysadmin, national, case_of_caseworker, django_capture_on_commit_callbacks
):
    client.force_login(sysadmin)
    with django_capture_on_commit_callbacks(execute=True):
        response = _grant_in_admin(client, sysadmin, Role.NATIONAL_COORDINATOR)
    assert response.status_code == 302
    grant = UserRole.objects.get(user=sysadmin, role=Role.NATIONAL_COORDINATOR)
    assert grant.pending and grant.requested_by == sysadmin
    assert Role.NATIONAL_COORDINATOR not in user_roles(fresh(sysadmin))
    again = Client()
    again.force_login(sysadmin)
    assert again.get(case_of_caseworker.get_absolute_url()).status_code == 404
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.ROLE_REQUESTED)
    assert event.user == sysadmin and f"user:{sysadmin.pk}" in event.target
    assert [m.to for m in mail.outbox] == [[national.email]]
    assert sysadmin.username not in mail.outbox[0].body

    # The administrator cannot approve it (no such page for them); the national coordinator can.
    assert again.get(reverse("accounts:approvals")).status_code == 404
    assert again.post(reverse("accounts:approval_approve", args=[grant.pk])).status_code == 404
    approver = Client()
    approver.force_login(national)
    assert sysadmin.username in approver.get(reverse("accounts:approvals")).content.decode()
    approver.post(reverse("accounts:approval_approve", args=[grant.pk]))
    grant.refresh_from_db()
    assert not grant.pending and grant.approved_by == national
    assert Role.NATIONAL_COORDINATOR in user_roles(fresh(sysadmin))
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.ROLE_APPROVED, user=national).exists()


def test_nobody_approves_a_change_to_their_own_account(national, sysadmin):
    from django.core.exceptions import ValidationError

    from accounts import services

    grant = UserRole.objects.create(
        user=national, role=Role.SYSTEM_ADMINISTRATOR, pending=True, requested_by=sysadmin
    )
    grant.role = Role.NATIONAL_COORDINATOR  # the same person, a role that needs approval
    with pytest.raises(ValidationError) as error:
        services.role_grant_approve(grant=grant, actor=national)
    assert error.value.messages == [str(ROLE_APPROVE_OWN)]


def test_the_ngos_coordinator_approves_its_own_staff_only(
    client, sysadmin, coordinator, other_ngo_worker, mandated_ngo
):
    from tests.factories import UserFactory

    newcomer = UserFactory(username="newcomer", organisation=mandated_ngo, roles=[])
    client.force_login(sysadmin)
    assert _grant_in_admin(client, newcomer, Role.CASEWORKER).status_code == 302
    grant = UserRole.objects.get(user=newcomer)
    assert grant.pending and Role.CASEWORKER not in user_roles(fresh(newcomer))
    other = Client()
    other.force_login(other_ngo_worker)
    assert other.post(reverse("accounts:approval_approve", args=[grant.pk])).status_code == 404
    own = Client()
    own.force_login(coordinator)
    own.post(reverse("accounts:approval_approve", args=[grant.pk]))
    assert Role.CASEWORKER in user_roles(fresh(newcomer))


def test_moving_a_user_into_another_organisation_waits_for_approval(
    client, sysadmin, caseworker, other_ngo, case_of_caseworker
):
    client.force_login(sysadmin)
    assert _admin_change(client, caseworker, organisation=other_ngo.pk).status_code == 302
    assert UserRole.objects.get(user=caseworker, role=Role.CASEWORKER).pending
    assert user_roles(fresh(caseworker)) == frozenset()
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.ROLE_REQUESTED).count() == 1


def test_revoking_a_role_in_the_admin_is_logged_and_takes_effect_at_once(client, sysadmin, caseworker):
    client.force_login(sysadmin)
    grant = UserRole.objects.get(user=caseworker)
    response = _admin_change(
        client, caseworker, **{"role_grants-0-DELETE": "on", "role_grants-0-id": grant.pk}
    )
    assert response.status_code == 302
    assert not UserRole.objects.filter(user=caseworker).exists()
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.ROLE_REVOKED, user=sysadmin).exists()
