"""Backup and restore: the PostgreSQL database (pg_dump's custom format, one consistent snapshot)
and every directory of files the deployment keeps (the encrypted attachments and exports alike).

A backup is a directory:

    db.dump          pg_dump --format=custom of the whole database
    files.tar        each file directory, stored under its key (media/, and any other)
    manifest.json    when, which versions, what it holds (row counts, file count and bytes)

The files are archived after the database dump: a file a row names existed when the snapshot was
taken, unless deleted between the two (an expired export). Encrypted files stay encrypted; their
key is not part of the backup and must be kept apart from it.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections

DUMP = "db.dump"
FILES = "files.tar"
MANIFEST = "manifest.json"


def file_directories() -> dict[str, Path]:
    """Every local directory of files: MEDIA_ROOT, each FileSystemStorage in STORAGES (not the
    static files, which the build makes), and BACKUP_EXTRA_DIRS ({key: path}) for any other."""
    found: dict[str, Path] = {"media": Path(settings.MEDIA_ROOT)}
    for alias, config in getattr(settings, "STORAGES", {}).items():
        if alias == "staticfiles" or not config.get("BACKEND", "").endswith("FileSystemStorage"):
            continue
        location = (config.get("OPTIONS") or {}).get("location")
        if location:
            found[f"storage-{alias}"] = Path(location)
    for key, path in getattr(settings, "BACKUP_EXTRA_DIRS", {}).items():
        found[key] = Path(path)
    # One directory archived once, under its first key.
    unique: dict[str, Path] = {}
    for key, path in found.items():
        if path.resolve() not in {p.resolve() for p in unique.values()}:
            unique[key] = path
    return unique


def _pg_env(alias: str = "default", name: str | None = None) -> tuple[dict, list[str]]:
    db = settings.DATABASES[alias]
    if "postgresql" not in db["ENGINE"]:
        raise RuntimeError("Backups are of PostgreSQL databases; the embedded SQLite demo is a file in var/.")
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = [
        "-h",
        db.get("HOST") or "127.0.0.1",
        "-p",
        str(db.get("PORT") or 5432),
        "-U",
        db.get("USER") or "postgres",
    ]
    return env, [*args, "-d", name or db["NAME"]]


def _counts(alias: str = "default") -> dict[str, int]:
    tables = ["cases_case", "cases_historicalcase", "cases_person", "cases_caseaccess"]
    counts = {}
    with connections[alias].cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - constant names
            counts[table] = cursor.fetchone()[0]
    return counts


@dataclass
class Result:
    path: Path
    seconds: float
    manifest: dict


def backup(*, target: Path, alias: str = "default") -> Result:
    started = time.monotonic()
    target.mkdir(parents=True, exist_ok=False)
    env, args = _pg_env(alias)
    # A fixed argument list (no shell); pg_dump and pg_restore of the PostgreSQL client on the PATH.
    subprocess.run(  # noqa: S603
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target / DUMP), *args],  # noqa: S607
        env=env,
        check=True,
    )
    files = 0
    size = 0
    directories = file_directories()
    with tarfile.open(target / FILES, "w") as archive:
        for key, path in directories.items():
            if not path.is_dir():
                continue
            for item in sorted(path.rglob("*")):
                if item.is_file() and not item.name.endswith(".part"):
                    archive.add(item, arcname=f"{key}/{item.relative_to(path)}", recursive=False)
                    files += 1
                    size += item.stat().st_size
    from django.db.migrations.recorder import MigrationRecorder

    last: dict[str, str] = {}
    for app, name in MigrationRecorder(connections[alias]).applied_migrations():
        last[app] = max(last.get(app, ""), name)
    manifest = {
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "database": settings.DATABASES[alias]["NAME"],
        "last_migrations": last,
        "directories": {key: str(path) for key, path in directories.items()},
        "rows": _counts(alias),
        "files": files,
        "file_bytes": size,
        "dump_bytes": (target / DUMP).stat().st_size,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return Result(target, time.monotonic() - started, manifest)


def restore(
    *, source: Path, database: str, alias: str = "default", files_root: Path | None = None, jobs: int = 2
) -> Result:
    """Restore into `database` (created empty beforehand) and put the files back.

    The files go to the directories this deployment configures (the same keys as in the backup),
    or under files_root/<key>/ when given (a test, or a look before the real thing).
    """
    started = time.monotonic()
    manifest = json.loads((source / MANIFEST).read_text())
    env, args = _pg_env(alias, name=database)
    subprocess.run(  # noqa: S603
        [  # noqa: S607
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            f"--jobs={jobs}",
            *args,
            str(source / DUMP),
        ],
        env=env,
        check=True,
    )
    directories = file_directories()
    with tarfile.open(source / FILES) as archive:
        for member in archive.getmembers():
            key, _, relative = member.name.partition("/")
            if not member.isfile() or not relative:
                continue
            base = (files_root / key) if files_root else directories.get(key)
            if base is None:
                raise RuntimeError(
                    f"The backup holds files of '{key}', which this deployment does not configure."
                )
            destination = (base / relative).resolve()
            if not str(destination).startswith(str(base.resolve()) + os.sep):
                raise RuntimeError(f"Refusing a path outside {base}: {member.name}")
            destination.parent.mkdir(parents=True, exist_ok=True)
            with archive.extractfile(member) as data, open(destination, "wb") as out:  # type: ignore[union-attr]
                out.write(data.read())
    return Result(source, time.monotonic() - started, manifest)
