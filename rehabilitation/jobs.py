"""The periodic enforcement of the limits: one set-based sweep, safe to run twice, that catches up.

Every step is a single statement over all cases, so the number of queries does not grow with the
number of cases (docs/decisions.md, "Celery": a per-course loop of save() and get_or_create was 150x
slower over a million courses):

- alerts: one INSERT ... SELECT ... ON CONFLICT (case, kind, due_on) DO NOTHING per kind; the
  SELECT is compiled by the ORM and wrapped, since the ORM has no INSERT ... SELECT;
- expiries: one UPDATE per kind of period, plus one INSERT ... SELECT into the history table for
  the rows it changed, stamped with the run's time so that exactly those rows are copied;
- e-mails: the alerts this run raised are claimed with one UPDATE (notified_at), and one
  INSERT ... SELECT writes an e-mail per assigned caseworker and case (a link, no personal data)
  into the outbox in the same transaction; Celery delivers them after the commit.

Killed anywhere (SIGKILL of the worker), the run leaves nothing: it is one transaction, and the
rerun does exactly what an uninterrupted run would have done.

Idempotent: a second run on the same day inserts nothing (the unique constraint), ends nothing
(the rows are no longer running) and sends nothing (nothing is left unnotified). Catching up: the
conditions are "on or before today", never "equal to today", so a run after a week away raises
each warning whose due date passed, once, with its own due date, and ends an overdue course on its
own last day, not on the day the job happened to run.

The reflection period and the residence permit belong to the identification issue (services/);
this module reads and updates their rows with its own set-based statements against their models
and takes the dates from services.limits (the one place of that arithmetic).
"""

from __future__ import annotations

import datetime
import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import DateField, Exists, F, IntegerField, OuterRef, Sum, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as gettext_now
from django.utils.translation import override

from cases import periods
from cases.models import Alert, Case, CaseAssignment
from operations.models import OutboxEmail
from operations.services import outbox_deliver_after_commit

from . import limits
from .models import CourtSupportEntry, RehabilitationCourse

logger = logging.getLogger(__name__)

Kind = Alert.Kind
# simple-history's own columns; every other column of a historical table mirrors the model's.
_HISTORY_OWN = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}


@dataclass
class RunResult:
    today: datetime.date
    alerts: dict[str, int] = field(default_factory=dict)
    courses_ended: int = 0
    reflection_periods_ended: int = 0
    emails_sent: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def alerts_raised(self) -> int:
        return sum(self.alerts.values())


def _execute(sql: str, params) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _insert_alerts(select: models.QuerySet) -> int:
    """INSERT INTO alert (case_id, kind, due_on, created_at) <select> ON CONFLICT DO NOTHING.

    `select` yields exactly those four columns in that order. The outer SELECT ... WHERE 1 = 1
    keeps SQLite's parser from reading ON CONFLICT as a join's ON (its documented ambiguity).
    """
    sql, params = select.query.get_compiler(connection=connection).as_sql()
    table = connection.ops.quote_name(Alert._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in ("case_id", "kind", "due_on", "created_at"))
    return _execute(
        # Identifiers quoted by the backend, values bound as parameters: no user text in the SQL.
        f"INSERT INTO {table} ({cols}) SELECT * FROM ({sql}) AS src WHERE 1 = 1 "  # noqa: S608
        "ON CONFLICT (case_id, kind, due_on) DO NOTHING",
        params,
    )


def _alert_select(qs: models.QuerySet, *, case: str, kind: str, due_on, stamp) -> models.QuerySet:
    return qs.annotate(
        a_case=F(case),
        a_kind=Value(kind, output_field=models.CharField()),
        a_due=due_on,
        a_created=Value(stamp, output_field=models.DateTimeField()),
    ).values_list("a_case", "a_kind", "a_due", "a_created")


def _days_before(column: str, days: int):
    # date - n days, cast back to a date on every backend (PostgreSQL returns a timestamp, SQLite
    # a text timestamp, without the cast).
    return Cast(F(column) - datetime.timedelta(days=days), output_field=DateField())


