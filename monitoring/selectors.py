"""Every read of the coordinator's tools, scoped to the user: out of scope is a 404 like missing.

The PDF summary is composed here from each stage app's own selectors; the figures live in
statistics.py (aggregate queries over the stage apps' models, the one place this app reads them).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from django.core.paginator import Page, Paginator
from django.db.models import F, IntegerField, QuerySet, Value
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import selectors as case_selectors
from cases.models import Case, CaseAccess, CaseAssignment, Person, User
from cases.sections import AuditSource, audit_sources
from documents import selectors as document_selectors
from rehabilitation import selectors as rehabilitation_selectors
from reintegration import selectors as reintegration_selectors
from services import selectors as service_selectors

from . import permissions
from .models import SummaryExport
from .permissions import Action

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from referrals.models import Referral

logger = logging.getLogger(__name__)


# --- the PDF summary --------------------------------------------------------------------------


def summary_case_get_for_user_or_404(*, user: User, reference: str) -> Case:
    """A case whose summary the user may download; a 404 for everyone else, as for a missing case."""
    case = case_selectors.case_get_for_user_or_404(user=user, reference=reference)
    if not permissions.can(user, Action.DOWNLOAD_SUMMARY, case):
        raise Http404
    return case


def summary_case_list_for_user(*, user: User, filters: dict[str, Any]) -> QuerySet[Case]:
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
    stage: StrOrPromise
    actor: str
    reason: str = ""


def case_stage_history(*, case: Case) -> list[StageStep]:
    """Each stage the case entered, oldest first, read from its history."""
    steps: list[StageStep] = []
    previous = None
    for rec in case.history.select_related("history_user").order_by("history_date", "history_id"):
        if rec.stage != previous:
            actor = rec.history_user.display_name if rec.history_user else _("the system")
            steps.append(
                StageStep(
                    rec.history_date,
                    Case.Stage(rec.stage).label,
                    actor,
                    case_selectors.history_reason_text(rec.history_change_reason),
                )
            )
            previous = rec.stage
    return steps


@dataclass
class Limit:
    """One limit of the case: how much is used, how much remains (docs/decisions.md, "The limits, exactly")."""

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
    caseworkers: list[Any] = field(default_factory=list)
    referral: object = None
    identification: object = None
    stage_history: list[StageStep] = field(default_factory=list)
    assistance: list[Any] = field(default_factory=list)
    proceedings: list[Any] = field(default_factory=list)
    reflection: object = None
    residence_permit: object = None
    course: object = None
    limits: list[Limit] = field(default_factory=list)
    reintegration: list[Any] = field(default_factory=list)
    alerts: list[Any] = field(default_factory=list)
    contact: object = None
    documents: list[Any] = field(default_factory=list)


def _referral_of(case: Case) -> Referral | None:
    # The accepted referral that opened the case; referrals/ links it to the case.
    return case.referrals.select_related("organisation").order_by("-decided_at", "-pk").first()


def _limits_of(
    entitlements: rehabilitation_selectors.Entitlements, *, is_minor_at_identification: bool | None
) -> list[Limit]:
    """Every limit of docs/decisions.md ("The limits, exactly"): what is used, what remains."""
    e = entitlements
    limits: list[Limit] = []
    if e.course is not None:
        c = e.course
        limits.append(
            Limit(
                _("Rehabilitation course (180 days)"),
                _("%(used)s of %(limit)s days") % {"used": c.days_used, "limit": c.days_limit},
                _("%(n)s days") % {"n": c.days_remaining},
                _("%(start)s – %(last)s, %(status)s")
                % {
                    "start": f"{c.start_date:%Y-%m-%d}",
                    "last": f"{c.last_day:%Y-%m-%d}",
                    "status": c.status_display,
                },
            )
        )
    else:
        limits.append(Limit(_("Rehabilitation course (180 days)"), _("not begun"), _("180 days")))
    limits.append(
        Limit(
            _("Court support (150 hours)"),
            _("%(used)s of %(limit)s hours")
            % {"used": f"{e.court_hours_used:.2f}", "limit": f"{e.court_hours_limit:.2f}"},
            _("%(n)s hours") % {"n": f"{e.court_hours_remaining:.2f}"},
        )
    )
    limits.append(
        Limit(
            _("Consultations after the course (5)"),
            _("%(used)s of %(limit)s") % {"used": e.post_course_used, "limit": e.post_course_limit},
            str(max(e.post_course_limit - e.post_course_used, 0)),
            _("until %(date)s") % {"date": f"{e.post_course_last_day:%Y-%m-%d}"}
            if e.post_course_last_day
            else _("after the course ends"),
        )
    )
    family_note = ""
    if is_minor_at_identification is False:
        family_note = _("only for a victim under 18 at identification")
    limits.append(
        Limit(
            _("Family consultations (5)"),
            _("%(used)s of %(limit)s") % {"used": e.family_used, "limit": e.family_limit},
            str(max(e.family_limit - e.family_used, 0)),
            family_note,
        )
    )
    if e.reflection is not None:
        view = e.reflection
        limits.append(
            Limit(
                _("Reflection period (30 days)"),
                _("day %(day)s of 30") % {"day": min(max(view.day_number, 0), 30)}
                if view.period.status == "running"
                else view.status,
                _("%(n)s days") % {"n": view.days_remaining},
                _("last day %(date)s") % {"date": f"{view.last_day:%Y-%m-%d}"},
            )
        )
    return limits


@dataclass
class Course:
    """The course of social rehabilitation, without the free-text notes of its sessions: the
    national coordinator may not read consultation notes (docs/decisions.md), and the summary is one
    document for both of its readers."""

    entitlement: object
    services: list[Any]
    material: list[Any]
    post_course: list[Any]
    family: list[Any]
    court_support: list[Any]


def summary_for_case(*, case: Case, user: User, now: datetime.datetime | None = None) -> Summary:
    """Everything the PDF shows of one case, read through each stage app's own selectors."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    summary = Summary(case=case, person=case.person, downloaded_by=user, downloaded_at=now)
    summary.contact = case_selectors.person_contact_for_user(user=user, case=case)
    summary.caseworkers = [
        a.user.display_name
        for a in CaseAssignment.objects.filter(case=case, ended_at__isnull=True)
        .select_related("user")
        .order_by("assigned_at")
    ]
    summary.stage_history = case_stage_history(case=case)
    summary.referral = _referral_of(case)
    summary.identification = service_selectors.identification_current(case=case)
    summary.assistance = list(service_selectors.assistance_list(case=case))
    summary.proceedings = list(service_selectors.proceeding_list(case=case))
    summary.reflection = service_selectors.reflection_period_view(case=case, today=today)
    summary.residence_permit = service_selectors.residence_permit_get(case=case)

    entitlements = rehabilitation_selectors.entitlements_for_case(case=case, today=today)
    course = rehabilitation_selectors.course_current(case=case)
    summary.course = Course(
        entitlement=entitlements.course,
        services=list(rehabilitation_selectors.course_services(course=course)) if course else [],
        material=list(rehabilitation_selectors.material_assistance_list(course=course)) if course else [],
        post_course=list(rehabilitation_selectors.post_course_consultations(course=course)) if course else [],
        family=list(rehabilitation_selectors.family_consultations(case=case)),
        court_support=list(rehabilitation_selectors.court_support_entries(case=case)),
    )
    reference_day = rehabilitation_selectors.identification_reference_date(case=case)
    summary.limits = _limits_of(
        entitlements, is_minor_at_identification=case.person.is_minor_on(reference_day)
    )
    summary.alerts = rehabilitation_selectors.alerts_for_case(case=case, include_acknowledged=False)
    summary.reintegration = reintegration_selectors.case_referrals(case=case)
    # Type, title and date of each document: never their content.
    summary.documents = document_selectors.document_summary_rows(case=case)
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


