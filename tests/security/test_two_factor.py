"""Two-factor authentication when required: enrolment with a real TOTP code, verification, recovery codes."""

import re
import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.middleware import TWO_FACTOR_REQUIRED
from accounts.models import SecurityEvent
from accounts.views import ENROL_KEY_SESSION_KEY
from tests.factories import DEFAULT_PASSWORD

from .helpers import code_for, code_for_key, enrol_device, password_login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _otp_required(settings):
    settings.OTP_REQUIRED = True


def kinds():
    return list(SecurityEvent.objects.order_by("at", "pk").values_list("kind", flat=True))


def test_without_a_device_every_page_leads_to_enrolment(client, caseworker, case_of_caseworker):
    password_login(client, "caseworker")
    for url in (reverse("dashboard"), case_of_caseworker.get_absolute_url(), reverse("cases:list")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:otp_enrol") + "?next=")
    api = client.get("/api/v1/cases/")
    assert api.status_code == 403 and api.json() == {"detail": str(TWO_FACTOR_REQUIRED)}
    # Nobody has seen the case.
    assert not case_of_caseworker.accesses.exists()


def test_enrolment_with_a_real_code_then_recovery_codes_once(client, caseworker):
    password_login(client, "caseworker")
    page = client.get(reverse("accounts:otp_enrol") + "?next=/cases/")
    assert page.status_code == 200
    body = page.content.decode()
    assert re.search(r'<img src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+"', body)
    assert 'style="' not in body and "<script>" not in body
    # A GET creates nothing: the key waits in the session until a code proves the app has it.
    assert not TOTPDevice.objects.exists()
    key = client.session[ENROL_KEY_SESSION_KEY]
    secret = page.context["secret"].replace(" ", "")
    import base64

    assert base64.b32decode(secret).hex() == key

    wrong = client.post(
        reverse("accounts:otp_enrol"), {"token": "000000" if code_for_key(key) != "000000" else "111111"}
    )
    assert wrong.status_code == 400
    assert str(services.ENROL_CODE_WRONG) in wrong.content.decode()
    assert not TOTPDevice.objects.exists()

    done = client.post(reverse("accounts:otp_enrol"), {"token": code_for_key(key), "next": "/cases/"})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    for code in codes:
        assert code in done.content.decode()
    device = TOTPDevice.objects.get(user=caseworker)
    assert device.confirmed and device.key == key
    assert StaticDevice.objects.get(user=caseworker).token_set.count() == 10
    assert ENROL_KEY_SESSION_KEY not in client.session
    # Verified for this session: pages open.
    assert client.get(reverse("cases:list")).status_code == 200
    # A second enrolment is refused (no new codes, no new key).
    again = client.get(reverse("accounts:otp_enrol"))
    assert again.status_code == 302
    assert kinds() == ["login", "otp_failed", "otp_enrolled"]


def test_with_a_device_login_asks_for_the_code(client, caseworker, case_of_caseworker):
    device = enrol_device(caseworker)
    password_login(client, "caseworker")
    response = client.get(case_of_caseworker.get_absolute_url())
    assert response.status_code == 302
    assert (
        response["Location"]
        == f"{reverse('accounts:otp_verify')}?next={case_of_caseworker.get_absolute_url()}"
    )
    wrong = client.post(
        reverse("accounts:otp_verify"), {"token": "12345x", "next": case_of_caseworker.get_absolute_url()}
    )
    assert wrong.status_code == 400
    assert str(services.CODE_WRONG) in wrong.content.decode()
    time.sleep(1.1)  # django-otp's throttle: one wrong code costs a second
    ok = client.post(
        reverse("accounts:otp_verify"),
        {"token": code_for(device), "next": case_of_caseworker.get_absolute_url()},
    )
    assert ok.status_code == 302 and ok["Location"] == case_of_caseworker.get_absolute_url()
    assert client.get(case_of_caseworker.get_absolute_url()).status_code == 200
    assert kinds() == ["login", "otp_failed", "otp_verified"]


def test_a_code_cannot_be_used_twice(client, caseworker):
    device = enrol_device(caseworker)
    code = code_for(device)
    password_login(client, "caseworker")
    assert client.post(reverse("accounts:otp_verify"), {"token": code}).status_code == 302
    other = Client()
    password_login(other, "caseworker")
    replay = other.post(reverse("accounts:otp_verify"), {"token": code})
    assert replay.status_code == 400


def test_recovery_code_works_once(client, caseworker):
    enrol_device(caseworker)
    codes = services._new_recovery_codes(user=caseworker)
    password_login(client, "caseworker")
    response = client.post(reverse("accounts:otp_verify"), {"token": codes[0].upper()}, follow=True)
    assert response.status_code == 200
    assert "You used a recovery code; 9 remain." in response.content.decode()
    client.post(reverse("logout"))
    password_login(client, "caseworker")
    assert client.post(reverse("accounts:otp_verify"), {"token": codes[0]}).status_code == 400
    assert kinds() == ["login", "recovery_codes_used", "logout", "login", "otp_failed"]


def test_new_recovery_codes_replace_the_old(client, caseworker):
    device = enrol_device(caseworker)
    old = services._new_recovery_codes(user=caseworker)
    password_login(client, "caseworker")
    client.post(reverse("accounts:otp_verify"), {"token": code_for(device)})
    assert client.get(reverse("accounts:two_factor")).status_code == 200
    # The password and a current code first (the next step's: the last one is used up).
    response = client.post(
        reverse("accounts:two_factor"), {"password": DEFAULT_PASSWORD, "token": code_for(device, 1)}
    )
    new = response.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticDevice.objects.get(user=caseworker).token_set.values_list("token", flat=True)) == set(
        new
    )
    assert kinds()[-1] == "recovery_codes_renewed"


