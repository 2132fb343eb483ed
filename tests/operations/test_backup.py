"""A backup restored into a fresh database holds every case, every history row and every file."""

import hashlib
import uuid

import psycopg2
import pytest
from django.conf import settings
from django.core.management import call_command

from cases.models import Case
from tests.factories import make_case

pytestmark = pytest.mark.django_db(transaction=True)


def _admin_connection():
    db = settings.DATABASES["default"]
    conn = psycopg2.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db.get("PASSWORD") or None,
        dbname="postgres",
    )
    conn.autocommit = True
    return conn


@pytest.fixture
def fresh_database():
    # Named after the test database, so parallel runs of colleagues and CI never collide.
    name = f"{settings.DATABASES['default']['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    admin = _admin_connection()
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    yield name
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _rows(dbname, sql):
    db = settings.DATABASES["default"]
    conn = psycopg2.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], dbname=dbname
    )
    try:
        cur = conn.cursor()
        cur.execute(sql)
        return sorted(cur.fetchall())
    finally:
        conn.close()


def _digests(root):
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def test_backup_then_restore_into_a_fresh_database_finds_every_case_history_row_and_file(
    settings, tmp_path, mandated_ngo, caseworker, fresh_database
):
    media = tmp_path / "media"
    (media / "exports").mkdir(parents=True)
    (media / "exports" / "summaries-1.zip").write_bytes(b"PK\x03\x04 zip")
    (media / "attachments" / "2026").mkdir(parents=True)
    (media / "attachments" / "2026" / "a.bin").write_bytes(bytes(range(256)) * 40)
    (media / "exports" / "half.part").write_bytes(b"unfinished")
    settings.MEDIA_ROOT = media
    for _ in range(3):
        make_case(organisation=mandated_ngo, caseworkers=[caseworker])
    cases = sorted((c.pk, c.reference) for c in Case.objects.all())
    history = sorted(Case.history.values_list("history_id", "id", "history_type"))
    assert len(history) >= 3

    call_command("backup", "--to", str(tmp_path / "backup"))
    restored_files = tmp_path / "restored"
    call_command(
        "restore", str(tmp_path / "backup"), "--database", fresh_database, "--files-root", str(restored_files)
    )

    assert _rows(fresh_database, "SELECT id, reference FROM cases_case") == cases
    assert _rows(fresh_database, "SELECT history_id, id, history_type FROM cases_historicalcase") == history
    assert _rows(fresh_database, "SELECT count(*) FROM django_migrations") == _rows(
        settings.DATABASES["default"]["NAME"], "SELECT count(*) FROM django_migrations"
    )
    expected = {k: v for k, v in _digests(media).items() if not k.endswith(".part")}
    assert _digests(restored_files / "media") == expected and len(expected) == 2


def test_a_restore_into_a_database_that_is_not_empty_is_refused(tmp_path, mandated_ngo, fresh_database):
    from django.core.management.base import CommandError

    call_command("backup", "--to", str(tmp_path / "b"))
    call_command(
        "restore", str(tmp_path / "b"), "--database", fresh_database, "--files-root", str(tmp_path / "f")
    )
    with pytest.raises(CommandError, match="Restore failed"):
        call_command(
            "restore", str(tmp_path / "b"), "--database", fresh_database, "--files-root", str(tmp_path / "f")
        )


def test_restore_refuses_a_directory_that_is_not_a_backup(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="is not a backup"):
        call_command("restore", str(tmp_path))
