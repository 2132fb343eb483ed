"""Every read of the coordinator's tools, scoped to the user: out of scope is a 404 like missing.

The PDF summary is composed here from each stage app's own selectors; the figures live in
statistics.py (aggregate queries over the stage apps' models, the one place this app reads them).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import selectors as case_selectors
from cases.models import Case, CaseAccess, CaseAssignment, Person, User

from . import permissions
from .models import SummaryExport
from .permissions import Action

logger = logging.getLogger(__name__)

try:  # The stage apps land in parallel; each part of the summary appears when its app does.
    from services import selectors as service_selectors
except ImportError:  # pragma: no cover
    service_selectors = None
try:
    from reintegration import selectors as reintegration_selectors
except ImportError:  # pragma: no cover
    reintegration_selectors = None
try:
    from referrals import selectors as referral_selectors
except ImportError:  # pragma: no cover
    referral_selectors = None


# --- the PDF summary --------------------------------------------------------------------------


def summary_case_get_for_user_or_404(*, user: User, reference: str) -> Case:
    """A case whose summary the user may download; a 404 for everyone else, as for a missing case."""
    case = case_selectors.case_get_for_user_or_404(user=user, reference=reference)
    if not permissions.can(user, Action.DOWNLOAD_SUMMARY, case):
        raise Http404
    return case


def summary_case_list_for_user(*, user: User, filters: dict) -> QuerySet[Case]:
    """The cases a bulk export selects: the case list's own filter, within the summary scope."""
    scope = permissions.summary_case_filter(user)
    if scope is None:
        return Case.objects.none()
    return case_selectors.case_list_for_user(
        user=user,
        search=filters.get("q", ""),
        stage=filters.get("stage", ""),
        status=filters.get("status", ""),
    ).filter(scope)


@dataclass
class StageStep:
    on: datetime.datetime
    stage: str
    actor: str
    reason: str = ""


def case_stage_history(*, case: Case) -> list[StageStep]:
    """Each stage the case entered, oldest first, read from its history."""
    steps: list[StageStep] = []
    previous = None
    for rec in case.history.select_related("history_user").order_by("history_date", "history_id"):
        if rec.stage != previous:
            actor = rec.history_user.display_name if rec.history_user else _("the system")
            steps.append(StageStep(rec.history_date, Case.Stage(rec.stage).label, actor, rec.history_change_reason or ""))
            previous = rec.stage
    return steps


@dataclass
class Limit:
    """One limit of the case: how much is used, how much remains (DOMAIN.md, "The limits, exactly")."""

    label: str
    used: str
    remaining: str
    note: str = ""


@dataclass
class Summary:
    case: Case
    person: Person
    downloaded_by: User
    downloaded_at: datetime.datetime
    caseworkers: list = field(default_factory=list)
    referral: object = None
    identification: object = None
    stage_history: list[StageStep] = field(default_factory=list)
    assistance: list = field(default_factory=list)
    proceedings: list = field(default_factory=list)
    reflection: object = None
    residence_permit: object = None
    course: object = None
    limits: list[Limit] = field(default_factory=list)
    reintegration: list = field(default_factory=list)
    alerts: list = field(default_factory=list)
    parts: set = field(default_factory=set)


def _referral_of(case: Case):
    # The accepted referral that opened the case (referrals/ links it by case).
    if referral_selectors is None or not hasattr(case, "referrals"):
        return None
    return case.referrals.select_related("organisation").order_by("-decided_at", "-pk").first()


def _limits_of(case: Case, summary: Summary, today: datetime.date) -> list[Limit]:
    limits: list[Limit] = []
    if summary.reflection is not None:
        view = summary.reflection
        used = min(max(view.day_number, 0), 30)
        limits.append(
            Limit(
                _("Reflection period (30 days)"),
                _("day %(day)s of 30") % {"day": used} if view.period.status == "running" else view.status,
                _("%(n)s days") % {"n": view.days_remaining},
                _("last day %(date)s") % {"date": f"{view.last_day:%Y-%m-%d}"},
            )
        )
    provider = getattr(service_selectors, "case_limits_for_summary", None) if service_selectors else None
    if provider is not None:
        for row in provider(case=case, today=today):
            limits.append(Limit(str(row["label"]), str(row["used"]), str(row["remaining"]), str(row.get("note", ""))))
    return limits


