"""API tokens: only for approved service accounts, stored hashed, expiring, scoped, every use logged."""

import datetime
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django.utils.html import escape

from accounts import services
from accounts.models import ApiToken, SecurityEvent
from cases.models import Role, UserRole
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases/"
REFERRALS = "/api/v1/reintegration/referrals/"


@pytest.fixture
def admin_user(mandated_ngo):
    return UserFactory(username="sysadmin", organisation=mandated_ngo, roles=[Role.SYSTEM_ADMINISTRATOR])


@pytest.fixture
def service(mandated_ngo, coordinator, admin_user, case_of_caseworker):
    """An NGO's integration account: a coordinator's reads, and the service-account role, granted
    by the administrator and approved by the NGO's coordinator."""
    user = UserFactory(username="ngo-sync", organisation=mandated_ngo, roles=[Role.COORDINATOR])
    grant = UserRole.objects.create(user=user, role=Role.SERVICE_ACCOUNT)
    services.role_grant_request(grant=grant, actor=admin_user)
    services.role_grant_approve(grant=grant, actor=coordinator)
    return user


def auth(key):
    return {"Authorization": f"Token {key}"}


def test_a_token_is_stored_only_as_its_hash(service, admin_user):
    token, key = services.api_token_issue(user=service, actor=admin_user, name="Sync", days=30)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    secret = key.split(".", 1)[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        rows = cursor.fetchall()
        cursor.execute("SELECT * FROM accounts_historicalapitoken")
        rows += cursor.fetchall()
    assert rows and not any(secret in str(value) for row in rows for value in row)
    assert SecurityEvent.objects.filter(kind="api_token_issued", user=admin_user).count() == 1


def test_each_use_is_in_the_security_log(client, service, admin_user, case_of_caseworker):
    _, key = services.api_token_issue(user=service, actor=admin_user, name="Sync", days=30)
    response = client.get(CASES, headers=auth(key))
    assert response.status_code == 200
    assert [r["reference"] for r in response.json()["results"]] == [case_of_caseworker.reference]
    client.get(CASES, headers=auth(key))
    used = SecurityEvent.objects.filter(kind="api_token_used", user=service)
    assert used.count() == 2 and used.first().path == CASES


def test_human_accounts_cannot_have_or_use_tokens(client, caseworker, admin_user, service):
    with pytest.raises(ValidationError) as excinfo:
        services.api_token_issue(user=caseworker, actor=admin_user, name="Mine", days=30)
    assert excinfo.value.message_dict == {"user": [str(services.TOKEN_NOT_FOR_PEOPLE)]}
    # A token whose account stops being a service account (the role revoked) stops working.
    _, key = services.api_token_issue(user=service, actor=admin_user, name="Sync", days=30)
    UserRole.objects.filter(user=service, role=Role.SERVICE_ACCOUNT).delete()
    response = client.get(CASES, headers=auth(key))
    assert response.status_code == 401
    assert response.json()["detail"] == str(services.TOKEN_NOT_FOR_PEOPLE)
    assert SecurityEvent.objects.filter(kind="api_token_refused", user=service).count() == 1


def test_a_pending_service_account_role_gives_no_token(mandated_ngo, admin_user):
    user = UserFactory(username="pending-sync", organisation=mandated_ngo, roles=[])
    grant = UserRole.objects.create(user=user, role=Role.SERVICE_ACCOUNT)
    services.role_grant_request(grant=grant, actor=admin_user)
    assert UserRole.objects.get(pk=grant.pk).pending
    with pytest.raises(ValidationError):
        services.api_token_issue(user=user, actor=admin_user, name="Sync", days=30)
    # Nobody approves their own request: the administrator asked for it.
    with pytest.raises(ValidationError):
        services.role_grant_approve(grant=grant, actor=admin_user)


def test_only_the_administrator_issues_and_the_limits(service, coordinator, admin_user):
    with pytest.raises(PermissionDenied):
        services.api_token_issue(user=service, actor=coordinator, name="Sync", days=30)
    with pytest.raises(ValidationError) as excinfo:
        services.api_token_issue(user=service, actor=admin_user, name=" ", days=0)
    assert excinfo.value.message_dict == {
        "name": [str(services.TOKEN_NAME_REQUIRED)],
        "days": [str(services.TOKEN_DAYS_RANGE % {"max": 365})],
    }
    with pytest.raises(ValidationError) as excinfo:
        services.api_token_issue(
            user=service, actor=admin_user, name="Sync", days=30, scope="write", write_endpoints=["nope"]
        )
    assert excinfo.value.message_dict == {
        "write_endpoints": [str(services.TOKEN_UNKNOWN_ENDPOINT % {"name": "nope"})]
    }
    assert not ApiToken.objects.exists()


def test_an_expired_token_is_refused(client, service, admin_user):
    token, key = services.api_token_issue(user=service, actor=admin_user, name="Sync", days=1)
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2),
        expires_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    response = client.get(CASES, headers=auth(key))
    assert response.status_code == 401 and response.json()["detail"] == str(services.TOKEN_EXPIRED)
    assert SecurityEvent.objects.filter(kind="api_token_refused", target=f"token:{token.pk}").exists()


