"""Real connections and a real broker: simultaneous court-support entries never pass 150.00, and
the daily task runs through a real Celery worker on Redis."""

import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from cases.models import Alert
from rehabilitation import services
from rehabilitation.models import CourtSupportEntry
from tests.rehabilitation.factories import course_at_day, identified_case


@pytest.mark.django_db(transaction=True)
def test_simultaneous_entries_never_pass_150_hours(mandated_ngo, caseworker):
    case = identified_case(organisation=mandated_ngo, caseworkers=[caseworker])
    services.court_support_log(
        case=case, date=timezone.localdate(), hours="140.00", activity="Trial", actor=caseworker
    )
    writers = 12
    barrier = threading.Barrier(writers)
    outcomes: list[str] = []
    lock = threading.Lock()

    def write():
        try:
            barrier.wait(timeout=30)
            services.court_support_log(
                case=case, date=timezone.localdate(), hours="2.00", activity="Hearing", actor=caseworker
            )
            result = "ok"
        except ValidationError as error:
            result = error.message_dict["hours"][0]
        finally:
            connection.close()  # each thread had its own connection
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert outcomes.count("ok") == 5
    refused = [o for o in outcomes if o != "ok"]
    assert len(refused) == 7
    assert set(refused) == {
        "All 150.00 hours of court support are used; no more can be logged for this identification."
    }
    assert CourtSupportEntry.objects.filter(case=case).aggregate(t=Sum("hours"))["t"] == Decimal("150.00")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_daily_task_runs_through_a_real_worker_on_redis(settings, mandated_ngo, caseworker):
    from celery.contrib.testing.worker import start_worker

    from rehabilitation.tasks import enforce_limits
    from trafficking_cms.celery import app

    assert settings.CELERY_BROKER_URL.startswith("redis://")
    app.conf.broker_url = settings.CELERY_BROKER_URL
    case = identified_case(organisation=mandated_ngo, caseworkers=[caseworker])
    course = course_at_day(case, 181, actor=caseworker)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        enforce_limits.delay()
        deadline = time.monotonic() + 60
        while (
            time.monotonic() < deadline
            and not Alert.objects.filter(case=case, kind=Alert.Kind.COURSE_LIMIT_REACHED).exists()
        ):
            time.sleep(0.2)
    assert Alert.objects.filter(case=case, kind=Alert.Kind.COURSE_LIMIT_REACHED).exists()
    course.refresh_from_db()
    assert course.status == "limit_reached"
