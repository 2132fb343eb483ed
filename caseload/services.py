"""Every write of the import page: upload, check, confirm, import (docs/import.md).

The uploaded file is personal data at rest: it is written 0600 in a 0700 directory under
MEDIA_ROOT/imports/, read by the Celery jobs, and deleted when the import has run or when the
check found problems. The jobs' progress goes into a small file beside it: the import runs in one
transaction, so a progress column in the database would stay invisible until the very end.
"""

from __future__ import annotations

import datetime
import logging
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import User
from cases.services import history_stamp
from operations.queueing import enqueue_on_commit

from . import permissions, sheets
from .importer import import_workbook
from .models import ImportRun

logger = logging.getLogger(__name__)

IMPORT_DIR = "imports"
NOT_QUEUED = _("The job queue could not be reached, so nothing was started; try again in a few minutes.")
NOT_CONFIRMABLE = _("This import cannot be confirmed now (%(status)s); upload the file again.")
JOB_FAILED = _("The job stopped with an error; nothing was imported. Upload the file again.")


def _media(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def _progress_path(run: ImportRun) -> Path:
    return _media(run.file_path).with_suffix(".progress")


def _write_private(target: Path, data: bytes) -> None:
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    target.parent.chmod(0o700)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _delete_file(run: ImportRun) -> None:
    if run.file_path:
        _progress_path(run).unlink(missing_ok=True)
        _media(run.file_path).unlink(missing_ok=True)
        run.file_path = ""


def import_upload(*, actor: User, upload: UploadedFile[bytes]) -> ImportRun:
    """Keep the file privately and queue its check (a dry run through the services)."""
    refusal = permissions.import_refusal(actor)
    if refusal is not None or actor.organisation_id is None:
        raise PermissionDenied(refusal)
    data = upload.read()
    try:
        sheets.read_bytes(data)
    except sheets.Unreadable as error:
        raise ValidationError({"file": str(error)}) from None
    relative = f"{IMPORT_DIR}/{uuid.uuid4().hex}.upload"
    _write_private(_media(relative), data)
    try:
        with transaction.atomic():
            run = ImportRun(requested_by=actor, organisation_id=actor.organisation_id, file_path=relative)
            history_stamp(run, actor=actor, reason="uploaded")
            run.save()
            from .tasks import check_import

            run_id = run.pk
            enqueue_on_commit(
                check_import,
                kwargs={"run_id": run_id},
                on_failure=lambda: import_run_mark_not_queued(run_id=run_id),
            )
    except Exception:
        _media(relative).unlink(missing_ok=True)
        raise
    run.refresh_from_db()
    return run


def import_run_mark_not_queued(*, run_id: int) -> None:
    """Visibly failed, never a run shown as being checked with no job behind it."""
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=run_id)
        if not run.is_working:
            return
        run.status = ImportRun.Status.FAILED
        run.error = "not queued"
        run.finished_at = timezone.now()
        _delete_file(run)
        history_stamp(run, actor=None, reason="the job queue was not reachable")
        run.save(update_fields=["status", "error", "finished_at", "file_path"])