def test_a_revoked_or_forged_token_is_refused(client, service, admin_user):
    token, key = services.api_token_issue(user=service, actor=admin_user, name="Sync", days=30)
    forged = key[:-2] + ("AA" if not key.endswith("AA") else "BB")
    assert client.get(CASES, headers=auth(forged)).json()["detail"] == str(services.TOKEN_INVALID)
    services.api_token_revoke(token=token, actor=admin_user)
    response = client.get(CASES, headers=auth(key))
    assert response.status_code == 401 and response.json()["detail"] == str(services.TOKEN_REVOKED)


def test_scope_read_only_and_named_write_endpoints(
    client, service, admin_user, case_of_caseworker, municipality
):
    from tests.factories import CONSENT

    body = {
        **CONSENT,
        "case": case_of_caseworker.reference,
        "partner": municipality.organisation.pk,
        "needs_note": "Food",
    }
    _, read_key = services.api_token_issue(user=service, actor=admin_user, name="Read", days=30)
    refused = client.post(REFERRALS, body, content_type="application/json", headers=auth(read_key))
    assert refused.status_code == 403 and refused.json()["detail"] == str(services.TOKEN_READ_ONLY)
    _, other_key = services.api_token_issue(
        user=service,
        actor=admin_user,
        name="Withdraw only",
        days=30,
        scope="write",
        write_endpoints=["reintegration-referral-withdraw"],
    )
    refused = client.post(REFERRALS, body, content_type="application/json", headers=auth(other_key))
    assert refused.status_code == 403 and refused.json()["detail"] == str(services.TOKEN_WRONG_SCOPE)
    _, write_key = services.api_token_issue(
        user=service,
        actor=admin_user,
        name="Refer",
        days=30,
        scope="write",
        write_endpoints=["reintegration-referral-list"],
    )
    made = client.post(REFERRALS, body, content_type="application/json", headers=auth(write_key))
    assert made.status_code == 201, made.json()
    assert SecurityEvent.objects.filter(kind="api_token_refused", user=service).count() == 2


def test_the_command_prints_the_key_once(service, admin_user, capsys):
    call_command("issue_api_token", user="ngo-sync", issued_by="sysadmin", name="Sync", days=7)
    key = capsys.readouterr().out.strip().splitlines()[-1]
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest() and token.scope == "read_only"
    assert escape(key) == key  # a plain token, safe in a header


# --- the national coordinators are told of every change to an account, without personal data -----


def test_password_set_two_factor_reset_and_token_issue_are_mailed_without_personal_data(
    national, caseworker, admin_user, service, django_capture_on_commit_callbacks
):
    from django.core import mail

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.password_set_record(user=caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        services.two_factor_reset(user=caseworker, actor=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.api_token_issue(user=service, actor=admin_user, name="Sync", days=30)
    assert [m.to for m in mail.outbox] == [[national.email]] * 3
    bodies = [m.body for m in mail.outbox]
    assert "password was set" in bodies[0] and "two-factor" in bodies[1] and "API token" in bodies[2]
    for body in bodies:
        assert "/security/log/" in body
        for name in (caseworker.username, service.username, admin_user.username, caseworker.email):
            assert name not in body
    assert SecurityEvent.objects.filter(kind="password_set", user=caseworker).count() == 1
