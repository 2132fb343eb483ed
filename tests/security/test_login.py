"""Logins, the security log of them, lockouts with their release, and the session limits."""

import time

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import LOGIN_AT_SESSION_KEY, RENEWED_AT_SESSION_KEY, SESSION_ENDED
from accounts.models import SecurityEvent
from accounts.services import typed_username_mark
from accounts.views import LOCKED_OUT, LOCKOUT_RELEASED
from tests.factories import DEFAULT_PASSWORD

from .helpers import password_login

pytestmark = pytest.mark.django_db

WRONG = "not-the-password-2026"


def events(**filters):
    return list(
        SecurityEvent.objects.filter(**filters)
        .order_by("at", "pk")
        .values_list("kind", "username", "ip_address", "path")
    )


def test_login_page_says_when_two_factor_is_off(client, settings):
    settings.OTP_REQUIRED = False
    body = client.get(reverse("login")).content.decode()
    assert "Two-factor authentication is switched off in this demo" in body
    settings.OTP_REQUIRED = True
    body = client.get(reverse("login")).content.decode()
    assert "switched off" not in body


def test_login_and_failure_are_logged_with_address_and_typed_username(client, caseworker):
    response = password_login(client, "caseworker", WRONG)
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    response = password_login(client, "nobody-here", WRONG)
    response = password_login(client, "caseworker", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert events() == [
        ("login_failed", "caseworker", "127.0.0.1", "/accounts/login/"),
        ("login_failed", typed_username_mark("nobody-here")[1], "127.0.0.1", "/accounts/login/"),
        ("login", "caseworker", "10.1.2.3", "/accounts/login/"),
    ]
    login = SecurityEvent.objects.get(kind="login")
    assert login.user == caseworker
    assert login.history.get().history_user == caseworker
    unknown = SecurityEvent.objects.get(username__startswith="unknown:")
    assert unknown.user is None and "nobody" not in unknown.username


def test_no_password_reaches_the_log_or_the_attempts(client, caseworker):
    password_login(client, "caseworker", "Secret-Typed-Password-1")
    assert not SecurityEvent.objects.filter(username__contains="Secret").exists()
    assert "Secret-Typed-Password-1" not in str(list(AccessAttempt.objects.values()))


def test_logout_ends_the_session_server_side(client, caseworker):
    password_login(client, "caseworker")
    old_key = client.cookies["sessionid"].value
    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get(reverse("logout")).status_code == 405  # GET changes nothing
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=old_key).exists()
    thief = Client()
    thief.cookies["sessionid"] = old_key
    response = thief.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert [e[0] for e in events()] == ["login", "logout"]


def test_five_failures_lock_that_username_at_that_address_only(client, caseworker, caseworker2):
    for _ in range(4):
        response = password_login(client, "caseworker", WRONG)
        assert response.status_code == 200
    response = password_login(client, "caseworker", WRONG)
    assert response.status_code == 429
    assert str(LOCKED_OUT % {"minutes": 30}) in response.content.decode()
    # Even the right password is refused now.
    response = password_login(client, "caseworker")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # A colleague behind the same office address is not locked out...
    colleague = Client()
    assert password_login(colleague, "caseworker2").status_code == 302
    # ... and neither is the same person from another address.
    elsewhere = Client(REMOTE_ADDR="192.0.2.44")
    assert password_login(elsewhere, "caseworker").status_code == 302
    kinds = [e[0] for e in events(username="caseworker")]
    assert kinds.count("login_failed") == 6 and "lockout" in kinds
    assert events(kind="lockout")[0] == ("lockout", "caseworker", "127.0.0.1", "/accounts/login/")


def test_lockout_page_is_translated(client, caseworker, settings):
    settings.LANGUAGE_CODE = "lv"
    for _ in range(5):
        response = password_login(client, "caseworker", WRONG, HTTP_ACCEPT_LANGUAGE="lv")
    assert response.status_code == 429
    assert response["Content-Language"] == "lv"


def test_system_administrator_unlocks(client, caseworker, sysadmin, coordinator):
    for _ in range(5):
        password_login(client, "caseworker", WRONG)
    attempt = AccessAttempt.objects.get(username="caseworker")
    admin_client = Client()
    admin_client.force_login(sysadmin)
    page = admin_client.get(reverse("accounts:lockouts"))
    assert page.status_code == 200 and "Unlock caseworker" in page.content.decode()
    # Nobody else sees or releases lockouts.
    other = Client()
    other.force_login(coordinator)
    assert other.get(reverse("accounts:lockouts")).status_code == 404
    assert other.post(reverse("accounts:lockout_release", args=[attempt.pk])).status_code == 404
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()

    response = admin_client.post(reverse("accounts:lockout_release", args=[attempt.pk]), follow=True)
    assert (
        str(LOCKOUT_RELEASED % {"username": "caseworker", "address": "127.0.0.1"})
        in response.content.decode()
    )
    assert admin_client.get(reverse("accounts:lockout_release", args=[attempt.pk])).status_code == 405
    assert password_login(client, "caseworker").status_code == 302
    unlocked = SecurityEvent.objects.get(kind="unlocked")
    assert unlocked.user == sysadmin and unlocked.target == "caseworker @ 127.0.0.1"