def _days_after(column: str, days: int):
    return Cast(F(column) + datetime.timedelta(days=days), output_field=DateField())


def _copy_to_history(model, qs: models.QuerySet, *, stamp, history_type: str, reason: str) -> int:
    """INSERT INTO <model's historical table> SELECT <the rows as they are now>, set-based: the
    history row simple-history would have written on save(), for many rows in one statement."""
    historical = model.history.model
    fields = [f for f in historical._meta.concrete_fields if f.name not in _HISTORY_OWN]
    columns = [f.column for f in fields] + [
        "history_date",
        "history_change_reason",
        "history_type",
        "history_user_id",
    ]
    select = qs.annotate(
        h_date=Value(stamp, output_field=models.DateTimeField()),
        h_reason=Value(reason, output_field=models.TextField()),
        h_type=Value(history_type, output_field=models.CharField()),
        h_user=Value(None, output_field=IntegerField()),
    ).values_list(*[f.attname for f in fields], "h_date", "h_reason", "h_type", "h_user")
    sql, params = select.query.get_compiler(connection=connection).as_sql()
    table = connection.ops.quote_name(historical._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    return _execute(f"INSERT INTO {table} ({cols}) {sql}", params)


# --- the steps ------------------------------------------------------------------------------


def _course_warnings(today: datetime.date, stamp) -> int:
    # Warned 14 days before the last day; still raised for a course that passed its warning day
    # (or its last day) while the job was down, before the expiry step below ends it.
    courses = RehabilitationCourse.objects.filter(
        status=RehabilitationCourse.Status.ACTIVE,
        last_day__lte=today + datetime.timedelta(days=limits.COURSE_WARN_DAYS_BEFORE),
    ).exclude(case__stage=Case.Stage.CLOSED)
    return _insert_alerts(
        _alert_select(
            courses,
            case="case_id",
            kind=Kind.COURSE_ENDS_SOON,
            due_on=_days_before("last_day", limits.COURSE_WARN_DAYS_BEFORE),
            stamp=stamp,
        )
    )


def _end_expired_courses(today: datetime.date, stamp) -> int:
    """Day 181 and later: the course ends, as "limit reached", on its own last day (day 180)."""
    reason = "Limit reached: 180 days"
    ended = RehabilitationCourse.objects.filter(
        status=RehabilitationCourse.Status.ACTIVE, last_day__lt=today
    ).update(
        status=RehabilitationCourse.Status.LIMIT_REACHED,
        ended_on=F("last_day"),
        end_reason=reason,
        ended_at=stamp,
    )
    if ended:
        _copy_to_history(
            RehabilitationCourse,
            RehabilitationCourse.objects.filter(
                status=RehabilitationCourse.Status.LIMIT_REACHED, ended_at=stamp
            ),
            stamp=stamp,
            history_type="~",
            reason=reason,
        )
    return ended


def _course_limit_alerts(today: datetime.date, stamp) -> int:
    # Due on day 181; every course that the limit ended, whenever it was ended: ON CONFLICT keeps
    # it to one alert, and a crash between the end and the alert is mended by the next run.
    courses = RehabilitationCourse.objects.filter(
        status=RehabilitationCourse.Status.LIMIT_REACHED, last_day__lt=today
    ).exclude(case__stage=Case.Stage.CLOSED)
    return _insert_alerts(
        _alert_select(
            courses,
            case="case_id",
            kind=Kind.COURSE_LIMIT_REACHED,
            due_on=_days_after("last_day", 1),
            stamp=stamp,
        )
    )


# How far back the daily job raises an alert it missed (the job did not run on those days).
CATCH_UP_DAYS = 60


def _court_hours_alerts(today: datetime.date, stamp) -> dict[str, int]:
    """At 80 % and at 100 % of the 150 hours, once per case each.

    Hours only grow, so each threshold is crossed once; its alert is dated the day the job first
    saw it, and a case that already has one gets no second (NOT EXISTS, whatever its date).
    """
    counts = {}
    # Only a case with an entry recorded or corrected within the catch-up window can have
    # crossed a threshold since (a void only takes hours away): the idle rerun does not sum the
    # hours of every open case (docs/performance.md). Counted back from the run's date, not the
    # clock, so that a run replayed for an earlier date looks back from that date.
    since = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=CATCH_UP_DAYS), datetime.time.min)
    )
    changed = CourtSupportEntry.objects.filter(
        models.Q(created_at__gte=since) | models.Q(corrected_at__gte=since)
    ).values("case_id")
    for kind, threshold in (
        (Kind.COURT_HOURS_80, limits.court_support_warn_threshold()),
        (Kind.COURT_HOURS_100, limits.COURT_SUPPORT_LIMIT),
    ):
        already = Alert.objects.filter(case_id=models.OuterRef("case_id"), kind=kind)
        totals = (
            CourtSupportEntry.objects.counted()
            .filter(case_id__in=changed)
            .exclude(case__stage=Case.Stage.CLOSED)
            .values("case_id")
            .annotate(total=Sum("hours"))
            .filter(total__gte=threshold)
            .filter(~models.Exists(already))
        )
        counts[kind] = _insert_alerts(
            _alert_select(
                totals, case="case_id", kind=kind, due_on=Value(today, output_field=DateField()), stamp=stamp
            )
        )
    return counts