_TYPE_LABEL = {"+": gettext_lazy("created"), "~": gettext_lazy("changed"), "-": gettext_lazy("deleted")}


def _audit_rows(source: AuditSource, case: Case) -> QuerySet[Any]:
    """The history rows of one registered source that belong to the case."""
    # simple-history adds the `history` manager at run time; it has no types.
    model: Any = source.model
    rows = model.history.model.objects
    if source.case_path == "self":
        return cast("QuerySet[Any]", rows.filter(id=case.pk))
    if source.case_path == "person":
        return cast("QuerySet[Any]", rows.filter(id=case.person_id))
    if source.case_path == "case":
        return cast("QuerySet[Any]", rows.filter(case_id=case.pk))
    # A record hanging off a parent (a hearing off its proceedings): the parent may be deleted,
    # so the parents' ids are read from the parent's history too.
    parent_field = source.case_path.removesuffix("__case")
    parent: Any = model._meta.get_field(parent_field).related_model
    parent_ids = parent.history.model.objects.filter(case_id=case.pk).values("id")
    return cast("QuerySet[Any]", rows.filter(**{f"{parent_field}_id__in": parent_ids}))


_DOWNLOAD_KINDS = (CaseAccess.Kind.PDF, CaseAccess.Kind.DOWNLOAD)
AUDIT_KINDS = ("view", "download", "change")