def test_success_clears_earlier_failures(client, caseworker):
    for _ in range(4):
        password_login(client, "caseworker", WRONG)
    assert password_login(client, "caseworker").status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        assert password_login(client, "caseworker", WRONG).status_code == 200


def test_sessions_are_short(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_RENEW_SECONDS == 60
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 3600


def _expiry(client):
    return Session.objects.get(session_key=client.cookies["sessionid"].value).expire_date


def _age_renewal(client, seconds: float) -> None:
    session = client.session
    session[RENEWED_AT_SESSION_KEY] = time.time() - seconds
    session.save()


def test_a_request_renews_the_idle_limit_at_most_once_a_minute(client, caseworker):
    import datetime

    password_login(client, "caseworker")
    client.get(reverse("dashboard"))
    _age_renewal(client, 30)
    Session.objects.filter(session_key=client.cookies["sessionid"].value).update(
        expire_date=timezone.now() + datetime.timedelta(minutes=5)
    )
    before = _expiry(client)
    # Renewed 30 seconds ago: the page neither writes the session nor moves its expiry.
    client.get(reverse("dashboard"))
    assert _expiry(client) == before
    # A minute ago: the page renews it, 30 minutes from now.
    _age_renewal(client, 61)
    started = timezone.now()
    client.get(reverse("dashboard"))
    assert started + datetime.timedelta(minutes=29, seconds=59) <= _expiry(client)
    assert time.time() - client.session[RENEWED_AT_SESSION_KEY] < 5


def test_idle_session_expires_after_30_minutes(client, caseworker):
    import datetime

    from django.utils import timezone

    password_login(client, "caseworker")
    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def _age_login(client, seconds: float) -> None:
    session = client.session
    session[LOGIN_AT_SESSION_KEY] = time.time() - seconds
    session.save()


def test_session_ends_twelve_hours_after_login_however_active(client, caseworker):
    password_login(client, "caseworker")
    old_key = client.cookies["sessionid"].value
    _age_login(client, 11.9 * 3600)
    assert client.get(reverse("dashboard")).status_code == 200
    _age_login(client, 12 * 3600 + 5)
    response = client.get(reverse("dashboard"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert str(SESSION_ENDED) in response.content.decode()
    assert not Session.objects.filter(session_key=old_key).exists()
    assert [e[0] for e in events()] == ["login", "session_expired"]


def test_login_time_is_set_at_login(client, caseworker):
    before = time.time()
    password_login(client, "caseworker")
    assert before <= client.session[LOGIN_AT_SESSION_KEY] <= time.time()


def test_argon2_and_password_rules(settings):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from trafficking_cms import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with pytest.raises(ValidationError):
        validate_password("short-pw-1")
    with pytest.raises(ValidationError):
        validate_password("password1234")
    validate_password(DEFAULT_PASSWORD + "-longer")


def test_system_administrator_resets_two_factor(client, sysadmin, caseworker, coordinator):
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts import services
    from accounts.views import NO_SUCH_USER, TWO_FACTOR_RESET_DONE

    from .helpers import enrol_device

    enrol_device(caseworker)
    services._new_recovery_codes(user=caseworker)
    other = Client()
    other.force_login(coordinator)
    assert other.post(reverse("accounts:two_factor_reset"), {"username": "caseworker"}).status_code == 404
    assert TOTPDevice.objects.filter(user=caseworker).exists()
    client.force_login(sysadmin)
    missing = client.post(reverse("accounts:two_factor_reset"), {"username": "nobody"})
    assert missing.status_code == 400 and str(NO_SUCH_USER) in missing.content.decode()
    done = client.post(reverse("accounts:two_factor_reset"), {"username": "caseworker"}, follow=True)
    assert str(TWO_FACTOR_RESET_DONE % {"username": "caseworker"}) in done.content.decode()
    assert not TOTPDevice.objects.filter(user=caseworker).exists()
    assert not StaticDevice.objects.filter(user=caseworker).exists()
    event = SecurityEvent.objects.get(kind="otp_reset")
    assert event.user == sysadmin and event.target == "user:caseworker"


def test_device_secrets_are_not_in_the_admin():
    from django.contrib import admin
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert not admin.site.is_registered(TOTPDevice)


def test_an_overlong_username_is_a_form_error_not_a_crash(client):
    response = password_login(client, "u" * 400, WRONG)
    assert response.status_code == 200
    assert "Ensure this value has at most 150 characters (it has 400)." in response.content.decode()
    admin_login = client.post(reverse("admin:login"), {"username": "u" * 400, "password": WRONG})
    assert admin_login.status_code == 200


def test_demo_logins_reach_the_security_log(client, settings):
    from cases.demo import load_demo

    settings.OTP_REQUIRED = False
    load_demo(password="demo-log-password-2026")
    password_login(client, "caseworker", "demo-log-password-2026")
    client.post(reverse("logout"))
    password_login(client, "national", "demo-log-password-2026")
    page = client.get(reverse("accounts:security_log"))
    kinds = [(e.kind, e.username) for e in page.context["page"].object_list]
    assert kinds == [("login", "national"), ("logout", "caseworker"), ("login", "caseworker")]
