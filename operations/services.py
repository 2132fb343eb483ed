"""Every write of the machinery: the outbox, its delivery, and the periodic jobs' heartbeats."""

from __future__ import annotations

import contextlib
import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from cases.models import Role, User

from .models import JobHeartbeat, OutboxEmail

logger = logging.getLogger(__name__)

# Backoff between attempts: 1, 2, 4, ... minutes, at most an hour; retried until sent.
BACKOFF_FIRST = datetime.timedelta(minutes=1)
BACKOFF_MAX = datetime.timedelta(hours=1)
# "Not run for a day", with an hour's grace for the job that runs once a day.
STALE_AFTER = datetime.timedelta(hours=25)
HEARTBEAT = "operations.tasks.heartbeat"


def backoff(attempts: int) -> datetime.timedelta:
    pause: datetime.timedelta = BACKOFF_FIRST * (2 ** max(attempts - 1, 0))
    return min(pause, BACKOFF_MAX)


# --- the outbox -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Email:
    kind: str
    to: str
    subject: str
    body: str
    recipient_id: int | None = None
    dedupe_key: str | None = None


def outbox_write(emails: Iterable[Email], *, batch_size: int = 2000) -> int:
    """Write e-mails into the outbox, inside the caller's transaction, and have them delivered
    after the commit. An e-mail whose event key is already there is not written again."""
    rows = [
        OutboxEmail(
            kind=e.kind,
            to_address=e.to,
            subject=e.subject[:200],
            body=e.body,
            recipient_id=e.recipient_id,
            dedupe_key=e.dedupe_key,
        )
        for e in emails
        if e.to
    ]
    if not rows:
        return 0
    # Not history-tracked (see models.py): a bulk insert is allowed and keeps a big run quick.
    OutboxEmail.objects.bulk_create(rows, batch_size=batch_size, ignore_conflicts=True)
    outbox_deliver_after_commit()
    return len(rows)


def outbox_deliver_after_commit() -> None:
    """Queue one delivery job for what the caller's transaction wrote into the outbox (also by a
    set-based INSERT ... SELECT). When the broker is down the rows wait, and the sweep every
    minute delivers them once it is back."""
    from .queueing import enqueue_on_commit
    from .tasks import deliver_outbox

    enqueue_on_commit(deliver_outbox, kwargs={})


def _mailer() -> BaseEmailBackend:
    return mailers.default


@dataclass
class Delivery:
    sent: int = 0
    failed: int = 0


def outbox_deliver(*, now: datetime.datetime | None = None, limit: int = 5000) -> Delivery:
    """Send what is due, each e-mail once.

    Each e-mail is locked (SKIP LOCKED, so two workers never take the same one), sent and marked
    sent in its own short transaction: a crash between sending and the commit is the only way
    to send one twice. A failure is counted and the e-mail waits for its next attempt, with a
    growing pause; after the first failure the mail server is not asked again in this run.
    """
    result = Delivery()
    mailer = _mailer()
    opened = False
    try:
        while result.sent + result.failed < limit:
            moment = now or timezone.now()
            with transaction.atomic():
                row = (
                    OutboxEmail.objects.select_for_update(skip_locked=True)
                    .filter(status=OutboxEmail.Status.PENDING, next_attempt_at__lte=moment)
                    .order_by("next_attempt_at", "pk")
                    .first()
                )
                if row is None:
                    break
                try:
                    if not opened:
                        mailer.open()
                        opened = True
                    message = EmailMessage(subject=row.subject, body=row.body, to=[row.to_address])
                    mailer.send_messages([message])
                except Exception as error:
                    row.attempts += 1
                    row.last_error = type(error).__name__[:100]
                    row.next_attempt_at = moment + backoff(row.attempts)
                    row.save(update_fields=["attempts", "last_error", "next_attempt_at"])
                    result.failed += 1
                    logger.warning(
                        "outbox e-mail %s not sent (attempt %s): %s", row.pk, row.attempts, row.last_error
                    )
                    break
                row.status = OutboxEmail.Status.SENT
                row.sent_at = timezone.now()
                row.save(update_fields=["status", "sent_at"])
                result.sent += 1
    finally:
        if opened:
            with contextlib.suppress(Exception):  # a broken connection is already closed
                mailer.close()
    if result.sent or result.failed:
        logger.info("outbox: %s sent, %s failed", result.sent, result.failed)
    return result


# --- heartbeats -------------------------------------------------------------------------------


def heartbeat_started(*, name: str, now: datetime.datetime | None = None) -> None:
    now = now or timezone.now()
    JobHeartbeat.objects.update_or_create(name=name, defaults={"last_started_at": now})


def heartbeat_succeeded(*, name: str, now: datetime.datetime | None = None) -> None:
    now = now or timezone.now()
    JobHeartbeat.objects.update_or_create(name=name, defaults={"last_success_at": now})


def heartbeat_failed(*, name: str, error: BaseException, now: datetime.datetime | None = None) -> None:
    now = now or timezone.now()
    JobHeartbeat.objects.update_or_create(
        name=name, defaults={"last_failure_at": now, "last_error": type(error).__name__[:100]}
    )


def periodic_job_names() -> list[str]:
    return sorted({entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()})


def heartbeats_ensure(*, now: datetime.datetime | None = None) -> list[JobHeartbeat]:
    """A row per periodic job, so that a job that never ran is seen as well (from its first sight)."""
    now = now or timezone.now()
    for name in periodic_job_names():
        JobHeartbeat.objects.get_or_create(name=name, defaults={"first_seen_at": now})
    return list(JobHeartbeat.objects.filter(name__in=periodic_job_names()).order_by("name"))


def national_coordinators() -> list[User]:
    return list(
        User.objects.filter(is_active=True, role_grants__role=Role.NATIONAL_COORDINATOR)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


@transaction.atomic
def stale_jobs_alert(*, now: datetime.datetime | None = None) -> list[str]:
    """E-mail the national coordinators, once a day per job, of each periodic job that has not
    succeeded for a day. Returns the names of the stale jobs."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    heartbeats_ensure(now=now)
    stale = [
        hb
        for hb in JobHeartbeat.objects.select_for_update().filter(name__in=periodic_job_names())
        if hb.is_stale_at(now, STALE_AFTER)
    ]
    to_tell = [hb for hb in stale if hb.stale_notified_on != today]
    if to_tell:
        link = settings.SITE_URL.rstrip("/") + reverse("dashboard")
        with override(settings.LANGUAGE_CODE):
            subject = gettext("A periodic job has not run for a day")
            body = "\n\n".join(
                [
                    gettext("These periodic jobs have not completed for more than a day:"),
                    "\n".join(hb.name for hb in to_tell),
                    gettext("Ask the system administrator to check the worker and the scheduler."),
                    link,
                ]
            )
        outbox_write(
            Email(
                kind=OutboxEmail.Kind.JOB_STALE,
                to=user.email,
                subject=subject,
                body=body,
                recipient_id=user.pk,
                dedupe_key=f"job_stale:{today.isoformat()}:{user.pk}:{','.join(hb.name for hb in to_tell)}",
            )
            for user in national_coordinators()
        )
        for hb in to_tell:
            hb.stale_notified_on = today
            hb.save(update_fields=["stale_notified_on"])
        logger.warning("periodic jobs not run for a day: %s", ", ".join(hb.name for hb in to_tell))
    return [hb.name for hb in stale]
