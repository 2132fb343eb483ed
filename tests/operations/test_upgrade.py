"""Migrations run forward from the previous release's schema with that release's data in it.

The previous release is checked out from git (PREVIOUS_RELEASE below: move it to the new
release's commit or tag when one ships), migrated into a fresh database of its own and filled
with the demo through that release's own services; then this code migrates it forward and must
find every case, person and history row unchanged, and pass its checks.
"""

import os
import subprocess
import sys
import tarfile
import uuid
from io import BytesIO
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PREVIOUS_RELEASE = "0bdec67a2bd3d461fb2fbabca7995847090b2d60"

pytestmark = pytest.mark.slow


def _connect(dbname):
    db = settings.DATABASES["default"]
    conn = psycopg2.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db.get("PASSWORD") or None,
        dbname=dbname,
    )
    conn.autocommit = True
    return conn


def _url(dbname):
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{dbname}"


def _manage(cwd: Path, dbname: str, *args: str, tmp: Path) -> str:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": _url(dbname),
            "CELERY_BROKER_URL": "memory://",
            "VAR_DIR": str(tmp / "var"),
            "DEMO_PASSWORD": "upgrade-test-password-2026",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(cwd),
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def _snapshot(dbname):
    conn = _connect(dbname)
    try:
        cur = conn.cursor()
        out = {}
        for name, sql in {
            "cases": "SELECT id, reference, stage, person_id FROM cases_case",
            "people": "SELECT id, given_name, family_name, date_of_birth FROM cases_person",
            "case_history": "SELECT history_id, id, history_type, history_user_id FROM cases_historicalcase",
            "referrals": "SELECT id, status FROM referrals_referral",
            "court_hours": "SELECT case_id, sum(hours) FROM rehabilitation_courtsupportentry GROUP BY case_id",
            "alerts": "SELECT case_id, kind, due_on FROM cases_alert",
        }.items():
            cur.execute(sql)
            out[name] = sorted(cur.fetchall(), key=repr)
        return out
    finally:
        conn.close()


@pytest.fixture
def upgrade_database():
    name = f"{settings.DATABASES['default']['NAME']}_upgrade_{uuid.uuid4().hex[:8]}"
    admin = _connect("postgres")
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    yield name
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.mark.django_db
def test_the_previous_release_with_its_data_migrates_forward(tmp_path, upgrade_database):
    archive = subprocess.run(
        ["git", "archive", "--format=tar", PREVIOUS_RELEASE], cwd=ROOT, capture_output=True, check=True
    ).stdout
    old = tmp_path / "previous"
    old.mkdir()
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(old, filter="data")

    _manage(old, upgrade_database, "migrate", "--noinput", tmp=tmp_path)
    _manage(old, upgrade_database, "load_demo", tmp=tmp_path)
    before = _snapshot(upgrade_database)
    assert len(before["cases"]) >= 5 and before["case_history"] and before["court_hours"]

    _manage(ROOT, upgrade_database, "migrate", "--noinput", tmp=tmp_path)

    migrated = _snapshot(upgrade_database)
    # Every row is kept; the only change is the data migration bringing each case's stage into line
    # with its records (docs/lifecycle.md), each changed case with a new history row.
    assert {k: v for k, v in migrated.items() if k not in ("cases", "case_history")} == {
        k: v for k, v in before.items() if k not in ("cases", "case_history")
    }
    assert [(i, ref, person) for i, ref, _stage, person in migrated["cases"]] == [
        (i, ref, person) for i, ref, _stage, person in before["cases"]
    ]
    moved = {new[0] for old, new in zip(before["cases"], migrated["cases"], strict=True) if old[2] != new[2]}
    added_history = set(migrated["case_history"]) - set(before["case_history"])
    assert set(before["case_history"]) <= set(migrated["case_history"])
    assert moved <= {row[1] for row in added_history}
    assert all(row[2] == "~" and row[3] is None for row in added_history)
    assert "Every case agrees with its records" in _manage(
        ROOT, upgrade_database, "check_case_integrity", tmp=tmp_path
    )
    before = migrated
    assert "No changes detected" in _manage(
        ROOT, upgrade_database, "makemigrations", "--check", "--dry-run", tmp=tmp_path
    )
    # The demo loader of this release, run over the upgraded data, duplicates nothing.
    _manage(ROOT, upgrade_database, "load_demo", tmp=tmp_path)
    after = _snapshot(upgrade_database)
    # (It may add a demo case the previous release did not have; it changes none of the others.)
    assert set(after["cases"]) >= set(before["cases"]) and set(after["people"]) >= set(before["people"])
    people = [(given, family, born) for _pk, given, family, born in after["people"]]
    assert len(people) == len(set(people))