def _reflection_steps(today: datetime.date, stamp, result: RunResult) -> None:
    """Warn 5 days before a reflection period's last day (day 30); end it on day 31."""
    from services import limits as services_limits
    from services.models import ReflectionPeriod

    running = ReflectionPeriod.objects.filter(status=ReflectionPeriod.Status.RUNNING).exclude(
        case__stage=Case.Stage.CLOSED
    )
    warn = services_limits.REFLECTION_WARN_DAYS_BEFORE
    result.alerts[Kind.REFLECTION_ENDS_SOON] = _insert_alerts(
        _alert_select(
            running.filter(last_day__lte=today + datetime.timedelta(days=warn)),
            case="case_id",
            kind=Kind.REFLECTION_ENDS_SOON,
            due_on=_days_before("last_day", warn),
            stamp=stamp,
        )
    )
    reason = "Reflection period ended: 30 days"
    # The period's rows carry no time stamp of their own, so the rows to copy into history are
    # picked before the update, by primary key, inside this run's transaction.
    due = ReflectionPeriod.objects.filter(status=ReflectionPeriod.Status.RUNNING, last_day__lt=today)
    ids = list(due.select_for_update().values_list("pk", flat=True))
    ended = 0
    if ids:
        ended = ReflectionPeriod.objects.filter(pk__in=ids).update(
            status=ReflectionPeriod.Status.ENDED, ended_on=F("last_day")
        )
        _copy_to_history(
            ReflectionPeriod,
            ReflectionPeriod.objects.filter(pk__in=ids),
            stamp=stamp,
            history_type="~",
            reason=reason,
        )
    result.reflection_periods_ended = ended
    # Periods that ran out (ended on their last day), whenever this job ended them within the
    # catch-up window; not one ended otherwise. The window keeps the idle rerun from reading
    # every period that ever ran out (seconds at a million cases, docs/performance.md); a job
    # stopped for longer is raised by the stale-job check long before.
    ended_periods = ReflectionPeriod.objects.filter(
        status=ReflectionPeriod.Status.ENDED,
        ended_on=F("last_day"),
        last_day__lt=today,
        last_day__gte=today - datetime.timedelta(days=CATCH_UP_DAYS),
    ).exclude(case__stage=Case.Stage.CLOSED)
    result.alerts[Kind.REFLECTION_ENDED] = _insert_alerts(
        _alert_select(
            ended_periods,
            case="case_id",
            kind=Kind.REFLECTION_ENDED,
            due_on=_days_after("last_day", 1),
            stamp=stamp,
        )
    )