def summary_for_case(*, case: Case, user: User, now: datetime.datetime | None = None) -> Summary:
    """Everything the PDF shows of one case; each stage's part present when its app provides it.

    Consultation notes (free text) are left out: the national coordinator may not read them
    (DOMAIN.md), and the summary is the same document for both readers.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    summary = Summary(case=case, person=case.person, downloaded_by=user, downloaded_at=now)
    summary.caseworkers = [
        a.user.display_name
        for a in CaseAssignment.objects.filter(case=case, ended_at__isnull=True).select_related("user").order_by("assigned_at")
    ]
    summary.stage_history = case_stage_history(case=case)
    summary.referral = _referral_of(case)
    if service_selectors is not None:
        summary.parts.add("services")
        summary.identification = service_selectors.identification_current(case=case)
        summary.assistance = list(service_selectors.assistance_list(case=case))
        summary.proceedings = list(service_selectors.proceeding_list(case=case))
        summary.reflection = service_selectors.reflection_period_view(case=case, today=today)
        summary.residence_permit = service_selectors.residence_permit_get(case=case)
        course = getattr(service_selectors, "course_for_summary", None)
        summary.course = course(case=case, today=today) if course else None
        alerts = getattr(service_selectors, "open_alerts_for_case", None)
        summary.alerts = list(alerts(case=case)) if alerts else []
    summary.limits = _limits_of(case, summary, today)
    if reintegration_selectors is not None:
        summary.parts.add("reintegration")
        summary.reintegration = reintegration_selectors.case_referrals(case=case)
    return summary


# --- bulk exports -----------------------------------------------------------------------------


def export_list_for_user(*, user: User, limit: int = 20) -> QuerySet[SummaryExport]:
    if not permissions.can(user, Action.EXPORT_SUMMARIES):
        return SummaryExport.objects.none()
    return SummaryExport.objects.filter(requested_by=user).order_by("-created_at", "-pk")[:limit]


def export_get_for_user_or_404(*, user: User, pk: int) -> SummaryExport:
    """Only the requester sees an export, its progress and its file."""
    if not permissions.can(user, Action.EXPORT_SUMMARIES):
        raise Http404
    export = SummaryExport.objects.filter(pk=pk, requested_by=user).first()
    if export is None:
        raise Http404
    return export


# --- who saw what -----------------------------------------------------------------------------


@dataclass
class AuditEntry:
    at: datetime.datetime
    user: str
    organisation: str
    what: str
    kind: str  # "view", "download" or "change"
    details: list[str] = field(default_factory=list)


def _history_models_for_case() -> list[tuple[str, object, str]]:
    """(label, model, the lookup from the model to the case) of every record a case has."""
    from django.apps import apps

    found = [
        (_("Case"), Case, "id"),
        (_("Assignment"), CaseAssignment, "case_id"),
    ]
    for app_label in ("referrals", "services", "reintegration"):
        if not apps.is_installed(app_label):
            continue
        for model in apps.get_app_config(app_label).get_models():
            history = getattr(model, "history", None)
            if history is None or not hasattr(model, "_meta"):
                continue
            names = {f.name for f in model._meta.get_fields()}
            if "case" in names:
                found.append((str(model._meta.verbose_name).capitalize(), model, "case_id"))
            elif "referral" in names and app_label == "reintegration":
                found.append((str(model._meta.verbose_name).capitalize(), model, "referral__case_id"))
            elif "proceeding" in names:
                found.append((str(model._meta.verbose_name).capitalize(), model, "proceeding__case_id"))
    return found


_TYPE_LABEL = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


def _history_rows(model, lookup: str, case: Case):
    hist = model.history.model
    if lookup == "id":
        return hist.objects.filter(id=case.pk)
    if lookup == "case_id":
        return hist.objects.filter(case_id=case.pk)
    # A record hanging off a parent (a hearing off its proceedings): the parent may be deleted,
    # so the parents' ids are read from the parent's history too.
    parent_field, _rest = lookup.split("__", 1)
    parent_model = model._meta.get_field(parent_field).related_model
    parent_ids = parent_model.history.model.objects.filter(case_id=case.pk).values("id")
    return hist.objects.filter(**{f"{parent_field}_id__in": parent_ids})


def case_audit_trail(*, user: User, case: Case) -> list[AuditEntry]:
    """Every view, download and change of a case's records, newest first (national coordinator)."""
    if not permissions.can(user, Action.VIEW_AUDIT_TRAIL, case):
        raise Http404
    entries: list[AuditEntry] = []
    for access in CaseAccess.objects.filter(case=case).select_related("user", "organisation"):
        kind = "download" if access.kind == CaseAccess.Kind.PDF else "view"
        entries.append(
            AuditEntry(access.at, access.user.display_name, access.organisation.name if access.organisation else "",
                       access.get_kind_display(), kind)
        )
    person_rows = Person.history.filter(id=case.person_id).select_related("history_user", "history_user__organisation")
    sources = [(_("Person"), Person, person_rows)]
    for label, model, lookup in _history_models_for_case():
        rows = _history_rows(model, lookup, case).select_related("history_user", "history_user__organisation")
        sources.append((label, model, rows))
    for label, model, rows in sources:
        for rec in rows:
            who = rec.history_user
            what = f"{label}: {_TYPE_LABEL.get(rec.history_type, rec.history_type)}"
            details = [rec.history_change_reason] if rec.history_change_reason else []
            entries.append(
                AuditEntry(
                    rec.history_date,
                    who.display_name if who else _("the system"),
                    who.organisation.name if who and who.organisation else "",
                    what,
                    "change",
                    details,
                )
            )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries
