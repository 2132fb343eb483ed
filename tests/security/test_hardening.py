"""What the shipped configuration must hold: no caching of personal data, no typed secret in the
security log, bounded dates on the log's filter, and the compose stack's trusted proxies."""

import datetime
import re
from pathlib import Path

import pytest
import yaml
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.forms import DATE_OUT_OF_RANGE
from accounts.models import SecurityEvent
from tests.factories import DEFAULT_PASSWORD

from .helpers import password_login

pytestmark = pytest.mark.django_db

WRONG = "not-the-password-2026"
COMPOSE_FILE = Path(django_settings.BASE_DIR) / "docker-compose.yml"


# --- Cache-Control: no-store -------------------------------------------------------------------


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_pages_and_api_responses_with_personal_data_are_never_stored(client, coordinator, case_of_caseworker):
    client.force_login(coordinator)
    reference = case_of_caseworker.reference
    for url in (
        reverse("dashboard"),
        reverse("cases:list"),
        case_of_caseworker.get_absolute_url(),
        f"/api/v1/cases/{reference}/",
        "/api/v1/cases/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), f"{url}: Cache-Control is {response.get('Cache-Control')!r}"
    # A refusal and a missing page too: a shared cache must not keep even those.
    assert _no_store(client.get("/cases/NRM-1900-9999/"))


# --- the security log never holds what was typed into the username field ----------------------


def test_a_password_typed_as_the_username_never_reaches_the_log(client, caseworker):
    typed = "Secret-Typed-Password-1"
    for _ in range(5):
        password_login(client, typed, WRONG)
    logged = str(list(SecurityEvent.objects.values())) + str(
        list(SecurityEvent.history.model.objects.values())
    )
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGIN_FAILED).count() == 5
    assert typed not in logged
    assert typed.lower() not in logged.lower()
    assert typed not in str(list(AccessAttempt.objects.values()))
    # The same text gives the same mark, so repeated guesses can still be told apart and counted.
    marks = set(SecurityEvent.objects.filter(kind="login_failed").values_list("username", flat=True))
    assert len(marks) == 1 and next(iter(marks)).startswith("unknown:")


def test_a_failed_login_of_an_existing_account_is_logged_by_that_account(client, caseworker):
    password_login(client, "caseworker", WRONG)
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.LOGIN_FAILED)
    assert event.user == caseworker
    assert event.username == "caseworker"


# --- the security log's date filter -----------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"date_to": "9999-12-31"},
        {"date_from": "9999-12-31"},
        {"date_from": "0001-01-01"},
        {"date_from": "0001-01-01", "date_to": "9999-12-31"},
    ],
)
def test_security_log_refuses_dates_out_of_range_with_a_message(client, national, params):
    client.force_login(national)
    response = client.get(reverse("accounts:security_log"), params)
    assert response.status_code == 200
    form = response.context["form"]
    # A date that cannot be true is refused by every date field (cases.dates), before the log's
    # own range is checked; either way a message, never a 500.
    errors = str(form.errors)
    assert str(DATE_OUT_OF_RANGE % {"first": 2000, "last": 2100}) in errors or "cannot be right" in errors


def test_security_log_refuses_a_period_that_ends_before_it_starts(client, national):
    from accounts.forms import PERIOD_REVERSED

    client.force_login(national)
    response = client.get(
        reverse("accounts:security_log"), {"date_from": "2026-05-02", "date_to": "2026-05-01"}
    )
    assert response.status_code == 200
    assert str(PERIOD_REVERSED) in str(response.context["form"].errors)


# --- the compose stack trusts its proxy --------------------------------------------------------


def _compose_value(raw: str) -> str:
    """What docker compose makes of "${VAR:-default}" when VAR is unset."""
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", str(raw))


def test_compose_stack_sets_the_number_of_trusted_proxies():
    compose = yaml.safe_load(COMPOSE_FILE.read_text())
    environment = compose["services"]["web"]["environment"]
    assert "DJANGO_TRUSTED_PROXY_COUNT" in environment, (
        "docker-compose.yml: the web service sits behind the TLS proxy; without "
        "DJANGO_TRUSTED_PROXY_COUNT every user seems to come from the proxy's address"
    )
    assert int(_compose_value(environment["DJANGO_TRUSTED_PROXY_COUNT"])) == 1


