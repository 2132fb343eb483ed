"""Every write of the coordinator's tools: <entity>_<verb>(*, ..., actor) -> result."""

from __future__ import annotations

import datetime
import logging
import os
import zipfile
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.services import security_event_record
from cases import services as case_services
from cases.models import Case, CaseAccess, User
from cases.services import history_stamp
from operations.queueing import enqueue_on_commit

from . import pdf, permissions, selectors
from .models import EXPORT_LIFETIME, SummaryExport
from .permissions import Action

logger = logging.getLogger(__name__)

# Error messages: module constants the tests reuse.
EXPORT_NOTHING_SELECTED = _("No case matches this filter; change the filter and ask again.")
EXPORT_TOO_MANY = _(
    "This filter selects %(n)s cases; at most %(max)s go into one file. Narrow the filter and ask again."
)
EXPORT_NOT_READY = _("The file is not ready yet; wait until the progress bar is full.")
EXPORT_EXPIRED = _("This file has expired and was deleted; ask for the summaries again.")
EXPORT_FAILED = _("Building this file failed; ask for the summaries again.")
EXPORT_NOT_QUEUED = _(
    "The job could not be started (the job queue is not reachable); nothing is being built. Try again in a few minutes."
)

EXPORT_MAX_CASES = 500
EXPORT_DIR = "exports"


def _record_download(*, request: HttpRequest | None, user: User, target: str) -> None:
    # The security log of accounts/ keeps every download with its address; a job has no request,
    # and its summaries are recorded per case in the read log.
    if request is None:
        return
    security_event_record(kind="download", request=request, user=user, target=target)


# --- one summary ------------------------------------------------------------------------------


def summary_pdf_download(*, case: Case, actor: User, request: HttpRequest | None = None) -> bytes:
    """Render a case's summary for actor, and record the download like a view of the file."""
    if not permissions.can(actor, Action.DOWNLOAD_SUMMARY, case):
        raise PermissionDenied
    summary = selectors.summary_for_case(case=case, user=actor)
    content = pdf.render_summary_pdf(summary)
    case_services.case_access_record(case=case, actor=actor, kind=CaseAccess.Kind.PDF)
    _record_download(request=request, user=actor, target=case.reference)
    return content


def summary_filename(case: Case) -> str:
    return f"{case.reference}-summary.pdf"


# --- several summaries: a ZIP built by Celery --------------------------------------------------

_FILTER_KEYS = ("q", "stage", "status")


def summary_export_request(*, actor: User, filters: dict[str, Any], language: str = "") -> SummaryExport:
    """Queue a ZIP of the summaries of the cases the filter selects (within actor's scope).

    The summaries are written in the language the requester reads the page in.
    """
    if not permissions.can(actor, Action.EXPORT_SUMMARIES):
        raise PermissionDenied
    clean = {key: str(filters.get(key) or "") for key in _FILTER_KEYS}
    total = selectors.summary_case_list_for_user(user=actor, filters=clean).count()
    clean["language"] = language or translation.get_language() or settings.LANGUAGE_CODE
    if total == 0:
        raise ValidationError(EXPORT_NOTHING_SELECTED)
    if total > EXPORT_MAX_CASES:
        raise ValidationError(EXPORT_TOO_MANY % {"n": total, "max": EXPORT_MAX_CASES})
    with transaction.atomic():
        now = timezone.now()
        export = SummaryExport(
            requested_by=actor, filters=clean, total=total, created_at=now, expires_at=now + EXPORT_LIFETIME
        )
        history_stamp(export, actor=actor, reason="requested")
        export.save()
        from .tasks import build_summary_export

        export_id = export.pk
        # Queued, or visibly failed: never a row left "queued" with no job behind it.
        enqueue_on_commit(
            build_summary_export,
            kwargs={"export_id": export_id},
            on_failure=lambda: summary_export_mark_not_queued(export_id=export_id),
        )
    export.refresh_from_db()
    return export


def summary_export_mark_not_queued(*, export_id: int) -> None:
    with transaction.atomic():
        export = SummaryExport.objects.select_for_update().get(pk=export_id)
        if export.status != SummaryExport.Status.QUEUED:
            return
        export.status = SummaryExport.Status.FAILED
        export.error = "not queued"
        export.finished_at = timezone.now()
        history_stamp(export, actor=None, reason="the job queue was not reachable")
        export.save(update_fields=["status", "error", "finished_at"])


