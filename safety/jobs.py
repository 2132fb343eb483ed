"""The daily safety sweep: set-based and idempotent, like the limits' sweep it reuses.

Two alerts, one INSERT ... SELECT ... ON CONFLICT (case, kind, due_on) DO NOTHING each:
- the latest risk assessment's review date has passed (due on that date);
- a high-risk case has no safety plan (not one measure), due on the day of the assessment that
  made it high.
A second run on the same day inserts nothing; the alert's e-mail goes to the assigned
caseworkers once, through the outbox (the claim of rehabilitation.jobs, which every alert shares).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.db import models, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from cases.models import Alert, Case, RiskLevel
from rehabilitation.jobs import _alert_select, _copy_to_history, _insert_alerts, _notify

from .models import RiskAssessment, SafetyMeasure

logger = logging.getLogger(__name__)
Kind = Alert.Kind


@dataclass
class RunResult:
    today: datetime.date
    alerts: dict[str, int] = field(default_factory=dict)
    emails_sent: int = 0

    @property
    def alerts_raised(self) -> int:
        return sum(self.alerts.values())


def _latest(column: str):
    return Subquery(
        RiskAssessment.objects.filter(case_id=OuterRef("pk"))
        .order_by("-assessed_on", "-pk")
        .values(column)[:1]
    )


def _open_assessed_cases():
    return Case.objects.exclude(stage=Case.Stage.CLOSED).annotate(
        latest_review=_latest("next_review_on"),
        latest_assessed=_latest("assessed_on"),
    )


def raise_safety_alerts(*, today: datetime.date | None = None) -> RunResult:
    today = today or timezone.localdate()
    stamp = timezone.now()
    result = RunResult(today=today)
    with transaction.atomic():
        overdue = _open_assessed_cases().filter(latest_review__lt=today)
        result.alerts[Kind.RISK_REVIEW_OVERDUE] = _insert_alerts(
            _alert_select(
                overdue,
                case="pk",
                kind=Kind.RISK_REVIEW_OVERDUE,
                due_on=models.F("latest_review"),
                stamp=stamp,
            )
        )
        no_plan = (
            _open_assessed_cases()
            .filter(risk_level=RiskLevel.HIGH, latest_assessed__isnull=False)
            .exclude(Exists(SafetyMeasure.objects.filter(case_id=OuterRef("pk"))))
        )
        result.alerts[Kind.HIGH_RISK_NO_PLAN] = _insert_alerts(
            _alert_select(
                no_plan,
                case="pk",
                kind=Kind.HIGH_RISK_NO_PLAN,
                due_on=models.F("latest_assessed"),
                stamp=stamp,
            )
        )
        if result.alerts_raised:
            _copy_to_history(
                Alert,
                Alert.objects.filter(created_at=stamp),
                stamp=stamp,
                history_type="+",
                reason="Raised by the daily job",
            )
        result.emails_sent = _notify(stamp)
    logger.info(
        "raise_safety_alerts %s: %s alerts, %s e-mails", today, result.alerts_raised, result.emails_sent
    )
    return result
