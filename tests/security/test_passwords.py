"""Users set their own passwords: the administrator never sets or learns one."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.forms import CURRENT_CODE_WRONG
from accounts.models import SecurityEvent
from cases.models import User
from tests.factories import DEFAULT_PASSWORD

from .helpers import code_for, enrol_device, password_login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _admin_model_permissions(sysadmin):
    """The demo's administrator holds the admin's model permissions (cases/demo.py)."""
    from django.contrib.auth.models import Permission

    sysadmin.user_permissions.add(*Permission.objects.filter(content_type__app_label="cases"))


NEW_PASSWORD = "a-new-long-passphrase-2026"


def _link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/security/password/reset/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def test_the_administrator_cannot_set_a_users_password(client, sysadmin, caseworker):
    client.force_login(sysadmin)
    url = f"/admin/cases/user/{caseworker.pk}/password/"
    assert client.get(url).status_code == 404
    response = client.post(url, {"password1": "admin-chosen-2026!", "password2": "admin-chosen-2026!"})
    assert response.status_code == 404
    caseworker.refresh_from_db()
    assert caseworker.check_password(DEFAULT_PASSWORD)


def test_a_new_user_sets_their_own_password_through_a_first_login_link(
    client, sysadmin, mandated_ngo, django_capture_on_commit_callbacks
):
    client.force_login(sysadmin)
    form = client.get("/admin/cases/user/add/").content.decode()
    assert 'name="password1"' not in form and 'name="password2"' not in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/cases/user/add/",
            {
                "username": "newcomer",
                "email": "newcomer@example.invalid",
                "organisation": mandated_ngo.pk,
                "role_grants-TOTAL_FORMS": "0",
                "role_grants-INITIAL_FORMS": "0",
                "training_records-TOTAL_FORMS": "0",
                "training_records-INITIAL_FORMS": "0",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="newcomer")
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["newcomer@example.invalid"]
    assert "newcomer" not in mail.outbox[0].body  # no personal data, the link alone
    newcomer = Client()
    page = newcomer.get(_link(mail.outbox[0]), follow=True)
    assert page.status_code == 200
    done = newcomer.post(
        page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # Used once: the link no longer works.
    again = Client().get(_link(mail.outbox[0]), follow=True)
    assert 'name="new_password1"' not in again.content.decode()


def test_password_reset_does_not_reveal_whether_an_address_exists(client, caseworker):
    caseworker.email = "anna@example.invalid"
    caseworker.save()
    known = client.post(reverse("accounts:password_reset"), {"email": "anna@example.invalid"})
    unknown = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.invalid"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["anna@example.invalid"]
    assert "caseworker" not in mail.outbox[0].body and "Anna" not in mail.outbox[0].body
    Client().post(_link(mail.outbox[0]))  # opening the link changes nothing by itself
    caseworker.refresh_from_db()
    assert caseworker.check_password(DEFAULT_PASSWORD)


def test_changing_the_password_asks_for_the_current_one_and_a_current_code(client, caseworker, settings):
    settings.OTP_REQUIRED = True
    device = enrol_device(caseworker)
    password_login(client, "caseworker")
    client.post(reverse("accounts:otp_verify"), {"token": code_for(device)})
    url = reverse("accounts:password_change")
    data = {"old_password": DEFAULT_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    response = client.post(url, {**data, "token": "000000"})
    assert response.status_code == 200
    assert str(CURRENT_CODE_WRONG) in response.content.decode()
    response = client.post(url, {**data, "old_password": "wrong-password-2026", "token": code_for(device, 1)})
    assert response.status_code == 200
    caseworker.refresh_from_db()
    assert caseworker.check_password(DEFAULT_PASSWORD)
    device.refresh_from_db()
    device.last_t = -1
    device.throttling_failure_count = 0  # the wrong code above slowed the next attempts down
    device.save()
    response = client.post(url, {**data, "token": code_for(device)})
    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert caseworker.check_password(NEW_PASSWORD)
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PASSWORD_CHANGED, user=caseworker).exists()


def test_new_recovery_codes_ask_for_the_password_and_a_current_code(client, caseworker, settings):
    from django_otp.plugins.otp_static.models import StaticToken

    settings.OTP_REQUIRED = True
    device = enrol_device(caseworker)
    password_login(client, "caseworker")
    client.post(reverse("accounts:otp_verify"), {"token": code_for(device)})
    url = reverse("accounts:two_factor")
    response = client.post(url, {"password": "wrong-password-2026", "token": code_for(device, 1)})
    assert response.status_code == 400
    assert not StaticToken.objects.filter(device__user=caseworker).exists()
    device.refresh_from_db()
    device.last_t = -1
    device.save()
    response = client.post(url, {"password": DEFAULT_PASSWORD, "token": code_for(device)})
    assert response.status_code == 200
    assert StaticToken.objects.filter(device__user=caseworker).count() == 10