PERMIT_WARN_DAYS_BEFORE = 30


def _permit_alerts(today: datetime.date, stamp) -> int:
    """Remind 30 days before a granted residence permit expires."""
    from services.models import ResidencePermit

    permits = ResidencePermit.objects.filter(
        decision=ResidencePermit.Decision.GRANTED,
        valid_until__isnull=False,
        valid_until__gte=today - datetime.timedelta(days=PERMIT_WARN_DAYS_BEFORE),
        valid_until__lte=today + datetime.timedelta(days=PERMIT_WARN_DAYS_BEFORE),
    ).exclude(case__stage=Case.Stage.CLOSED)
    return _insert_alerts(
        _alert_select(
            permits,
            case="case_id",
            kind=Kind.PERMIT_EXPIRES_SOON,
            due_on=_days_before("valid_until", PERMIT_WARN_DAYS_BEFORE),
            stamp=stamp,
        )
    )


def _follow_up_alerts(today: datetime.date, stamp) -> int:
    """A case waiting in the post-course follow-up whose two years have passed: the coordinator
    can close it (docs/lifecycle.md). Due the day after the window's last day, once per case.

    The window's last day is a calendar-year step (29 February), which SQL cannot share with
    limits.post_course_last_day; the candidates are the few cases whose window ended and that
    have no such alert yet, so a short loop computes the dates and one insert writes them.
    """
    later = RehabilitationCourse.objects.filter(
        case_id=OuterRef("case_id"), start_date__gt=OuterRef("start_date")
    )
    ended_by = periods.add_years(today, -limits.POST_COURSE_YEARS)
    candidates = (
        RehabilitationCourse.objects.filter(case__stage=Case.Stage.FOLLOW_UP, ended_on__isnull=False)
        .filter(ended_on__lte=ended_by)
        .exclude(Exists(later))
        .exclude(case__alerts__kind=Kind.FOLLOW_UP_ENDED)
        .values_list("case_id", "ended_on")
    )
    rows = []
    for case_id, ended_on in candidates:
        last = limits.post_course_last_day(ended_on)
        if last < today:
            rows.append(
                Alert(
                    case_id=case_id,
                    kind=Kind.FOLLOW_UP_ENDED,
                    due_on=last + datetime.timedelta(days=1),
                    created_at=stamp,
                )
            )
    if not rows:
        return 0
    # Without history here: the run copies every alert it raised (created_at = stamp) at once.
    Alert.objects.bulk_create(rows, ignore_conflicts=True)
    return Alert.objects.filter(kind=Kind.FOLLOW_UP_ENDED, created_at=stamp).count()


# The placeholder a case's reference replaces in the link: the URL is reversed once per run,
# not once per e-mail (a reverse() per row took most of a 37,000-e-mail run).
_REFERENCE_SLOT = "REFERENCE-SLOT"


def _case_link_parts() -> tuple[str, str]:
    base = settings.SITE_URL.rstrip("/")
    url = reverse("cases:detail", kwargs={"reference": _REFERENCE_SLOT})
    before, after = url.split(_REFERENCE_SLOT)
    return base + before, after + "#alerts-h"