def _export_path(export: SummaryExport) -> Path:
    return Path(settings.MEDIA_ROOT) / export.file_path


def summary_export_build(*, export_id: int) -> SummaryExport:
    """Build the ZIP. Idempotent: a finished export is left as it is; a rerun starts afresh."""
    with transaction.atomic():
        export = SummaryExport.objects.select_for_update().select_related("requested_by").get(pk=export_id)
        if export.is_finished:
            return export
        actor = export.requested_by
        export.status = SummaryExport.Status.RUNNING
        export.done = 0
        history_stamp(export, actor=actor, reason="started")
        export.save(update_fields=["status", "done"])
    cases = list(selectors.summary_case_list_for_user(user=actor, filters=export.filters)[:EXPORT_MAX_CASES])
    language = export.filters.get("language") or settings.LANGUAGE_CODE
    relative = f"{EXPORT_DIR}/summaries-{export.pk}-{timezone.now():%Y%m%d%H%M%S}.zip"
    target = Path(settings.MEDIA_ROOT) / relative
    # The files hold case summaries: readable by the service user only, whatever the umask.
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    target.parent.chmod(0o700)
    partial = target.with_suffix(".part")
    try:
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        partial.chmod(0o600)
        # The requester's rights are read again for each case: a right lost meanwhile leaves it out.
        with (
            translation.override(language),
            zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        ):
            for n, case in enumerate(cases, start=1):
                if permissions.can(actor, Action.DOWNLOAD_SUMMARY, case):
                    content = summary_pdf_download(case=case, actor=actor)
                    archive.writestr(summary_filename(case), content)
                # A save, not update(): the progress keeps its history like every other change.
                export.done, export.total = n, max(len(cases), n)
                history_stamp(export, actor=actor)
                export.save(update_fields=["done", "total"])
        os.replace(partial, target)
    except Exception:
        logger.exception("summary export %s failed", export.pk)
        partial.unlink(missing_ok=True)
        export.refresh_from_db()
        export.status = SummaryExport.Status.FAILED
        export.error = "rendering failed"
        history_stamp(export, actor=actor, reason="failed")
        export.save(update_fields=["status", "error"])
        return export
    export.refresh_from_db()
    export.status = SummaryExport.Status.READY
    export.file_path = relative
    export.total = len(cases)
    export.done = len(cases)
    export.finished_at = timezone.now()
    history_stamp(export, actor=actor, reason="ready")
    export.save(update_fields=["status", "file_path", "total", "done", "finished_at"])
    return export


def summary_export_open(
    *, export: SummaryExport, actor: User, request: HttpRequest | None = None
) -> BinaryIO:
    """The requester's file, as an open binary handle; refused before it is ready and after expiry."""
    if export.requested_by_id != actor.pk or not permissions.can(actor, Action.EXPORT_SUMMARIES):
        raise Http404
    if export.is_expired:
        raise ValidationError(EXPORT_EXPIRED)
    if export.status == SummaryExport.Status.FAILED:
        raise ValidationError(EXPORT_FAILED)
    if export.status != SummaryExport.Status.READY:
        raise ValidationError(EXPORT_NOT_READY)
    path = _export_path(export)
    if not path.is_file():
        raise ValidationError(EXPORT_EXPIRED)
    _record_download(request=request, user=actor, target=f"summary export {export.pk}")
    return open(path, "rb")


def summary_exports_purge_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of expired exports and mark them expired; running it twice changes nothing."""
    now = now or timezone.now()
    purged = 0
    expired = SummaryExport.objects.filter(expires_at__lte=now).exclude(status=SummaryExport.Status.EXPIRED)
    # A loop of saves, not update(): each expiry keeps its history row. Few exports a day.
    for export in expired:
        if export.file_path:
            _export_path(export).unlink(missing_ok=True)
            _export_path(export).with_suffix(".part").unlink(missing_ok=True)
        export.status = SummaryExport.Status.EXPIRED
        export.file_path = ""
        history_stamp(export, actor=None, reason="expired")
        export.save(update_fields=["status", "file_path"])
        purged += 1
    return purged