def test_verify_refuses_an_open_redirect(client, caseworker):
    device = enrol_device(caseworker)
    password_login(client, "caseworker")
    response = client.post(
        reverse("accounts:otp_verify"), {"token": code_for(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("dashboard")


def test_repeated_wrong_codes_are_throttled(client, caseworker):
    device = enrol_device(caseworker)
    password_login(client, "caseworker")
    client.post(reverse("accounts:otp_verify"), {"token": "000001"})
    client.post(reverse("accounts:otp_verify"), {"token": "000002"})
    # Even the right code waits out the throttle (django-otp doubles the wait per failure).
    response = client.post(reverse("accounts:otp_verify"), {"token": code_for(device)})
    assert response.status_code == 400
    assert "Too many wrong codes in a row. Wait" in response.content.decode()


def test_logout_and_language_pages_stay_reachable_before_the_code(client, caseworker):
    enrol_device(caseworker)
    password_login(client, "caseworker")
    assert client.post(reverse("set_language"), {"language": "lv", "next": "/"}).status_code == 302
    assert client.post(reverse("logout")).status_code == 302


def test_switched_off_the_pages_send_home(client, caseworker, settings):
    settings.OTP_REQUIRED = False
    client.force_login(caseworker)
    assert client.get(reverse("accounts:otp_enrol"))["Location"] == reverse("dashboard")
    assert client.get(reverse("accounts:otp_verify"))["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


def test_the_test_clients_login_still_works(client, caseworker):
    # authenticate() without a request skips the lockout check rather than failing (accounts.backends).
    assert client.login(username="caseworker", password="test-password-2026!")


def test_the_two_factor_page_is_in_the_navigation(client, caseworker):
    device = enrol_device(caseworker)
    password_login(client, "caseworker")
    client.post(reverse("accounts:otp_verify"), {"token": code_for(device)})
    body = client.get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("accounts:two_factor")}"' in body


def test_a_new_authenticator_asks_for_the_password_and_a_current_code(client, caseworker):
    device = enrol_device(caseworker)
    password_login(client, "caseworker")
    client.post(reverse("accounts:otp_verify"), {"token": code_for(device)})
    # Without the password and a code from the current app, the enrolment page sends away.
    assert client.get(reverse("accounts:otp_enrol")).status_code == 302
    wrong = client.post(
        reverse("accounts:two_factor"),
        # (no code: a right one would be used up by the attempt)
        {"password": "not-my-password", "token": "", "action": "new_authenticator"},
    )
    assert wrong.status_code == 400
    assert client.get(reverse("accounts:otp_enrol")).status_code == 302
    ok = client.post(
        reverse("accounts:two_factor"),
        {"password": DEFAULT_PASSWORD, "token": code_for(device, 1), "action": "new_authenticator"},
    )
    assert ok.status_code == 302 and ok["Location"] == reverse("accounts:otp_enrol")
    page = client.get(reverse("accounts:otp_enrol"))
    assert page.status_code == 200
    key = client.session[ENROL_KEY_SESSION_KEY]
    done = client.post(reverse("accounts:otp_enrol"), {"token": code_for_key(key)})
    assert done.status_code == 200 and len(done.context["codes"]) == 10
    # The new app replaces the old one: one confirmed device, with the new key.
    assert list(TOTPDevice.objects.filter(user=caseworker).values_list("key", flat=True)) == [key]
    assert key != device.key
    assert kinds()[-1] == "otp_enrolled"