def _notify(stamp) -> int:
    """Claim the alerts nobody was told of (one UPDATE) and write one e-mail per caseworker and
    case into the outbox (one INSERT ... SELECT ... ON CONFLICT DO NOTHING), in the run's own
    transaction: a run killed halfway leaves neither alerts nor e-mails. Each e-mail is a link
    to the case's alerts and no personal data; Celery delivers them after the commit."""
    if not Alert.objects.filter(notified_at__isnull=True).update(notified_at=stamp):
        return 0
    with override(settings.LANGUAGE_CODE):
        subject = gettext_now("New alert on a case you work on")
        intro = gettext_now("A case you work on has a new alert:")
    link_before, link_after = _case_link_parts()
    text = models.TextField()
    rows = (
        CaseAssignment.objects.filter(ended_at__isnull=True, case__alerts__notified_at=stamp)
        .exclude(user__email="")
        .filter(user__is_active=True)
        .annotate(
            o_kind=Value(OutboxEmail.Kind.ALERT.value, output_field=text),
            o_recipient=F("user_id"),
            o_to=F("user__email"),
            o_subject=Value(subject[:200], output_field=text),
            o_body=Concat(
                Value(f"{intro} {link_before}"), F("case__reference"), Value(link_after), output_field=text
            ),
            o_status=Value(OutboxEmail.Status.PENDING.value, output_field=text),
            o_attempts=Value(0, output_field=IntegerField()),
            o_error=Value("", output_field=text),
            # The same key as one e-mail per (run, address, case) always had: written once.
            o_key=Concat(
                Value(f"alert:{stamp.isoformat()}:"),
                F("user__email"),
                Value(":"),
                F("case__reference"),
                output_field=text,
            ),
            o_created=Value(stamp, output_field=models.DateTimeField()),
            o_next=Value(stamp, output_field=models.DateTimeField()),
        )
        .values_list(
            "o_kind",
            "o_recipient",
            "o_to",
            "o_subject",
            "o_body",
            "o_status",
            "o_attempts",
            "o_error",
            "o_key",
            "o_created",
            "o_next",
        )
        .order_by()
        .distinct()
    )
    sql, params = rows.query.get_compiler(connection=connection).as_sql()
    table = connection.ops.quote_name(OutboxEmail._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(OutboxEmail._meta.get_field(name).column)
        for name in (
            "kind",
            "recipient",
            "to_address",
            "subject",
            "body",
            "status",
            "attempts",
            "last_error",
            "dedupe_key",
            "created_at",
            "next_attempt_at",
        )
    )
    written = _execute(
        # Identifiers quoted by the backend, values bound as parameters (as in _insert_alerts).
        f"INSERT INTO {table} ({columns}) SELECT * FROM ({sql}) AS src WHERE 1 = 1 "  # noqa: S608
        "ON CONFLICT (dedupe_key) DO NOTHING",
        params,
    )
    if written:
        outbox_deliver_after_commit()
    return written


def enforce_limits(*, today: datetime.date | None = None) -> RunResult:
    """The daily sweep. `today` (a Europe/Riga date) lets a catch-up run be replayed for a date."""
    today = today or timezone.localdate()
    # The run's time, to the microsecond, marks the rows this run raised or ended.
    stamp = timezone.now()
    result = RunResult(today=today)
    clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        result.timings[step] = now - clock
        clock = now

    with transaction.atomic():
        result.alerts[Kind.COURSE_ENDS_SOON] = _course_warnings(today, stamp)
        lap("course warnings")
        result.courses_ended = _end_expired_courses(today, stamp)
        lap("courses ended + history")
        result.alerts[Kind.COURSE_LIMIT_REACHED] = _course_limit_alerts(today, stamp)
        lap("course limit alerts")
        result.alerts.update(_court_hours_alerts(today, stamp))
        lap("court-hours alerts")
        _reflection_steps(today, stamp, result)
        lap("reflection periods")
        result.alerts[Kind.PERMIT_EXPIRES_SOON] = _permit_alerts(today, stamp)
        lap("permit alerts")
        result.alerts[Kind.FOLLOW_UP_ENDED] = _follow_up_alerts(today, stamp)
        lap("follow-up alerts")
        if result.alerts_raised:
            _copy_to_history(
                Alert,
                Alert.objects.filter(created_at=stamp),
                stamp=stamp,
                history_type="+",
                reason="Raised by the daily job",
            )
        lap("alert history")
        result.emails_sent = _notify(stamp)
        lap("claim + e-mails into the outbox")
    logger.info(
        "enforce_limits %s: %s alerts, %s courses ended, %s reflection periods ended, %s e-mails",
        today,
        result.alerts_raised,
        result.courses_ended,
        result.reflection_periods_ended,
        result.emails_sent,
    )
    return result
