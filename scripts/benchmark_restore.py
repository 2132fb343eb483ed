#!/usr/bin/env python
"""Time a backup and a restore into a fresh database (the recovery time the README states).

Backs up the database DATABASE_URL points at (and the file directories) with `manage.py backup`,
creates an empty database beside it (<name>_restore), times `manage.py restore` into it, checks
that it holds the same cases and history rows, and drops it again.

    # the demo
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nrm_demo .venv/bin/python manage.py migrate
    DATABASE_URL=... .venv/bin/python manage.py load_demo
    DATABASE_URL=... .venv/bin/python scripts/benchmark_restore.py
    # 100,000 cases: fill a throwaway database with scripts/benchmark_limits.py first
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nrm_bench .venv/bin/python scripts/benchmark_limits.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nrm_bench .venv/bin/python scripts/benchmark_restore.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trafficking_cms.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def main() -> None:
    import django

    django.setup()
    import psycopg2
    from django.conf import settings
    from django.db import connection

    from operations import backup

    db = settings.DATABASES["default"]
    fresh = f"{db['NAME']}_restore"

    def admin():
        conn = psycopg2.connect(
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
            user=db["USER"],
            password=db.get("PASSWORD") or None,
            dbname="postgres",
        )
        conn.autocommit = True
        return conn

    def counts(name):
        conn = psycopg2.connect(
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
            user=db["USER"],
            password=db.get("PASSWORD") or None,
            dbname=name,
        )
        cur = conn.cursor()
        out = {}
        for table in (
            "cases_case",
            "cases_historicalcase",
            "cases_alert",
            "rehabilitation_courtsupportentry",
        ):
            cur.execute(f'SELECT count(*) FROM "{table}"')
            out[table] = cur.fetchone()[0]
        conn.close()
        return out

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        size = cursor.fetchone()[0]
    with tempfile.TemporaryDirectory() as tmp:
        made = backup.backup(target=Path(tmp) / "backup")
        dump = made.manifest["dump_bytes"]
        conn = admin()
        conn.cursor().execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
        conn.cursor().execute(f'CREATE DATABASE "{fresh}"')
        try:
            started = time.monotonic()
            subprocess.run(
                [
                    sys.executable,
                    "manage.py",
                    "restore",
                    str(Path(tmp) / "backup"),
                    "--database",
                    fresh,
                    "--files-root",
                    str(Path(tmp) / "files"),
                ],
                cwd=ROOT,
                check=True,
            )
            restore_seconds = time.monotonic() - started
            original, restored = counts(db["NAME"]), counts(fresh)
        finally:
            conn.cursor().execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
            conn.close()
    assert original == restored, (original, restored)
    print(
        f"{db['NAME']}: {original['cases_case']} cases, {original['cases_historicalcase']} case history rows, "
        f"database {size / 1e6:.0f} MB, dump {dump / 1e6:.1f} MB; "
        f"backup {made.seconds:.1f} s, restore {restore_seconds:.1f} s (pg_restore --jobs=2, files included)"
    )


if __name__ == "__main__":
    main()
