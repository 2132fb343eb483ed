"""/healthz, the periodic jobs' heartbeats, the alert when one stops, and the structured logs."""

import datetime
import io
import json
import logging

import pytest
from django.core import mail
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from cases.models import Role
from operations import services, signals
from operations.models import JobHeartbeat, OutboxEmail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_login_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    from operations import views

    class Dead:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(views, "connection", Dead())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_every_periodic_job_and_the_heartbeat_are_watched(settings):
    names = services.periodic_job_names()
    assert "operations.tasks.heartbeat" in names and "rehabilitation.tasks.enforce_limits" in names
    assert "operations.tasks.deliver_outbox" in names and "operations.tasks.check_stale_jobs" in names


def test_the_worker_signals_record_start_success_and_failure():
    from operations.tasks import heartbeat

    signals.on_prerun(sender=heartbeat, task_id="abc")
    signals.on_postrun()
    signals.on_success(sender=heartbeat)
    hb = JobHeartbeat.objects.get(name="operations.tasks.heartbeat")
    assert hb.last_started_at and hb.last_success_at and not hb.last_failure_at
    signals.on_failure(sender=heartbeat, exception=OperationalError("secret@example.invalid"))
    hb.refresh_from_db()
    assert hb.last_error == "OperationalError"
    # A task that is not periodic is not recorded.
    from monitoring.tasks import build_summary_export

    signals.on_success(sender=build_summary_export)
    assert not JobHeartbeat.objects.filter(name=build_summary_export.name).exists()


def test_a_job_silent_for_a_day_alerts_the_national_coordinator_once_a_day(client, mandated_ngo):
    national = UserFactory(username="national", organisation=mandated_ngo, roles=[Role.NATIONAL_COORDINATOR])
    now = timezone.now()
    for name in services.periodic_job_names():
        JobHeartbeat.objects.create(
            name=name, first_seen_at=now - datetime.timedelta(days=3), last_success_at=now
        )
    JobHeartbeat.objects.filter(name="rehabilitation.tasks.enforce_limits").update(
        last_success_at=now - datetime.timedelta(hours=26)
    )
    # Within the day's grace: nothing.
    assert services.stale_jobs_alert(now=now - datetime.timedelta(hours=2)) == []
    assert not OutboxEmail.objects.exists()

    assert services.stale_jobs_alert(now=now) == ["rehabilitation.tasks.enforce_limits"]
    assert services.stale_jobs_alert(now=now + datetime.timedelta(hours=1)) == [
        "rehabilitation.tasks.enforce_limits"
    ]
    row = OutboxEmail.objects.get()
    assert (row.kind, row.to_address) == ("job_stale", national.email)
    assert "rehabilitation.tasks.enforce_limits" in row.body
    services.outbox_deliver()
    assert mail.outbox[0].subject == "A periodic job has not run for a day"

    client.force_login(national)
    page = client.get(reverse("dashboard")).content.decode()
    assert "These periodic jobs have not completed for more than a day:" in page
    assert "rehabilitation.tasks.enforce_limits" in page


def test_a_job_that_never_ran_counts_from_when_it_was_first_seen(mandated_ngo):
    now = timezone.now()
    services.heartbeats_ensure(now=now)
    assert services.stale_jobs_alert(now=now + datetime.timedelta(hours=24)) == []
    assert len(services.stale_jobs_alert(now=now + datetime.timedelta(hours=26))) == len(
        services.periodic_job_names()
    )


def test_the_coordinator_sees_no_operations_panel(client, coordinator):
    client.force_login(coordinator)
    assert "operations-panel-h" not in client.get(reverse("dashboard")).content.decode()


# --- structured logs --------------------------------------------------------------------------


@pytest.fixture
def json_log():
    from pythonjsonlogger.json import JsonFormatter

    from operations.logs import RedactFilter, RequestIdFilter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"))
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


def test_log_lines_are_json_with_the_request_id_and_no_email_address(client, police, coordinator, json_log):
    from tests.referrals.factories import complete_data

    client.force_login(police)
    data = complete_data()
    response = client.post(
        "/api/v1/referrals/",
        {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()},
        content_type="application/json",
        headers={"X-Request-ID": "req-1234567890"},
    )
    assert response.status_code == 201
    assert response["X-Request-ID"] == "req-1234567890"
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    ours = [line for line in lines if line["name"] == "referrals.services"]
    assert ours and all(line["request_id"] == "req-1234567890" for line in ours)
    logging.getLogger("test").warning("sent to %s", coordinator.email)
    last = json.loads(json_log.getvalue().splitlines()[-1])
    assert coordinator.email not in json_log.getvalue() and last["message"] == "sent to [e-mail]"


def test_a_request_without_an_id_gets_one_and_a_bad_one_is_replaced(client):
    first = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32
    assert (
        client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})["X-Request-ID"] != "bad id"
    )


def test_production_logs_json(monkeypatch):
    import importlib

    from trafficking_cms import settings as project_settings

    monkeypatch.setenv("LOG_FORMAT", "json")
    reloaded = importlib.reload(project_settings)
    try:
        assert reloaded.LOGGING["handlers"]["console"]["formatter"] == "json"
    finally:
        monkeypatch.delenv("LOG_FORMAT")
        importlib.reload(project_settings)
