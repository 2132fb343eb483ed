"""What a case's records imply about its stage and victim status (docs/lifecycle.md).

The ground floor imports no stage app, so each stage app registers, in its AppConfig.ready(),
the evidence it holds: a queryset of case ids for which its records imply a stage (or a victim
status), with a priority. The highest-priority evidence wins; a case without any is in
identification as a presumed victim. One annotated query answers for one case or for all of them
(the integrity check), so the check stays a single statement however many cases there are.

Stage apps may also register a guard on entering a stage by hand (the follow-up needs a course
that has ended); the guard returns the refusal message or None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Case as When_
from django.db.models import CharField, OuterRef, QuerySet, Subquery, Value, When

from .models import Case, StageChange


@dataclass(frozen=True)
class Evidence:
    value: str
    priority: int
    case_ids: Callable[[], QuerySet]


_stage_evidence: dict[str, Evidence] = {}
_status_evidence: dict[str, Evidence] = {}
_guards: dict[str, list[Callable[[Case], str | None]]] = {}


def register_stage_evidence(*, key: str, stage: str, priority: int, case_ids: Callable[[], QuerySet]) -> None:
    """case_ids() -> a queryset of case ids (values("case_id")) whose records imply `stage`."""
    _stage_evidence[key] = Evidence(stage, priority, case_ids)


def register_status_evidence(
    *, key: str, status: str, priority: int, case_ids: Callable[[], QuerySet]
) -> None:
    """case_ids() -> a queryset of case ids whose records imply the victim status `status`."""
    _status_evidence[key] = Evidence(status, priority, case_ids)


def register_stage_guard(*, stage: str, check: Callable[[Case], str | None]) -> None:
    """check(case) -> why the case cannot be moved into `stage` by hand, or None."""
    _guards.setdefault(stage, []).append(check)


def stage_guard_refusals(case: Case, stage: str) -> list[str]:
    return [message for check in _guards.get(stage, []) if (message := check(case))]


def _ranked(evidence: dict[str, Evidence], default: str, *, closed: bool = False):
    whens = []
    if closed:
        whens.append(When(closed_at__isnull=False, then=Value(Case.Stage.CLOSED)))
    for item in sorted(evidence.values(), key=lambda e: -e.priority):
        whens.append(When(pk__in=item.case_ids(), then=Value(item.value)))
    return When_(*whens, default=Value(default), output_field=CharField())


def with_implied(qs: QuerySet[Case], *, include_closed: bool = True) -> QuerySet[Case]:
    """Annotate implied_stage, implied_status and the latest stage change (event, to_stage)."""
    latest = StageChange.objects.filter(case_id=OuterRef("pk")).order_by("-at", "-pk")
    return qs.annotate(
        implied_stage=_ranked(_stage_evidence, Case.Stage.IDENTIFICATION, closed=include_closed),
        implied_status=_ranked(_status_evidence, Case.VictimStatus.PRESUMED),
        last_event=Subquery(latest.values("event")[:1]),
        last_to_stage=Subquery(latest.values("to_stage")[:1]),
    )


def implied_stage(case: Case, *, include_closed: bool = True) -> str:
    """The stage the case's records imply (a closed case: closed, unless include_closed=False,
    which is what reopening asks: where would the records put it if it were open?)."""
    return (
        with_implied(Case.objects.filter(pk=case.pk), include_closed=include_closed)
        .values_list("implied_stage", flat=True)
        .get()
    )


@dataclass(frozen=True)
class Problem:
    reference: str
    field: str
    recorded: str
    implied: str


def _stage_agrees(row: dict) -> bool:
    if row["stage"] == row["implied_stage"]:
        return True
    # A decision a person took with a reason (a manual move, the follow-up) stands while it is the
    # latest move of the case and the stage is still the one it chose.
    return row["last_event"] in StageChange.DECISIONS and row["last_to_stage"] == row["stage"]


def integrity_problems(qs: QuerySet[Case] | None = None) -> list[Problem]:
    """Every case whose stage or victim status disagrees with its records, or whose stage is not
    the one its latest recorded move put it in (a write that went around the services)."""
    rows = (
        with_implied(qs if qs is not None else Case.objects.all())
        .order_by("reference")
        .values(
            "reference",
            "stage",
            "victim_status",
            "implied_stage",
            "implied_status",
            "last_event",
            "last_to_stage",
        )
    )
    problems: list[Problem] = []
    for row in rows.iterator(chunk_size=2000):
        if not _stage_agrees(row):
            problems.append(Problem(row["reference"], "stage", row["stage"], row["implied_stage"]))
        elif row["last_to_stage"] is not None and row["last_to_stage"] != row["stage"]:
            problems.append(Problem(row["reference"], "stage", row["stage"], row["last_to_stage"]))
        if row["victim_status"] != row["implied_status"]:
            problems.append(
                Problem(row["reference"], "victim_status", row["victim_status"], row["implied_status"])
            )
    return problems
