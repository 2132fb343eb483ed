"""Every read a view or the API needs, already scoped to the user."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Exists, Field, Model, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import permissions, signals
from .collation import lv_collated
from .models import (
    Case,
    CaseAccess,
    CaseAssignment,
    CaseTransfer,
    EntryCorrection,
    LegalRepresentative,
    Organisation,
    Person,
    Role,
    User,
    normalise_name,
)
from .pagination import page_rows
from .permissions import Action
from .reasons import render_reason
from .sections import timeline_sources

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _active_assignments() -> Prefetch[str, QuerySet[CaseAssignment], str]:
    return Prefetch(
        "assignments",
        queryset=CaseAssignment.objects.filter(ended_at__isnull=True)
        .select_related("user")
        .order_by("assigned_at"),
        to_attr="active_assignments",
    )


def case_list_for_user(*, user: User, search: str = "", stage: str = "", status: str = "") -> QuerySet[Case]:
    """The cases the user may see, newest first, with what a list row shows."""
    visible = permissions.case_visibility_filter(user)
    if visible is None:
        return Case.objects.none()
    qs = (
        Case.objects.filter(visible)
        .select_related("person", "organisation")
        .prefetch_related(_active_assignments())
    )
    search = (search or "").strip()
    if search:
        # A reference has digits, a name none: one condition, so that PostgreSQL starts from its
        # trigram index (migration 0010) instead of an OR across two tables (docs/performance.md).
        if any(ch.isdigit() for ch in search):
            qs = qs.filter(reference__icontains=search)
        else:
            qs = qs.filter(person__search_name__contains=normalise_name(search))
    if stage:
        qs = qs.filter(stage=stage)
    if status:
        qs = qs.filter(victim_status=status)
    return qs.order_by("-opened_on", "-number")


def case_get_for_user_or_404(*, user: User, reference: str) -> Case:
    """One case, or a 404 that looks the same whether it is missing or out of scope.

    Found by its reference alone, then decided by permissions.can(VIEW_CASE): for one case the
    same rule as the lists' visibility filter (the NGO, and a caseworker's view_case rows), without
    compiling and running that filter's subqueries for a row the check reads anyway
    (docs/performance.md, "The case page")."""
    if permissions.case_visibility_filter(user) is None:
        _report_refusal(user=user, reference=reference)
        raise Http404
    case = (
        Case.objects.select_related("person", "organisation")
        .prefetch_related(_active_assignments())
        .filter(reference=reference)
        .first()
    )
    if case is None:
        raise Http404
    if not permissions.can(user, Action.VIEW_CASE, case):
        # The case exists: a refused access, for the security log (cases.signals).
        signals.access_refused.send(sender=Case, user=user, target=f"cases.Case:{reference}")
        raise Http404
    return case


def case_restricted_for_user(*, user: User, reference: str) -> Case | None:
    """The high-risk case a coordinator of its NGO could open with an emergency access, or None."""
    case = (
        Case.objects.filter(reference=reference, organisation_id=user.organisation_id or 0)
        .prefetch_related(_active_assignments())
        .first()
    )
    if case is None or not permissions.may_request_emergency_access(user, case):
        return None
    return case


# A module constant the pages, the API and the PDF share, and the tests reuse.
CONTACT_WITHHELD = gettext_lazy(
    "The phone, e-mail and address are withheld: this case is assessed as high risk, and they are "
    "shown only to the assigned caseworkers and the coordinator. Ask them if you need to reach "
    "the person."
)


@dataclass
class ContactView:
    """The person's contact details as one user may see them (cases.permissions.contact_visible)."""

    visible: bool
    phone: str = ""
    email: str = ""
    address: str = ""
    instructions: str = ""

    @property
    def withheld_notice(self) -> str:
        return "" if self.visible else str(CONTACT_WITHHELD)


def person_contact_for_user(*, user: User, case: Case) -> ContactView:
    """What of the contact a page, the API or the PDF may show; the withheld values never leave."""
    person = case.person
    instructions = person.safe_contact_instructions
    if not permissions.contact_visible(user, case):
        return ContactView(visible=False, instructions=instructions)
    return ContactView(
        visible=True,
        phone=person.phone,
        email=person.email,
        address=person.address,
        instructions=instructions,
    )


def _report_refusal(*, user: User, reference: str) -> None:
    """A 404 on a case that exists is a refused access: the security log listens (cases.signals)."""
    if Case.objects.filter(reference=reference).exists():
        signals.access_refused.send(sender=Case, user=user, target=f"cases.Case:{reference}")


