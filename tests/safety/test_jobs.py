"""The daily safety sweep: each alert once, nothing the second time."""

import datetime

import pytest
from django.utils import timezone

from cases.models import Alert, RiskLevel
from operations.models import OutboxEmail
from safety import jobs, services
from safety.models import SafetyMeasure

from .conftest import assess

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def test_overdue_review_and_missing_plan_raise_one_alert_each(case_of_caseworker, caseworker):
    today = timezone.localdate()
    assess(
        case_of_caseworker,
        caseworker,
        level=RiskLevel.HIGH,
        assessed_on=today - 20 * DAY,
        next_review_on=today - 2 * DAY,
    )
    result = jobs.raise_safety_alerts(today=today)
    assert result.alerts == {Alert.Kind.RISK_REVIEW_OVERDUE: 1, Alert.Kind.HIGH_RISK_NO_PLAN: 1}
    alerts = {a.kind: a for a in Alert.objects.filter(case=case_of_caseworker)}
    assert alerts[Alert.Kind.RISK_REVIEW_OVERDUE].due_on == today - 2 * DAY
    assert alerts[Alert.Kind.HIGH_RISK_NO_PLAN].due_on == today - 20 * DAY
    assert all(a.history.count() == 1 for a in alerts.values())
    assert list(OutboxEmail.objects.values_list("to_address", flat=True)) == [caseworker.email]
    again = jobs.raise_safety_alerts(today=today)
    assert again.alerts_raised == 0 and again.emails_sent == 0
    assert Alert.objects.count() == 2


def test_nothing_to_raise(case_of_caseworker, case_of_caseworker2, caseworker, caseworker2):
    today = timezone.localdate()
    assess(case_of_caseworker, caseworker, level=RiskLevel.HIGH, next_review_on=today + DAY)
    services.safety_measure_add(
        case=case_of_caseworker,
        actor=caseworker,
        kind=SafetyMeasure.Kind.CODE_WORD,
        description="x",
        responsible="y",
    )
    # A review due today is not overdue yet.
    assess(
        case_of_caseworker2,
        caseworker2,
        level=RiskLevel.LOW,
        assessed_on=today - 3 * DAY,
        next_review_on=today,
    )
    assert jobs.raise_safety_alerts(today=today).alerts_raised == 0


def test_a_closed_case_raises_nothing(case_of_caseworker, caseworker, coordinator):
    from cases import services as case_services

    today = timezone.localdate()
    assess(
        case_of_caseworker,
        caseworker,
        level=RiskLevel.MEDIUM,
        assessed_on=today - 9 * DAY,
        next_review_on=today - DAY,
    )
    case_services.case_close(case=case_of_caseworker, actor=coordinator, reason="Moved abroad")
    assert jobs.raise_safety_alerts(today=today).alerts_raised == 0


def test_the_sweep_runs_a_fixed_number_of_queries(
    django_assert_num_queries, mandated_ngo, caseworker, coordinator
):
    from tests.factories import make_case

    today = timezone.localdate()
    for n in (3, 30):
        Alert.objects.all().delete()
        while len(cases := list(mandated_ngo.cases.all())) < n:
            case = make_case(organisation=mandated_ngo, caseworkers=[caseworker])
            assess(case, caseworker, assessed_on=today - 9 * DAY, next_review_on=today - DAY)
        # The e-mails go into the outbox with one INSERT ... SELECT, however many cases.
        with django_assert_num_queries(7):
            result = jobs.raise_safety_alerts(today=today)
        assert result.alerts_raised == 2 * len(cases)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_daily_task_runs_through_a_real_worker_on_redis(settings, mandated_ngo, caseworker):
    import time

    from celery.contrib.testing.worker import start_worker

    from safety.tasks import raise_safety_alerts
    from tests.factories import make_case
    from trafficking_cms.celery import app

    assert settings.CELERY_BROKER_URL.startswith("redis://")
    app.conf.broker_url = settings.CELERY_BROKER_URL
    case = make_case(organisation=mandated_ngo, caseworkers=[caseworker])
    today = timezone.localdate()
    assess(case, caseworker, level=RiskLevel.MEDIUM, assessed_on=today - 9 * DAY, next_review_on=today - DAY)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        raise_safety_alerts.delay()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not Alert.objects.filter(case=case).exists():
            time.sleep(0.2)
    assert list(Alert.objects.filter(case=case).values_list("kind", flat=True)) == [
        Alert.Kind.RISK_REVIEW_OVERDUE
    ]