def test_behind_the_compose_proxy_one_users_failures_lock_nobody_else(settings, caseworker):
    compose = yaml.safe_load(COMPOSE_FILE.read_text())
    settings.TRUSTED_PROXY_COUNT = int(
        _compose_value(compose["services"]["web"]["environment"].get("DJANGO_TRUSTED_PROXY_COUNT", "0"))
    )
    proxy = "172.18.0.1"  # the address every request reaches gunicorn from
    attacker = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.5")
    for _ in range(6):
        password_login(attacker, "caseworker", WRONG)
    assert password_login(attacker, "caseworker", DEFAULT_PASSWORD).status_code == 429
    owner = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert password_login(owner, "caseworker", DEFAULT_PASSWORD).status_code == 302
    assert SecurityEvent.objects.filter(kind="lockout", ip_address="203.0.113.5").exists()


# --- a reflection period starting on the last day of the calendar ------------------------------


@pytest.mark.parametrize("start", ["9999-12-31", "0001-01-01"])
def test_a_reflection_period_starting_at_the_ends_of_the_calendar_is_refused(client, coordinator, start):
    from services.models import ReflectionPeriod
    from services.services import REFLECTION_START_OUT_OF_RANGE
    from tests.services.factories import case_with

    case = case_with(organisation=coordinator.organisation, citizenships=["UA"])
    client.force_login(coordinator)
    page = client.post(
        reverse("services:reflection_period_start", args=[case.reference]), {"start_date": start}
    )
    assert page.status_code == 400
    # Refused by every date field (cases.dates) before the reflection period's own range.
    expected = (
        "dates before 1900 are not accepted" if start.startswith("0001") else "years ahead are not accepted"
    )
    assert expected in page.content.decode()
    api = client.post(
        f"/api/v1/cases/{case.reference}/reflection-period/",
        {"start_date": start},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert expected in api.content.decode()
    # Within the plausible dates, the reflection period's own range still answers.
    old = client.post(
        reverse("services:reflection_period_start", args=[case.reference]), {"start_date": "1950-01-01"}
    )
    assert old.status_code == 400 and str(REFLECTION_START_OUT_OF_RANGE) in old.content.decode()
    assert not ReflectionPeriod.objects.exists()


# --- the export progress poll and the export files ---------------------------------------------


def test_the_export_progress_poll_does_not_keep_the_session_alive(
    client, coordinator, case_of_caseworker, settings
):
    from django.contrib.sessions.models import Session

    from accounts.middleware import RENEWED_AT_SESSION_KEY
    from monitoring.models import SummaryExport

    now = timezone.now()
    export = SummaryExport.objects.create(
        requested_by=coordinator,
        filters={},
        total=1,
        created_at=now,
        expires_at=now + datetime.timedelta(days=1),
    )
    client.force_login(coordinator)
    client.get(reverse("dashboard"))
    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(expire_date=now + datetime.timedelta(minutes=1))
    poll = client.get(reverse("monitoring:export_progress", args=[export.pk]))
    assert poll.status_code == 200
    assert Session.objects.get(session_key=key).expire_date == now + datetime.timedelta(minutes=1)
    # A page the person opens does renew it (once its last renewal is a minute old).
    session = client.session
    session[RENEWED_AT_SESSION_KEY] -= settings.SESSION_RENEW_SECONDS
    session.save()
    Session.objects.filter(session_key=key).update(expire_date=now + datetime.timedelta(minutes=1))
    client.get(reverse("dashboard"))
    assert Session.objects.get(session_key=key).expire_date > now + datetime.timedelta(minutes=20)


def test_export_files_are_readable_by_the_service_user_only(
    coordinator, case_of_caseworker, settings, tmp_path
):
    import os
    import stat

    from monitoring import services as monitoring_services

    settings.MEDIA_ROOT = tmp_path
    export = monitoring_services.summary_export_request(actor=coordinator, filters={})
    export = monitoring_services.summary_export_build(export_id=export.pk)
    path = tmp_path / export.file_path
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