def case_stage_counts_for_user(*, user: User) -> dict[str, int]:
    visible = permissions.case_visibility_filter(user)
    if visible is None:
        return {}
    rows = Case.objects.filter(visible).values("stage").annotate(n=Count("pk")).order_by()
    counts = dict.fromkeys(Case.Stage.values, 0)
    counts.update({row["stage"]: row["n"] for row in rows})
    return counts


def case_stage_counts_precomputed_for_user(*, user: User) -> tuple[dict[str, int], datetime.datetime | None]:
    """The cases by stage for the dashboard, and when they were computed (None: just now).

    A coordinator's NGO and the whole country are read from the snapshot the periodic job keeps
    (cases/snapshots.py); a caseworker's few hundred cases are counted live."""
    from . import snapshots

    roles = permissions.user_roles(user)
    scope: int | bool | None = False
    if Role.NATIONAL_COORDINATOR in roles:
        scope = None
    elif Role.COORDINATOR in roles and user.organisation_id:
        scope = user.organisation_id
    if scope is not False:
        snapshot = snapshots.snapshot_latest(kind=snapshots.STAGE_COUNTS, organisation_id=scope)
        if snapshot is not None:
            return {
                stage: int(snapshot.data.get(stage, 0)) for stage in Case.Stage.values
            }, snapshot.computed_at
    return case_stage_counts_for_user(user=user), None


def cases_assigned_to(*, user: User, limit: int = 50) -> QuerySet[Case]:
    """The open cases a caseworker is assigned to, for their dashboard."""
    # Sorted and cut on the case table first, then only those rows joined (cases.pagination).
    rows: QuerySet[Case] = page_rows(
        case_list_for_user(user=user)
        .filter(assignments__user=user, assignments__ended_at__isnull=True)
        .exclude(stage=Case.Stage.CLOSED),
        0,
        limit,
    )
    return rows


def cases_without_caseworker(*, user: User, limit: int = 50) -> QuerySet[Case]:
    """Open cases of the coordinator's NGO with nobody assigned."""
    if not permissions.has_role(user, Role.COORDINATOR):
        return Case.objects.none()
    return (
        case_list_for_user(user=user)
        .filter(organisation_id=user.organisation_id or 0)
        .exclude(stage=Case.Stage.CLOSED)
        .exclude(Exists(CaseAssignment.objects.filter(case_id=OuterRef("pk"), ended_at__isnull=True)))[:limit]
    )


def caseworkers_assignable_to(*, case: Case) -> QuerySet[User]:
    return (
        User.objects.filter(
            organisation_id=case.organisation_id, is_active=True, role_grants__role=Role.CASEWORKER
        )
        # The case's few current assignments, not a join over every assignment of every
        # caseworker of the NGO (docs/performance.md).
        .exclude(pk__in=CaseAssignment.objects.filter(case=case, ended_at__isnull=True).values("user_id"))
        .order_by(lv_collated("last_name"), lv_collated("first_name"), "username")
        .distinct()
    )


def case_access_list_for_user(*, user: User, case: Case) -> QuerySet[CaseAccess]:
    if not permissions.can(user, Action.VIEW_ACCESS_LOG, case):
        raise Http404
    return case.accesses.select_related("user", "organisation").order_by("-at")


# --- the timeline -----------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    at: datetime.datetime
    actor: str
    title: StrOrPromise
    details: list[str] = field(default_factory=list)
    reason: str = ""


def history_reason_text(stored: str | None) -> str:
    """A history row's (or a stage change's) reason in the reader's language: the stored code is
    the source text of a translatable reason or a coded reason with its parameters
    (cases.reasons); typed text matches no entry and reads as typed."""
    return render_reason(stored)


def _model_field(model: type[Model], name: str) -> Field[Any, Any] | None:
    """The concrete field a history diff names (None for a name the model no longer has)."""
    try:
        f = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return f if isinstance(f, Field) else None


def _field_label(model: type[Model], name: str) -> str:
    f = _model_field(model, name)
    return capfirst(str(f.verbose_name)) if f is not None else name


def _display(model: type[Model], name: str, value: object) -> str:
    f = _model_field(model, name)
    if f is None:
        return str(value)
    if f.choices and value is not None:
        return str(dict(f.flatchoices).get(value, value))
    if value in (None, ""):
        return "-"
    return str(value)


# Fields whose change says nothing to a reader of the timeline.
_QUIET_FIELDS = {"updated_at", "created_at", "search_name"}
# Personal data changes are recorded in history, but the timeline names only which field changed.
_PERSONAL_FIELDS = {
    "given_name",
    "family_name",
    "other_names",
    "date_of_birth",
    "estimated_age",
    "estimated_age_on",
    "phone",
    "email",
    "address",
    "citizenships",
    "languages",
    "sex",
    "stateless",
    "safe_contact_instructions",
}


