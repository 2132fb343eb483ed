"""Parts that fail for real: our own Redis server stopped, a real worker process SIGKILLed in the
middle of the daily job. (Never the shared Redis or PostgreSQL: see conftest.py.)"""

import time

import psycopg2
import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.urls import reverse

from cases.models import Alert
from monitoring import services as monitoring_services
from monitoring.models import SummaryExport
from operations.models import JobHeartbeat, OutboxEmail
from referrals.models import Referral
from rehabilitation import jobs
from rehabilitation.models import RehabilitationCourse
from tests.factories import make_case
from tests.referrals.test_api import _json
from tests.rehabilitation.factories import course_at_day, identified_case

from .conftest import kill, start_worker_process, wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_with_redis_down_an_export_is_visibly_failed_not_a_500_nor_stranded(
    client, own_redis, national, mandated_ngo, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    make_case(organisation=mandated_ngo)
    own_redis.stop()
    client.force_login(national)

    started = time.monotonic()
    response = client.post(reverse("monitoring:exports"), {"q": ""}, follow=True)

    assert time.monotonic() - started < 15  # a dead broker does not hang the page
    assert response.status_code == 200
    export = SummaryExport.objects.get()
    assert export.status == SummaryExport.Status.FAILED and export.error == "not queued"
    page = response.content.decode()
    assert str(monitoring_services.EXPORT_NOT_QUEUED) in page
    assert "Failed: 0 of 1" in page  # no progress bar polling a job that does not exist
    assert export.history.first().history_change_reason == "the job queue was not reachable"


def test_with_redis_up_the_same_request_is_queued(
    client, own_redis, national, mandated_ngo, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    make_case(organisation=mandated_ngo)
    client.force_login(national)
    client.post(reverse("monitoring:exports"), {"q": ""})
    assert SummaryExport.objects.get().status == SummaryExport.Status.QUEUED


def test_with_redis_down_a_referral_is_saved_and_its_email_waits_then_goes_once_redis_is_back(
    client, own_redis, police, coordinator
):
    from celery.contrib.testing.worker import start_worker

    from operations.tasks import deliver_outbox
    from trafficking_cms.celery import app

    own_redis.stop()
    client.force_login(police)
    response = client.post("/api/v1/referrals/", _json(), content_type="application/json")
    assert response.status_code == 201
    assert Referral.objects.get().status == Referral.Status.SUBMITTED
    assert OutboxEmail.objects.get().status == OutboxEmail.Status.PENDING
    assert mail.outbox == []

    own_redis.start()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        deliver_outbox.delay()  # what beat sends every minute
        wait_for(
            lambda: OutboxEmail.objects.filter(status=OutboxEmail.Status.SENT).exists(),
            what="the e-mail to be sent",
        )
    assert [m.to for m in mail.outbox] == [[coordinator.email]]


# --- SIGKILL in the middle of the daily job ----------------------------------------------------


def _state():
    return (
        sorted(Alert.objects.values_list("case__reference", "kind", "due_on")),
        sorted(RehabilitationCourse.objects.values_list("case__reference", "status", "ended_on")),
        sorted(OutboxEmail.objects.values_list("to_address", "body")),
        RehabilitationCourse.history.filter(history_type="~").count(),
        Alert.history.count(),
    )


def _raw_connection():
    db = settings.DATABASES["default"]
    return psycopg2.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db.get("PASSWORD") or None,
        dbname=db["NAME"],
    )


def _blocked_worker_backend():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
            "AND query LIKE 'INSERT INTO \"operations_outboxemail\"%%'"
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _backend_gone(pid):
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0] == 0


def _tables_written_by(pid) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE l.pid = %s AND l.mode = 'RowExclusiveLock' AND l.granted",
            [pid],
        )
        return {r[0] for r in cursor.fetchall()}


def test_a_worker_killed_in_the_middle_of_enforce_limits_leaves_nothing_and_the_rerun_is_exact(
    own_redis, mandated_ngo, caseworker, caseworker2, tmp_path
):
    from rehabilitation.tasks import enforce_limits
    from trafficking_cms.celery import app

    from .conftest import point_celery_at

    ended = identified_case(organisation=mandated_ngo, caseworkers=[caseworker])
    course_at_day(ended, 181, actor=caseworker)
    hours = identified_case(organisation=mandated_ngo, caseworkers=[caseworker, caseworker2])
    from rehabilitation import services as rehab

    rehab.court_support_log(
        case=hours, date=hours.opened_on, hours="120.00", activity="Trial", actor=caseworker
    )
    course_at_day(hours, 170, actor=caseworker)
    before = _state()

    # What an uninterrupted run does to these rows (run, recorded, rolled back).
    from django.db import transaction

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        jobs.enforce_limits()
        uninterrupted = _state()
        raise Undo
    assert _state() == before and uninterrupted != before
    assert (
        len(uninterrupted[0]) == 4 and len(uninterrupted[2]) == 3
    )  # 4 alerts; 3 e-mails (caseworker x case)

    # A real worker takes the task and is held, mid-transaction, at the outbox insert.
    point_celery_at(own_redis.url)
    blocker = _raw_connection()
    blocker.cursor().execute("LOCK TABLE operations_outboxemail IN ACCESS EXCLUSIVE MODE")
    worker = start_worker_process(
        broker_url=own_redis.url, database_name=settings.DATABASES["default"]["NAME"], log=tmp_path / "w1.log"
    )
    try:
        enforce_limits.delay()
        pid = wait_for(_blocked_worker_backend, timeout=180, step=0.3, what="the worker to reach the outbox")
        # Half-done inside its transaction: alerts inserted, courses ended, history copied.
        assert {"cases_alert", "rehabilitation_rehabilitationcourse"} <= _tables_written_by(pid)
        kill(worker)
    finally:
        kill(worker)
        blocker.rollback()
        blocker.close()
    wait_for(lambda: _backend_gone(pid), timeout=60, what="the killed worker's transaction to end")

    assert _state() == before  # nothing half-done
    heartbeat = JobHeartbeat.objects.get(name="rehabilitation.tasks.enforce_limits")
    assert heartbeat.last_started_at and heartbeat.last_success_at is None  # visible: started, never done

    # The rerun (tomorrow's beat, or the command) through a fresh worker process.
    worker = start_worker_process(
        broker_url=own_redis.url, database_name=settings.DATABASES["default"]["NAME"], log=tmp_path / "w2.log"
    )
    try:
        app.send_task("rehabilitation.tasks.enforce_limits")
        wait_for(
            lambda: JobHeartbeat.objects.filter(
                name="rehabilitation.tasks.enforce_limits", last_success_at__isnull=False
            ).exists(),
            timeout=180,
            step=0.3,
            what="the rerun to finish",
        )
    finally:
        kill(worker)
    assert _state() == uninterrupted
