"""Every read of stage 2, scoped to the user: out of scope is a 404, the same as missing."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import periods
from cases.models import Case, CaseAssignment, Role, User
from cases.permissions import has_role
from cases.selectors import TimelineEntry, case_get_for_user_or_404

from . import limits, permissions
from .models import (
    AssistanceRecord,
    CriminalProceeding,
    Hearing,
    Identification,
    ReflectionPeriod,
    ResidencePermit,
)
from .permissions import Action

# For the apps that show the reflection period's deadlines (the alerts of the limits job).
REFLECTION_WARN_DAYS_BEFORE = limits.REFLECTION_WARN_DAYS_BEFORE


def services_case_for_user_or_404(*, user: User, reference: str) -> Case:
    case = case_get_for_user_or_404(user=user, reference=reference)
    if not permissions.can(user, Action.VIEW, case):
        raise Http404
    return case


def entry_get_for_user_or_404[E: models.Model](*, model: type[E], user: User, pk: int) -> E:
    """An assistance record, proceedings or a hearing by id, when the user may see its case; a 404
    otherwise, the same as a missing one."""
    case_path = "proceeding__case" if model is Hearing else "case"
    reference = model._default_manager.filter(pk=pk).values_list(f"{case_path}__reference", flat=True).first()
    if reference is None:
        raise Http404
    case = services_case_for_user_or_404(user=user, reference=reference)
    entry = model._default_manager.get(pk=pk)
    # The case as the scoped read found it (person and organisation already loaded).
    if isinstance(entry, Hearing):
        entry.proceeding.case = case
    else:
        entry.case = case  # type: ignore[attr-defined]
    return entry


def identification_list(*, case: Case) -> QuerySet[Identification]:
    return case.identifications.select_related("proposed_by", "decided_by").order_by("-proposed_at", "-pk")


def identifications_awaiting_review_for(*, user: User, limit: int = 50) -> list[Identification]:
    """Proposals the coordinator may decide: their NGO's, open cases, not their own proposals."""
    if not has_role(user, Role.COORDINATOR) or user.organisation_id is None:
        return []
    return list(
        Identification.objects.filter(
            status=Identification.Status.PROPOSED, case__organisation_id=user.organisation_id
        )
        .exclude(case__stage=Case.Stage.CLOSED)
        .exclude(proposed_by=user)
        .select_related("case", "proposed_by")
        .order_by("proposed_at")[:limit]
    )


def identifications_returned_to(*, user: User, limit: int = 50) -> list[Identification] | None:
    """Proposals returned by the coordinator on the open cases assigned to this caseworker, not
    yet proposed again; None for a user who is no caseworker (the panel is then absent)."""
    if not has_role(user, Role.CASEWORKER) or user.organisation_id is None:
        return None
    assigned = CaseAssignment.objects.filter(
        case_id=OuterRef("case_id"), user_id=user.pk, ended_at__isnull=True
    )
    later = Identification.objects.filter(case_id=OuterRef("case_id"), pk__gt=OuterRef("pk"))
    return list(
        Identification.objects.filter(
            status=Identification.Status.RETURNED, case__organisation_id=user.organisation_id
        )
        .filter(Exists(assigned))
        .exclude(Exists(later))
        .exclude(case__stage=Case.Stage.CLOSED)
        .select_related("case__person", "decided_by")
        .order_by("-decided_at")[:limit]
    )


def identification_get_or_404(*, case: Case, pk: int) -> Identification:
    identification = identification_list(case=case).filter(pk=pk).first()
    if identification is None:
        raise Http404
    return identification


def identification_current(*, case: Case) -> Identification | None:
    """The proposal awaiting review or the approved one; else the latest returned one."""
    return identification_current_of(list(identification_list(case=case)[:20]))


def identification_current_of(rows: list[Identification]) -> Identification | None:
    """identification_current from the case's latest identifications (identification_list), for a
    page that shows them too and reads them once."""
    for row in rows:
        if row.status != Identification.Status.RETURNED:
            return row
    return rows[0] if rows else None


