#!/usr/bin/env python
"""Time the daily enforcement job (rehabilitation.jobs.enforce_limits) over many active cases.

Creates N identified cases (default 100,000) with an active rehabilitation course each, start
dates spread over the last 200 days (so about a tenth are past day 180 and a few percent inside
the 14-day warning), one court-support entry each (0.25-150.00 hours), reflection periods and
residence permits for a tenth of them, and a caseworker on every case; then times a first run
(ends the overdue courses, raises the alerts, copies history, "sends" the e-mails) and a second,
idle run the same day.

The fixtures are written with bulk_create (no history rows): this is a throwaway database.
It FLUSHES the database it is pointed at, so it refuses any database whose name lacks "bench":

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nrm_bench .venv/bin/python scripts/benchmark_limits.py
    (options: --cases 100000)

Writing the fixtures takes far longer than the runs (about 20 minutes for 100,000 cases on a busy
machine): --rollback undoes the timed runs at the end, and --reuse then times the same fixtures
again, e.g. to compare two versions of the job on identical data.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trafficking_cms.settings")
# The job's e-mails are built but not delivered: the benchmark times the database work.
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
os.environ.setdefault("LOG_LEVEL", "WARNING")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true", help="time the fixtures a --rollback run left")
    parser.add_argument("--rollback", action="store_true", help="undo the timed runs, keep the fixtures")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql" or "bench" not in connection.settings_dict["NAME"]:
        sys.exit("Point DATABASE_URL at a PostgreSQL database whose name contains 'bench' (it is flushed).")

    call_command("migrate", "--noinput", verbosity=0)
    from cases.models import Alert, Organisation
    from rehabilitation import jobs
    from rehabilitation.models import RehabilitationCourse

    if args.reuse and Organisation.objects.filter(name="Bench NGO").exists():
        print(f"fixtures: reused ({RehabilitationCourse.objects.count()} courses)")
    else:
        _fixtures(args.cases)
    from django.db import transaction

    class Undo(Exception):
        pass

    try:
        with transaction.atomic():
            _timed_runs(jobs, Alert, RehabilitationCourse)
            if args.rollback:
                raise Undo
    except Undo:
        print("the runs were rolled back; the fixtures are kept for --reuse")


def _timed_runs(jobs, Alert, RehabilitationCourse) -> None:
    from django.utils import timezone

    today = timezone.localdate()
    for label in ("first run", "second run (idle)"):
        t = time.perf_counter()
        result = jobs.enforce_limits(today=today)
        elapsed = time.perf_counter() - t
        print(
            f"{label}: {elapsed:.2f} s; {result.alerts_raised} alerts, {result.courses_ended} courses ended, "
            f"{result.reflection_periods_ended} reflection periods ended, {result.emails_sent} e-mails"
        )
        print("   " + ", ".join(f"{step} {seconds:.2f}" for step, seconds in result.timings.items()))
    print(
        f"alerts in the table: {Alert.objects.count()}; active courses left: "
        f"{RehabilitationCourse.objects.filter(status='active').count()}"
    )


def _fixtures(n: int) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("flush", "--noinput", verbosity=0)

    from cases.models import Case, CaseAssignment, Organisation, Person, Role, User, UserRole
    from rehabilitation import limits
    from rehabilitation.models import CourtSupportEntry, RehabilitationCourse
    from services.limits import reflection_period_last_day
    from services.models import ReflectionPeriod, ResidencePermit

    rng = random.Random(2026)
    today = timezone.localdate()
    batch = 10_000
    t0 = time.perf_counter()
    ngo = Organisation.objects.create(name="Bench NGO", kind=Organisation.Kind.MANDATED_NGO)
    workers = User.objects.bulk_create(
        [User(username=f"bench{i}", organisation=ngo, email=f"bench{i}@example.invalid") for i in range(100)]
    )
    UserRole.objects.bulk_create([UserRole(user=w, role=Role.CASEWORKER) for w in workers])
    people = Person.objects.bulk_create([Person(given_name=f"P{i}") for i in range(n)], batch_size=batch)
    cases = Case.objects.bulk_create(
        [
            Case(
                reference=f"NRM-2026-{i:06d}",
                year=2026,
                number=i,
                person=p,
                organisation=ngo,
                stage=Case.Stage.REHABILITATION,
                victim_status=Case.VictimStatus.IDENTIFIED,
                opened_on=today - datetime.timedelta(days=400),
            )
            for i, p in enumerate(people, start=1)
        ],
        batch_size=batch,
    )
    CaseAssignment.objects.bulk_create(
        [CaseAssignment(case=c, user=workers[i % 100], assigned_by=workers[0]) for i, c in enumerate(cases)],
        batch_size=batch,
    )
    courses = []
    for c in cases:
        start = today - datetime.timedelta(days=rng.randint(0, 199))
        courses.append(
            RehabilitationCourse(
                case=c, start_date=start, last_day=limits.course_last_day(start), recorded_by=workers[0]
            )
        )
    RehabilitationCourse.objects.bulk_create(courses, batch_size=batch)
    CourtSupportEntry.objects.bulk_create(
        [
            CourtSupportEntry(
                case=c,
                date=today,
                hours=Decimal(rng.randint(1, 600)) / 4,
                activity="Hearing",
                recorded_by=workers[0],
            )
            for c in cases
        ],
        batch_size=batch,
    )
    tenth = cases[: n // 10]
    periods = []
    for c in tenth:
        start = today - datetime.timedelta(days=rng.randint(0, 39))
        periods.append(
            ReflectionPeriod(
                case=c, start_date=start, last_day=reflection_period_last_day(start), recorded_by=workers[0]
            )
        )
    ReflectionPeriod.objects.bulk_create(periods, batch_size=batch)
    ResidencePermit.objects.bulk_create(
        [
            ResidencePermit(
                case=c,
                travel_document_presented_on=today - datetime.timedelta(days=400),
                travel_document_type="passport",
                travel_document_number="X",
                application_submitted_on=today - datetime.timedelta(days=399),
                decision="granted",
                decision_on=today - datetime.timedelta(days=380),
                permit_number=f"RP-{c.pk}",
                valid_from=today - datetime.timedelta(days=330),
                valid_until=today + datetime.timedelta(days=rng.randint(-10, 200)),
                recorded_by=workers[0],
            )
            for c in tenth
        ],
        batch_size=batch,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"fixtures: {n} cases with courses, {len(periods)} reflection periods and permits in {time.perf_counter() - t0:.1f} s"
    )


if __name__ == "__main__":
    main()
