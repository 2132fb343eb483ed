"""`make run` uses SQLite: the set-based job (INSERT ... SELECT ... ON CONFLICT DO NOTHING, the
date arithmetic cast back to dates) must work there too. Run in a subprocess against a fresh
SQLite database, since the suite itself runs on PostgreSQL."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import datetime
from decimal import Decimal
import django
django.setup()
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from cases import services as cs
from cases.models import Alert, Organisation, Person, Role, User, Case
from rehabilitation import jobs, limits
from rehabilitation.models import CourtSupportEntry, RehabilitationCourse
from services.models import ReflectionPeriod
from services.limits import reflection_period_last_day

today = timezone.localdate()
org = Organisation.objects.create(name="NGO", kind="mandated_ngo")
worker = User.objects.create(username="w", organisation=org, email="w@example.invalid")
cs.user_grant_role(user=worker, role=Role.CASEWORKER, actor=None)
case = cs.case_open(person=Person.objects.create(given_name="A"), organisation=org, actor=None,
                    opened_on=today - datetime.timedelta(days=300))
cs.case_assign_caseworker(case=case, caseworker=worker, actor=None)
Case.objects.filter(pk=case.pk).update(victim_status="identified")
start = today - datetime.timedelta(days=180)
course = RehabilitationCourse.objects.create(case=case, start_date=start, last_day=limits.course_last_day(start), recorded_by=worker)
CourtSupportEntry.objects.create(case=case, date=today, hours=Decimal("150.00"), activity="x", recorded_by=worker)
rstart = today - datetime.timedelta(days=30)
ReflectionPeriod.objects.create(case=case, start_date=rstart, last_day=reflection_period_last_day(rstart), recorded_by=worker)

first = jobs.enforce_limits(today=today)
second = jobs.enforce_limits(today=today)
call_command("enforce_limits", "--date", today.isoformat())
course.refresh_from_db()
alerts = sorted((a.kind, a.due_on.isoformat()) for a in Alert.objects.all())
print("first", first.alerts_raised, first.courses_ended, first.reflection_periods_ended)
print("second", second.alerts_raised, second.courses_ended)
print("course", course.status, course.ended_on == course.last_day, course.history.count())
print("alerts", alerts)
print("history", Alert.history.count())
D = datetime.timedelta
expected = sorted([
    ("course_ends_soon", (course.last_day - D(days=14)).isoformat()),
    ("course_limit_reached", today.isoformat()),
    ("court_hours_100", today.isoformat()),
    ("court_hours_80", today.isoformat()),
    ("reflection_ended", today.isoformat()),
    ("reflection_ends_soon", (today - D(days=6)).isoformat()),
])
print("dates", alerts == expected)
from django.db import IntegrityError, transaction
try:
    with transaction.atomic():
        CourtSupportEntry.objects.create(case=case, date=today, hours=Decimal("0.30"), activity="x", recorded_by=worker)
    print("quarter False")
except IntegrityError:
    print("quarter True")
"""


@pytest.mark.slow
def test_the_job_runs_on_sqlite(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "trafficking_cms.settings",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    lines = dict(line.split(" ", 1) for line in out.strip().splitlines() if " " in line)
    assert lines["first"] == "6 1 1", out
    assert lines["second"] == "0 0", out
    assert lines["course"] == "limit_reached True 2", out
    assert lines["history"] == "6", out
    # The due dates computed in SQL (day 166, day 181; day 25, day 31) came back as dates.
    assert lines["dates"] == "True", out
    # The quarter-hour check constraint holds on SQLite too.
    assert lines["quarter"] == "True", out