# A created_title is a text or, for records that say more, a function of the history record.
type CreatedTitle = StrOrPromise | Callable[[Any], str]


def _entries_for(
    records: list[Any],
    model: type[Model],
    *,
    created_title: CreatedTitle,
    changed_title: StrOrPromise,
    fields: set[str] | None = None,
) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    by_object: dict[int, list[Any]] = {}
    for rec in sorted(records, key=lambda r: r.history_date):
        by_object.setdefault(rec.id, []).append(rec)
    for recs in by_object.values():
        previous = None
        for rec in recs:
            actor = rec.history_user.display_name if rec.history_user else _("the system")
            reason = history_reason_text(rec.history_change_reason)
            if previous is None or rec.history_type == "+":
                title = created_title(rec) if callable(created_title) else created_title
                entries.append(TimelineEntry(rec.history_date, actor, title, [], reason))
            elif rec.history_type == "~":
                delta = rec.diff_against(previous)
                details: list[str] = []
                for change in delta.changes:
                    if change.field in _QUIET_FIELDS or (fields is not None and change.field not in fields):
                        continue
                    label = _field_label(model, change.field)
                    if change.field in _PERSONAL_FIELDS:
                        details.append(_("%(field)s changed") % {"field": label})
                    else:
                        details.append(
                            _("%(field)s: %(old)s → %(new)s")
                            % {
                                "field": label,
                                "old": _display(model, change.field, change.old),
                                "new": _display(model, change.field, change.new),
                            }
                        )
                if details or reason:
                    entries.append(TimelineEntry(rec.history_date, actor, changed_title, details, reason))
            previous = rec
    return entries


def history_timeline_entries(
    *,
    model: type[Model],
    records: list[Any],
    created_title: CreatedTitle,
    changed_title: StrOrPromise,
    fields: set[str],
) -> list[TimelineEntry]:
    """Timeline entries from a stage app's history records; only the named fields' changes show."""
    return _entries_for(
        records, model, created_title=created_title, changed_title=changed_title, fields=fields
    )


# The case's own fields a timeline entry names; the stage is told by the stage history.
_CASE_TIMELINE_FIELDS = {"victim_status", "closed_at", "close_reason", "risk_level", "person"}


def case_timeline(*, case: Case, transfers: list[CaseTransfer] | None = None) -> list[TimelineEntry]:
    """What happened to the case, newest first, built from the history tables (`transfers`: the
    case's transfers when the caller has read them already, case_transfers)."""
    case_records = list(case.history.select_related("history_user").order_by("history_date"))
    # The person as they were when the case opened (the last record before it), then every change
    # since: a correction is then a change, not the person's first record.
    # One query: the baseline is the newest record before the opening (a subquery).
    baseline = (
        Person.history.filter(id=case.person_id, history_date__lt=case.created_at)
        .order_by("-history_date")
        .values("history_id")[:1]
    )
    person_records = list(
        Person.history.filter(id=case.person_id)
        .filter(Q(history_date__gte=case.created_at) | Q(history_id=Subquery(baseline)))
        .select_related("history_user")
        .order_by("history_date")
    )
    assignment_records = list(
        CaseAssignment.history.filter(case_id=case.pk)
        .select_related("history_user", "user")
        .order_by("history_date")
    )
    # A stage's move is told once, by its stage-history row naming the event (below); the case's
    # own history row of that move adds nothing but the same change.
    entries = [
        e
        for e in _entries_for(
            case_records,
            Case,
            created_title=_("Case opened"),
            changed_title=_("Case updated"),
            fields=_CASE_TIMELINE_FIELDS,
        )
        if e.details or e.title != _("Case updated")
    ]
    for change in case.stage_changes.select_related("actor").order_by("at", "pk"):
        if not change.from_stage:
            continue  # the opening: "Case opened" above
        entries.append(
            TimelineEntry(
                change.at,
                change.actor.display_name if change.actor else _("the system"),
                change.get_event_display(),
                [
                    _("%(field)s: %(old)s → %(new)s")
                    % {
                        "field": _field_label(Case, "stage"),
                        "old": change.get_from_stage_display(),
                        "new": change.get_to_stage_display(),
                    }
                ],
                history_reason_text(change.reason),
            )
        )
    for transfer in case_transfers(case=case) if transfers is None else transfers:
        entries.append(
            TimelineEntry(
                transfer.proposed_at,
                transfer.proposed_by.display_name,
                _("Transfer to %(name)s proposed") % {"name": transfer.to_organisation.name},
                [],
                transfer.reason,
            )
        )
        if transfer.decided_at:
            entries.append(
                TimelineEntry(
                    transfer.decided_at,
                    transfer.decided_by.display_name if transfer.decided_by else _("the system"),
                    _("Transfer to %(name)s: %(status)s")
                    % {
                        "name": transfer.to_organisation.name,
                        "status": transfer.get_status_display().lower(),
                    },
                    [],
                    transfer.decline_reason,
                )
            )
    entries += [
        e
        for e in _entries_for(
            person_records,
            Person,
            created_title=_("Person recorded"),
            changed_title=_("Personal details updated"),
        )
        if (e.details or e.reason) and e.at >= case.created_at
    ]
    for rec in assignment_records:
        actor = rec.history_user.display_name if rec.history_user else _("the system")
        name = rec.user.display_name
        if rec.history_type == "+":
            entries.append(
                TimelineEntry(rec.history_date, actor, _("Caseworker assigned: %(name)s") % {"name": name})
            )
        elif rec.history_type == "~" and rec.ended_at:
            entries.append(
                TimelineEntry(rec.history_date, actor, _("Caseworker unassigned: %(name)s") % {"name": name})
            )
    entries += entry_correction_timeline(case=case)
    for source in timeline_sources():
        entries += source(case)
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


