"""Every read of the machinery's state; none of it is case content."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Min, Q
from django.utils import timezone

from . import services
from .models import JobHeartbeat, OutboxEmail


def periodic_jobs(*, now: datetime.datetime | None = None) -> list[dict[str, Any]]:
    now = now or timezone.now()
    known = {hb.name: hb for hb in JobHeartbeat.objects.filter(name__in=services.periodic_job_names())}
    rows = []
    for name in services.periodic_job_names():
        hb = known.get(name)
        rows.append(
            {
                "name": name,
                "heartbeat": hb,
                "stale": hb.is_stale_at(now, services.STALE_AFTER) if hb else False,
            }
        )
    return rows


def stale_periodic_jobs(*, now: datetime.datetime | None = None) -> list[dict[str, Any]]:
    return [row for row in periodic_jobs(now=now) if row["stale"]]


def outbox_summary() -> dict[str, Any]:
    return OutboxEmail.objects.aggregate(
        pending=Count("pk", filter=Q(status=OutboxEmail.Status.PENDING)),
        failing=Count("pk", filter=Q(status=OutboxEmail.Status.PENDING, attempts__gt=0)),
        sent=Count("pk", filter=Q(status=OutboxEmail.Status.SENT)),
        oldest_pending=Min("created_at", filter=Q(status=OutboxEmail.Status.PENDING)),
    )


def outbox_failing(*, limit: int = 50) -> list[OutboxEmail]:
    """The e-mails that failed at least once and still wait: kind, attempts and error class only."""
    return list(
        OutboxEmail.objects.filter(status=OutboxEmail.Status.PENDING, attempts__gt=0)
        .only("pk", "kind", "attempts", "last_error", "created_at", "next_attempt_at")
        .order_by("created_at", "pk")[:limit]
    )