def _audit_keys(case: Case, kind: str) -> QuerySet[Any]:
    """(when, source, key) of every entry of the case's trail, newest first, as one UNION ALL
    that the database sorts and pages: source -1 is the read log, n >= 0 the n-th registered
    source of history (its history_id as the key)."""
    parts: list[QuerySet[Any]] = []
    if kind in ("", "view", "download"):
        accesses = CaseAccess.objects.filter(case=case)
        if kind == "view":
            accesses = accesses.exclude(kind__in=_DOWNLOAD_KINDS)
        elif kind == "download":
            accesses = accesses.filter(kind__in=_DOWNLOAD_KINDS)
        parts.append(
            accesses.order_by()
            .annotate(a_at=F("at"), a_src=Value(-1, output_field=IntegerField()), a_key=F("pk"))
            .values_list("a_at", "a_src", "a_key")
        )
    if kind in ("", "change"):
        for index, source in enumerate(audit_sources()):
            parts.append(
                _audit_rows(source, case)
                .order_by()
                .annotate(
                    a_at=F("history_date"),
                    a_src=Value(index, output_field=IntegerField()),
                    a_key=F("history_id"),
                )
                .values_list("a_at", "a_src", "a_key")
            )
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-a_at", "-a_src", "-a_key")


def _access_entry(access: CaseAccess) -> AuditEntry:
    return AuditEntry(
        access.at,
        access.reader_name or access.user.display_name,
        access.organisation.name if access.organisation else "",
        access.get_kind_display(),
        "download" if access.kind in _DOWNLOAD_KINDS else "view",
    )


def _change_entry(source: AuditSource, rec: Any) -> AuditEntry:
    who = rec.history_user
    return AuditEntry(
        rec.history_date,
        who.display_name if who else _("the system"),
        who.organisation.name if who and who.organisation else "",
        f"{source.label}: {_TYPE_LABEL.get(rec.history_type, rec.history_type)}",
        "change",
        [case_selectors.history_reason_text(rec.history_change_reason)] if rec.history_change_reason else [],
    )


def case_audit_page(
    *, user: User, case: Case, kind: str = "", page: str | int | None = None, per_page: int = 50
) -> Page[Any]:
    """One page of the case's trail (national coordinator), paged by the database: a count, the
    page's keys, then the page's rows read from the read log and from each source that has rows
    on it (at most one query each): never the whole trail in memory."""
    if not permissions.can(user, Action.VIEW_AUDIT_TRAIL, case):
        raise Http404
    sources = audit_sources()
    current = Paginator(_audit_keys(case, kind if kind in AUDIT_KINDS else ""), per_page).get_page(page)
    keys = list(current.object_list)
    wanted: dict[int, list[int]] = {}
    for _at, src, key in keys:
        wanted.setdefault(src, []).append(key)
    found: dict[tuple[int, int], AuditEntry] = {}
    for src, ids in wanted.items():
        if src == -1:
            for access in CaseAccess.objects.filter(pk__in=ids).select_related("user", "organisation"):
                found[(src, access.pk)] = _access_entry(access)
            continue
        source = sources[src]
        history: Any = cast("Any", source.model).history.model
        rows = history.objects.filter(history_id__in=ids).select_related(
            "history_user", "history_user__organisation"
        )
        for rec in rows:
            found[(src, rec.history_id)] = _change_entry(source, rec)
    current.object_list = [found[(src, key)] for _at, src, key in keys if (src, key) in found]
    return current


def case_audit_trail(*, user: User, case: Case) -> list[AuditEntry]:
    """Every view, download and change of a case's records, newest first (national coordinator)."""
    if not permissions.can(user, Action.VIEW_AUDIT_TRAIL, case):
        raise Http404
    entries: list[AuditEntry] = []
    for access in CaseAccess.objects.filter(case=case).select_related("user", "organisation"):
        kind = "download" if access.kind in (CaseAccess.Kind.PDF, CaseAccess.Kind.DOWNLOAD) else "view"
        entries.append(
            AuditEntry(
                access.at,
                access.reader_name or access.user.display_name,
                access.organisation.name if access.organisation else "",
                access.get_kind_display(),
                kind,
            )
        )
    for source in audit_sources():
        rows = _audit_rows(source, case).select_related("history_user", "history_user__organisation")
        for rec in rows:
            who = rec.history_user
            what = f"{source.label}: {_TYPE_LABEL.get(rec.history_type, rec.history_type)}"
            details = (
                [case_selectors.history_reason_text(rec.history_change_reason)]
                if rec.history_change_reason
                else []
            )
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
