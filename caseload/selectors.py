"""Every read of the import page, scoped to the user."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from cases.models import User

from . import permissions
from .models import ImportRun


def import_run_list_for_user(*, user: User, limit: int = 10) -> QuerySet[ImportRun]:
    if not permissions.may_import(user) or user.organisation_id is None:
        return ImportRun.objects.none()
    return ImportRun.objects.filter(requested_by=user, organisation_id=user.organisation_id)[:limit]


def import_run_get_for_user_or_404(*, user: User, pk: int) -> ImportRun:
    run = ImportRun.objects.filter(pk=pk).first()
    if run is None or not permissions.may_see_run(user, run):
        raise Http404
    return run
