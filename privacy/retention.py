"""The retention schedule (settings.PRIVACY_RETENTION) and the daily job that applies it.

Set-based: each rule selects what is due in one query and anonymises it in a fixed number of
statements per registered model, whatever the number of cases. Idempotent: what was anonymised
has its Anonymisation row and is not selected again; a held case is listed, never touched.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import SecurityEvent
from cases.models import Case
from documents import services as document_services
from referrals.models import ANONYMOUS, Referral

from . import anonymise
from .models import RetentionRule

SECURITY_LOG = "security_log"


def schedule() -> dict[str, int]:
    return dict(settings.PRIVACY_RETENTION)


def cutoffs(now: datetime.datetime) -> dict[str, datetime.datetime]:
    s = schedule()
    return {
        RetentionRule.CLOSED_CASE: now - datetime.timedelta(days=365 * s["closed_case_years"]),
        RetentionRule.DECLINED_REFERRAL: now - datetime.timedelta(days=s["declined_referral_days"]),
        RetentionRule.ANONYMOUS_NOTIFICATION: now - datetime.timedelta(days=s["anonymous_notification_days"]),
        SECURITY_LOG: now - datetime.timedelta(days=s["security_log_days"]),
    }


def due_cases(now):
    return Case.objects.filter(
        closed_at__isnull=False,
        closed_at__lt=cutoffs(now)[RetentionRule.CLOSED_CASE],
        anonymisation__isnull=True,
    )


def due_declined_referrals(now):
    return Referral.objects.filter(
        status=Referral.Status.DECLINED,
        case__isnull=True,
        decided_at__lt=cutoffs(now)[RetentionRule.DECLINED_REFERRAL],
        anonymisation__isnull=True,
    )


def due_anonymous_notifications(now):
    return Referral.objects.filter(
        ANONYMOUS,
        case__isnull=True,
        submitted_at__lt=cutoffs(now)[RetentionRule.ANONYMOUS_NOTIFICATION],
        anonymisation__isnull=True,
    ).exclude(status=Referral.Status.DECLINED)


def due_security_events(now):
    return SecurityEvent.objects.filter(at__lt=cutoffs(now)[SECURITY_LOG])


@dataclass
class Report:
    dry_run: bool
    cases: list[str] = field(default_factory=list)  # references
    held: list[str] = field(default_factory=list)
    declined_referrals: list[int] = field(default_factory=list)
    anonymous_notifications: list[int] = field(default_factory=list)
    security_events: int = 0
    removed_documents: int = 0

    @property
    def total(self) -> int:
        return (
            len(self.cases)
            + len(self.declined_referrals)
            + len(self.anonymous_notifications)
            + self.security_events
            + self.removed_documents
        )

    def lines(self) -> list[str]:
        verb = "would anonymise" if self.dry_run else "anonymised"
        out = [
            f"closed cases: {verb} {len(self.cases)}" + (f" ({', '.join(self.cases)})" if self.cases else ""),
            f"closed cases under a legal hold, kept: {len(self.held)}"
            + (f" ({', '.join(self.held)})" if self.held else ""),
            f"declined referrals: {verb} {len(self.declined_referrals)}",
            f"anonymous notifications: {verb} {len(self.anonymous_notifications)}",
            f"security log: {'would delete' if self.dry_run else 'deleted'} {self.security_events} events",
            f"removed documents: {'would destroy' if self.dry_run else 'destroyed'} {self.removed_documents} files",
        ]
        return out


def apply_retention(*, dry_run: bool = False, now: datetime.datetime | None = None) -> Report:
    now = now or timezone.now()
    report = Report(dry_run=dry_run)
    cases = due_cases(now)
    held = cases.filter(anonymise.active_hold_exists())
    report.held = list(held.order_by("reference").values_list("reference", flat=True))
    free = cases.exclude(anonymise.active_hold_exists()).order_by("reference")
    declined = due_declined_referrals(now).order_by("pk")
    anonymous = due_anonymous_notifications(now).order_by("pk")
    events = due_security_events(now)
    if dry_run:
        report.cases = list(free.values_list("reference", flat=True))
        report.declined_referrals = list(declined.values_list("pk", flat=True))
        report.anonymous_notifications = list(anonymous.values_list("pk", flat=True))
        report.security_events = events.count()
        report.removed_documents = document_services.documents_due_for_destruction(now=now).count()
        return report
    done = anonymise.anonymise_cases(
        case_ids=list(free.values_list("pk", flat=True)), rule=RetentionRule.CLOSED_CASE, now=now
    )
    report.cases = list(
        Case.objects.filter(pk__in=done).order_by("reference").values_list("reference", flat=True)
    )
    report.declined_referrals = anonymise.anonymise_referrals(
        referral_ids=list(declined.values_list("pk", flat=True)),
        rule=RetentionRule.DECLINED_REFERRAL,
        now=now,
    )
    report.anonymous_notifications = anonymise.anonymise_referrals(
        referral_ids=list(anonymous.values_list("pk", flat=True)),
        rule=RetentionRule.ANONYMOUS_NOTIFICATION,
        now=now,
    )
    report.security_events = _delete_security_events(now)
    # Removed and replaced files: their encrypted bytes go after DOCUMENTS_REMOVED_RETENTION_DAYS.
    report.removed_documents = document_services.documents_destroy_removed(now=now)
    return report


@transaction.atomic
def _delete_security_events(now) -> int:
    cutoff = cutoffs(now)[SECURITY_LOG]
    events = due_security_events(now)
    count = events.count()
    if count:
        # The raw delete writes no deletion snapshot into the history table; its history goes too.
        events._raw_delete(events.db)
    history = SecurityEvent.history.model.objects.filter(at__lt=cutoff)
    history._raw_delete(history.db)
    return count