def case_legal_representatives(*, case: Case) -> list[LegalRepresentative]:
    """A minor's legal representatives, current ones first, with who recorded and ended them."""
    return list(case.legal_representatives.select_related("recorded_by", "ended_by"))


# --- transfers --------------------------------------------------------------------------------


def transfers_incoming_for_user(*, user: User) -> QuerySet[CaseTransfer]:
    """The transfers awaiting the answer of the user's NGO (its coordinators); the case's reference
    and the sending NGO's reason, nothing of the file until it is accepted."""
    if not permissions.is_coordinator_of(user, getattr(user, "organisation_id", None)):
        return CaseTransfer.objects.none()
    return (
        CaseTransfer.objects.filter(
            to_organisation_id=user.organisation_id, status=CaseTransfer.Status.PROPOSED
        )
        .select_related("case", "from_organisation", "proposed_by")
        .order_by("proposed_at", "pk")
    )


def transfer_incoming_for_user_or_404(*, user: User, pk: int) -> CaseTransfer:
    transfer = transfers_incoming_for_user(user=user).filter(pk=pk).first()
    if transfer is None:
        raise Http404
    return transfer


def case_transfers(*, case: Case) -> list[CaseTransfer]:
    """Every transfer of the case, proposed or decided, with who and where, newest first: the
    case page reads them once for its timeline and its open transfer."""
    return list(case.transfers.select_related("proposed_by", "decided_by", "to_organisation"))


def transfer_open_for_case(*, case: Case) -> CaseTransfer | None:
    return (
        case.transfers.filter(status=CaseTransfer.Status.PROPOSED).select_related("to_organisation").first()
    )


def transfer_open_of(transfers: list[CaseTransfer]) -> CaseTransfer | None:
    """transfer_open_for_case from the case's transfers already read (case_transfers)."""
    return next((t for t in transfers if t.status == CaseTransfer.Status.PROPOSED), None)


def transfer_targets(*, case: Case) -> QuerySet[Organisation]:
    """The other active mandated NGOs a case may be handed to."""
    return Organisation.objects.filter(kind=Organisation.Kind.MANDATED_NGO, is_active=True).exclude(
        pk=case.organisation_id
    )


def caseworkers_of(*, organisation_id: int) -> QuerySet[User]:
    return (
        User.objects.filter(
            organisation_id=organisation_id,
            is_active=True,
            role_grants__role=Role.CASEWORKER,
            role_grants__pending=False,
        )
        .order_by(lv_collated("last_name"), lv_collated("first_name"), "username")
        .distinct()
    )


def entry_correction_timeline(*, case: Case) -> list[TimelineEntry]:
    """Every correction and void of a stage's entry, with the fields that changed (by name only:
    the reader may not read the entry's notes) and the reason."""
    from .corrections import kind_for

    entries = []
    for log in case.entry_corrections.select_related("actor").order_by("at", "pk"):
        try:
            kind = kind_for(log.kind)
            model, label = kind.model, kind.label
        except KeyError:
            model, label = None, log.kind
        if log.action == EntryCorrection.Action.VOIDED:
            title = _("Entry voided: %(kind)s") % {"kind": label}
            details = []
        else:
            title = _("Entry corrected: %(kind)s") % {"kind": label}
            details = [
                _("%(field)s changed") % {"field": _field_label(model, name) if model else name}
                for name in log.fields
            ]
        entries.append(TimelineEntry(log.at, log.actor.display_name, title, details, log.reason))
    return entries