class _Progress:
    """Writes "done total" into the run's progress file, every few rows."""

    def __init__(self, run: ImportRun):
        self.path = _progress_path(run)
        self.last = -1

    def __call__(self, done: int, total: int) -> None:
        step = max(total // 100, 1)
        if done == total or done - self.last >= step:
            _write_private(self.path, f"{done} {total}".encode())
            self.last = done


def _claim(run_id: int, status: str) -> ImportRun | None:
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().select_related("requested_by").get(pk=run_id)
        return run if run.status == status and run.file_path else None


def _run_job(run: ImportRun, *, dry_run: bool) -> ImportRun:
    actor = run.requested_by
    try:
        book = sheets.read_bytes(_media(run.file_path).read_bytes())
        report = import_workbook(book=book, actor=actor, dry_run=dry_run, progress=_Progress(run))
    except (sheets.Unreadable, PermissionDenied, OSError) as error:
        run.status = ImportRun.Status.FAILED
        run.error = (
            str(error)[:300] if isinstance(error, (sheets.Unreadable, PermissionDenied)) else "file missing"
        )
        run.report = {}
    except Exception:
        logger.exception("caseload import %s failed", run.pk)
        run.status = ImportRun.Status.FAILED
        run.error = "job failed"
        run.report = {}
    else:
        run.report = report.as_dict()
        if dry_run:
            run.status = ImportRun.Status.CHECKED if report.ok else ImportRun.Status.INVALID
        else:
            run.status = ImportRun.Status.DONE if report.committed else ImportRun.Status.FAILED
    run.finished_at = timezone.now()
    if run.status != ImportRun.Status.CHECKED:
        _delete_file(run)
    else:
        _progress_path(run).unlink(missing_ok=True)
    history_stamp(run, actor=actor, reason=run.status)
    run.save(update_fields=["status", "error", "report", "finished_at", "file_path"])
    return run


def import_run_check(*, run_id: int) -> ImportRun | None:
    """The dry run; a run no longer being checked is left as it is (the job may run twice)."""
    run = _claim(run_id, ImportRun.Status.CHECKING)
    return _run_job(run, dry_run=True) if run else None


def import_run_confirm(*, run: ImportRun, actor: User) -> ImportRun:
    """The coordinator read the check's report and confirms: queue the real, all-or-nothing run."""
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=run.pk)
        if not permissions.may_see_run(actor, run):
            raise Http404
        if run.status != ImportRun.Status.CHECKED or not run.file_path:
            raise ValidationError(NOT_CONFIRMABLE % {"status": run.get_status_display()})
        run.status = ImportRun.Status.IMPORTING
        history_stamp(run, actor=actor, reason="confirmed")
        run.save(update_fields=["status"])
        from .tasks import run_import

        run_id = run.pk
        enqueue_on_commit(
            run_import,
            kwargs={"run_id": run_id},
            on_failure=lambda: import_run_mark_not_queued(run_id=run_id),
        )
    run.refresh_from_db()
    return run


def import_run_execute(*, run_id: int) -> ImportRun | None:
    run = _claim(run_id, ImportRun.Status.IMPORTING)
    return _run_job(run, dry_run=False) if run else None


def import_run_progress(*, run: ImportRun) -> tuple[int, int]:
    """(rows done, rows in all) of a run being checked or imported, from its progress file."""
    if not run.is_working or not run.file_path:
        total = int((run.report or {}).get("rows") or 0)
        return total, total
    try:
        done_text, total_text = _progress_path(run).read_text().split()
        return int(done_text), int(total_text)
    except (OSError, ValueError):
        return 0, 0


# A checked file waits a day for the coordinator's confirmation; a job that has not finished in a
# day (its worker was killed, and the redelivery too) has stopped. Either way the file goes.
STALE_AFTER = datetime.timedelta(days=1)


def import_runs_purge_stale(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of runs left unconfirmed or unfinished for a day, and say so on the run.
    Running it twice changes nothing the second time."""
    now = now or timezone.now()
    purged = 0
    stale = ImportRun.objects.filter(
        created_at__lte=now - STALE_AFTER,
        status__in=[ImportRun.Status.CHECKED, ImportRun.Status.CHECKING, ImportRun.Status.IMPORTING],
    )
    # A loop of saves, not update(): each keeps its history row. Few imports a day.
    for run_id in stale.values_list("pk", flat=True):
        with transaction.atomic():
            run = ImportRun.objects.select_for_update().get(pk=run_id)
            if run.status == ImportRun.Status.CHECKED:
                run.error = "not confirmed within a day"
            elif run.is_working:
                run.error = "job did not finish"
            else:
                continue
            run.status = ImportRun.Status.FAILED
            run.finished_at = now
            _delete_file(run)
            history_stamp(run, actor=None, reason=run.error)
            run.save(update_fields=["status", "error", "finished_at", "file_path"])
            purged += 1
    return purged