def assistance_list(*, case: Case) -> QuerySet[AssistanceRecord]:
    return case.assistance_records.select_related("recorded_by").order_by("-started_on", "-pk")


def proceeding_list(*, case: Case) -> QuerySet[CriminalProceeding]:
    return case.proceedings.prefetch_related(
        Prefetch("hearings", queryset=Hearing.objects.order_by("date", "pk"))
    ).order_by("created_at", "pk")


def proceeding_get_or_404(*, case: Case, pk: int) -> CriminalProceeding:
    proceeding = case.proceedings.filter(pk=pk).first()
    if proceeding is None:
        raise Http404
    return proceeding


@dataclass(frozen=True)
class ReflectionView:
    period: ReflectionPeriod
    last_day: object
    days_remaining: int
    day_number: int
    has_run_out: bool

    @property
    def status(self) -> str:
        return self.period.get_status_display()


def reflection_period_view(*, case: Case, today: datetime.date | None = None) -> ReflectionView | None:
    period = ReflectionPeriod.objects.filter(case=case).first()
    if period is None:
        return None
    today = today or timezone.localdate()
    # A period ended early ends on its end day, not on day 30.
    last_day = period.last_day
    if period.status == ReflectionPeriod.Status.ENDED_EARLY and period.ended_on is not None:
        last_day = period.ended_on
    return ReflectionView(
        period=period,
        last_day=last_day,
        days_remaining=max(periods.days_remaining(last_day, today), 0)
        if period.status == ReflectionPeriod.Status.ENDED_EARLY
        else periods.days_remaining(last_day, today),
        day_number=periods.day_number(period.start_date, today),
        has_run_out=periods.has_ended(last_day, today)
        or period.status == ReflectionPeriod.Status.ENDED_EARLY,
    )


def residence_permit_get(*, case: Case) -> ResidencePermit | None:
    return ResidencePermit.objects.filter(case=case).first()


def case_timeline_entries(case: Case) -> list[TimelineEntry]:
    """Identification, assistance, reflection period and residence permit events for the case
    timeline."""
    from cases.selectors import history_timeline_entries

    # simple-history adds the `history` manager at run time; it has no types.
    def records(model: Any) -> list[Any]:
        return list(
            model.history.filter(case_id=case.pk).select_related("history_user").order_by("history_date")
        )

    return [
        *history_timeline_entries(
            model=Identification,
            records=records(Identification),
            created_title=_("Identification proposed"),
            changed_title=_("Identification reviewed"),
            fields={"status", "outcome"},
        ),
        *history_timeline_entries(
            model=ReflectionPeriod,
            records=records(ReflectionPeriod),
            created_title=_("Reflection period started"),
            changed_title=_("Reflection period updated"),
            fields={"status", "ended_on"},
        ),
        *history_timeline_entries(
            model=AssistanceRecord,
            records=records(AssistanceRecord),
            created_title=lambda rec: _("Assistance recorded: %(kind)s") % {"kind": rec.get_kind_display()},
            changed_title=_("Assistance updated"),
            fields={"kind", "ended_on"},
        ),
        *history_timeline_entries(
            model=ResidencePermit,
            records=records(ResidencePermit),
            created_title=_("Residence permit procedure started"),
            changed_title=_("Residence permit updated"),
            fields={"decision", "decision_on", "valid_until"},
        ),
    ]


# --- what the identification implies for the case's stage (cases.lifecycle) -------------------


def cases_identified() -> QuerySet[Identification, Any]:
    """The cases whose approved identification identified the person: an identified victim, in
    rehabilitation (state-funded assistance) unless a later stage's records say more."""
    return Identification.objects.filter(
        status=Identification.Status.APPROVED, outcome=Identification.Outcome.IDENTIFIED
    ).values("case_id")


def cases_not_identified() -> QuerySet[Identification, Any]:
    return Identification.objects.filter(
        status=Identification.Status.APPROVED, outcome=Identification.Outcome.NOT_IDENTIFIED
    ).values("case_id")
