"""Every write of stage 2: <entity>_<verb>(*, ..., actor) -> result.

The module is called services.py inside the `services` app to keep the house convention
(docs/decisions.md). Each write re-checks the actor's rights, sets the history user and reason, and
takes the case's row lock first, so that two writers on one case are served one after the other.
"""

from __future__ import annotations

import copy
import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import corrections
from cases import services as case_services
from cases.models import Case, Correctable, Role, StageChange, User
from cases.permissions import has_role
from cases.services import history_stamp

from . import limits, permissions
from .models import (
    GROUND_FIELDS,
    AssistanceRecord,
    CriminalProceeding,
    Ground,
    Hearing,
    Identification,
    ReflectionPeriod,
    ResidencePermit,
)
from .permissions import Action

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Error messages: module constants the tests reuse.
APPROVED_ON_GROUND = _("Identification approved: %(ground)s")
ALREADY_PROPOSED = _(
    "An identification is already awaiting review on this case; wait for the coordinator's decision."
)
ALREADY_DECIDED = _(
    "The identification of this case is already decided (%(status)s); no new proposal can be made."
)
NOT_AWAITING_REVIEW = _(
    "This proposal is no longer awaiting review (%(status)s); reload the case to see its decision."
)
FOUR_EYES = _("You proposed this identification, so another NGO coordinator must approve or return it.")
RETURN_NEEDS_REASON = _(
    "Give the reason for returning the proposal, so that the caseworker knows what to change."
)
UNKNOWN_GROUND = _("Choose one of the three grounds of identification.")
STATE_FUNDED_NEEDS_IDENTIFICATION = _(
    "%(kind)s is state-funded and begins only after the identification is approved; record it once the person is an identified victim."
)
REFLECTION_EU_CITIZEN = _(
    "A reflection period is only for third-country nationals; this person is a citizen of the EU, the EEA or Switzerland."
)
REFLECTION_CITIZENSHIP_UNKNOWN = _(
    "Record the person's citizenship (or that they are stateless) first: a reflection period is only for third-country nationals."
)
REFLECTION_ALREADY_STARTED = _("A reflection period was already started on this case on %(start)s.")
REFLECTION_START_OUT_OF_RANGE = _(
    "A reflection period starts in the year 2000 or later and at most a year from today; check the start date."
)
REFLECTION_START_IN_FUTURE = _(
    "A reflection period cannot start in the future; record it on the day it starts."
)
REFLECTION_BEFORE_MET = _("The person was met on %(met)s; a reflection period cannot start before that day.")
REFLECTION_NOT_RUNNING = _("This reflection period is not running; only a running period can be ended early.")
REFLECTION_END_NEEDS_REASON = _(
    "Give the reason for ending the reflection period early (e.g. the person decided to cooperate with the investigation)."
)
REFLECTION_END_IN_FUTURE = _(
    "A reflection period cannot be ended on a future day; end it on the day it ends."
)
REFLECTION_END_BEFORE_START = _("The reflection period started on %(start)s; it cannot end before that.")
REFLECTION_END_AFTER_LAST_DAY = _(
    "The reflection period's last day is %(last_day)s (day 30); an end on or after it is not early."
)
PERMIT_EU_CITIZEN = _(
    "A victim's residence permit is only for third-country nationals; this person is a citizen of the EU, the EEA or Switzerland and needs none."
)
PERMIT_CITIZENSHIP_UNKNOWN = _(
    "Record the person's citizenship (or that they are stateless) first: a victim's residence permit is only for third-country nationals."
)
PERMIT_NEEDS_IDENTIFIED_VICTIM = _(
    "A residence permit is applied for with the recognition decision: approve the identification first."
)

# State-funded services begin only after approval (docs/decisions.md, stage 2: "Until approval the person
# is a presumed victim; after it, an identified victim. State-funded services begin only after
# approval."). What a presumed victim needs at once cannot wait for a decision: bringing them back
# from abroad, the first meeting and interview on their urgent needs, and emergency medical care,
# which everyone receives. These three may be recorded before the identification is approved.
BEFORE_IDENTIFICATION = frozenset(
    {
        AssistanceRecord.Kind.RETURN_FROM_ABROAD,
        AssistanceRecord.Kind.FIRST_MEETING,
        AssistanceRecord.Kind.EMERGENCY_MEDICAL_CARE,
    }
)


def _locked_case(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("organisation", "person").get(pk=case.pk)


# --- identification ---------------------------------------------------------------------------


@transaction.atomic
def identification_propose(
    *,
    case: Case,
    actor: User,
    ground: str,
    outcome: str = Identification.Outcome.IDENTIFIED,
    outcome_reason: str = "",
    **document: object,
) -> Identification:
    """A caseworker (or coordinator) proposes the identification on exactly one ground."""
    case = _locked_case(case)
    permissions.require(actor, Action.PROPOSE_IDENTIFICATION, case)
    if ground not in GROUND_FIELDS:
        raise ValidationError({"ground": UNKNOWN_GROUND})
    if case.victim_status != Case.VictimStatus.PRESUMED:
        raise ValidationError(ALREADY_DECIDED % {"status": case.get_victim_status_display()})
    if case.identifications.filter(status=Identification.Status.PROPOSED).exists():
        raise ValidationError(ALREADY_PROPOSED)
    unknown = set(document) - {f for fields in GROUND_FIELDS.values() for f in fields}
    if unknown:
        raise TypeError(f"unknown identification fields: {sorted(unknown)}")
    identification = Identification(
        case=case,
        ground=ground,
        outcome=outcome or Identification.Outcome.IDENTIFIED,
        outcome_reason=(outcome_reason or "").strip(),
        proposed_by=actor,
        status=Identification.Status.PROPOSED,
        **{
            k: ("" if v is None and k not in ("cp_date", "le_date", "commission_date") else v)
            for k, v in document.items()
        },
    )
    if identification.commission_members is None:
        identification.commission_members = []
    identification.full_clean()
    history_stamp(identification, actor=actor, reason=_("Identification proposed"))
    identification.save()
    return identification


def _locked_proposal(identification: Identification) -> tuple[Case, Identification]:
    # One lock order everywhere: the case first, then its identification.
    case = _locked_case(identification.case)
    identification = Identification.objects.select_for_update().get(pk=identification.pk)
    identification.case = case
    return case, identification


def _check_decider(actor: User, case: Case, identification: Identification) -> None:
    if identification.status != Identification.Status.PROPOSED:
        raise ValidationError(NOT_AWAITING_REVIEW % {"status": identification.get_status_display()})
    # The second pair of eyes: a proposer is refused whatever other role they hold.
    if permissions.is_proposer(actor, identification):
        if has_role(actor, Role.COORDINATOR):
            raise ValidationError(FOUR_EYES)
        raise PermissionDenied
    permissions.require(actor, Action.DECIDE_IDENTIFICATION, case, identification=identification)


@transaction.atomic
def identification_approve(*, identification: Identification, actor: User) -> Identification:
    """The coordinator's approval: only this makes the person an identified victim (or, on a
    negative conclusion, not identified, after which the case can be closed)."""
    case, identification = _locked_proposal(identification)
    _check_decider(actor, case, identification)
    identification.status = Identification.Status.APPROVED
    identification.decided_by = actor
    identification.decided_at = timezone.now()
    history_stamp(identification, actor=actor, reason=_("Identification approved"))
    identification.save(update_fields=["status", "decided_by", "decided_at"])
    if identification.outcome == Identification.Outcome.IDENTIFIED:
        case_services.case_set_victim_status(
            case=case,
            status=Case.VictimStatus.IDENTIFIED,
            actor=actor,
            # Codes, not text: read in the reader's language (cases.reasons).
            reason=case_services.coded_reason(APPROVED_ON_GROUND, ground=Ground(identification.ground).label),
        )
        # The stage follows in the same transaction: an identified victim's state-funded
        # assistance begins (docs/lifecycle.md). "Not identified" keeps the case in identification
        # until the coordinator closes it.
        case_services.case_stage_follow(
            case=case,
            event=StageChange.Event.IDENTIFICATION_APPROVED,
            actor=actor,
            reason=Ground(identification.ground).label,
        )
    else:
        case_services.case_set_victim_status(
            case=case,
            status=Case.VictimStatus.NOT_IDENTIFIED,
            actor=actor,
            reason=identification.outcome_reason,
        )
    return identification


@transaction.atomic
def identification_return(*, identification: Identification, actor: User, reason: str) -> Identification:
    case, identification = _locked_proposal(identification)
    _check_decider(actor, case, identification)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": RETURN_NEEDS_REASON})
    identification.status = Identification.Status.RETURNED
    identification.decided_by = actor
    identification.decided_at = timezone.now()
    identification.return_reason = reason
    history_stamp(identification, actor=actor, reason=reason)
    identification.save(update_fields=["status", "decided_by", "decided_at", "return_reason"])
    return identification


# --- criminal proceedings ---------------------------------------------------------------------


def _proceeding_values(
    *, case_number: str, procedural_status: str, body: str, note: str = ""
) -> dict[str, Any]:
    return {
        "case_number": (case_number or "").strip(),
        "procedural_status": procedural_status,
        "body": (body or "").strip(),
        "note": note or "",
    }


def _probe(entry: Correctable, values: dict[str, Any]) -> None:
    """A copy of the entry with the new values, for the model's own checks before anything is
    written (the entry itself keeps its old values for the history's comparison)."""
    probe = copy.copy(entry)
    for name, value in values.items():
        setattr(probe, name, value)
    probe.full_clean()


def _lock_entry[E: Correctable](model: type[E], entry: E, case: Case) -> tuple[Case, E]:
    case = _locked_case(case)
    return case, cast(E, model._default_manager.select_for_update().get(pk=entry.pk))


@transaction.atomic
def proceeding_record(
    *, case: Case, actor: User, case_number: str, procedural_status: str, body: str, note: str = ""
) -> CriminalProceeding:
    case = _locked_case(case)
    permissions.require(actor, Action.RECORD, case)
    proceeding = CriminalProceeding(
        case=case,
        recorded_by=actor,
        **_proceeding_values(
            case_number=case_number, procedural_status=procedural_status, body=body, note=note
        ),
    )
    proceeding.full_clean()
    history_stamp(proceeding, actor=actor)
    proceeding.save()
    return proceeding


@transaction.atomic
def proceeding_correct(
    *, entry: CriminalProceeding, actor: User, reason: str, **fields: Any
) -> CriminalProceeding:
    case, entry = _lock_entry(CriminalProceeding, entry, entry.case)
    permissions.require(actor, Action.RECORD, case)
    corrections.require_not_voided(entry)
    values = _proceeding_values(**fields)
    _probe(entry, values)
    return corrections.apply_correction(entry=entry, case=case, values=values, actor=actor, reason=reason)


@transaction.atomic
def proceeding_void(*, entry: CriminalProceeding, actor: User, reason: str) -> CriminalProceeding:
    case, entry = _lock_entry(CriminalProceeding, entry, entry.case)
    permissions.require(actor, Action.RECORD, case)
    return corrections.apply_void(entry=entry, case=case, actor=actor, reason=reason)


@transaction.atomic
def hearing_record(
    *, proceeding: CriminalProceeding, actor: User, date: datetime.date, place: str = "", note: str = ""
) -> Hearing:
    case, proceeding = _lock_entry(CriminalProceeding, proceeding, proceeding.case)
    permissions.require(actor, Action.RECORD, case)
    corrections.require_not_voided(proceeding)
    hearing = Hearing(proceeding=proceeding, date=date, place=place or "", note=note or "", recorded_by=actor)
    hearing.full_clean()
    history_stamp(hearing, actor=actor)
    hearing.save()
    return hearing


@transaction.atomic
def hearing_correct(
    *, entry: Hearing, actor: User, reason: str, date: datetime.date, place: str = "", note: str = ""
) -> Hearing:
    case, entry = _lock_entry(Hearing, entry, entry.proceeding.case)
    permissions.require(actor, Action.RECORD, case)
    corrections.require_not_voided(entry)
    values = {"date": date, "place": place or "", "note": note or ""}
    _probe(entry, values)
    return corrections.apply_correction(entry=entry, case=case, values=values, actor=actor, reason=reason)


@transaction.atomic
def hearing_void(*, entry: Hearing, actor: User, reason: str) -> Hearing:
    case, entry = _lock_entry(Hearing, entry, entry.proceeding.case)
    permissions.require(actor, Action.RECORD, case)
    return corrections.apply_void(entry=entry, case=case, actor=actor, reason=reason)


# --- assistance -------------------------------------------------------------------------------


def _assistance_values(
    case: Case,
    *,
    kind: str,
    started_on: datetime.date,
    arranged_by: str,
    ended_on: datetime.date | None = None,
    outcome: str = "",
    claim: str = "",
    amount_eur: Decimal | None = None,
    compensation_status: str = "",
) -> dict[str, Any]:
    if (
        kind in AssistanceRecord.Kind.values
        and kind not in BEFORE_IDENTIFICATION
        and (case.victim_status != Case.VictimStatus.IDENTIFIED)
    ):
        raise ValidationError(
            {"kind": STATE_FUNDED_NEEDS_IDENTIFICATION % {"kind": AssistanceRecord.Kind(kind).label}}
        )
    return {
        "kind": kind,
        "started_on": started_on,
        "ended_on": ended_on,
        "arranged_by": (arranged_by or "").strip(),
        "outcome": outcome or "",
        "claim": claim or "",
        "amount_eur": amount_eur,
        "compensation_status": compensation_status or "",
    }


@transaction.atomic
def assistance_record(*, case: Case, actor: User, **fields: Any) -> AssistanceRecord:
    case = _locked_case(case)
    permissions.require(actor, Action.RECORD, case)
    record = AssistanceRecord(case=case, recorded_by=actor, **_assistance_values(case, **fields))
    record.full_clean()
    history_stamp(record, actor=actor)
    record.save()
    return record


@transaction.atomic
def assistance_correct(
    *, entry: AssistanceRecord, actor: User, reason: str, **fields: Any
) -> AssistanceRecord:
    """Correct a record, or carry it on (a compensation claim later awarded, an end date): the
    rules of a new record are checked again."""
    case, entry = _lock_entry(AssistanceRecord, entry, entry.case)
    permissions.require(actor, Action.RECORD, case)
    corrections.require_not_voided(entry)
    values = _assistance_values(case, **fields)
    _probe(entry, values)
    return corrections.apply_correction(entry=entry, case=case, values=values, actor=actor, reason=reason)


@transaction.atomic
def assistance_void(*, entry: AssistanceRecord, actor: User, reason: str) -> AssistanceRecord:
    case, entry = _lock_entry(AssistanceRecord, entry, entry.case)
    permissions.require(actor, Action.RECORD, case)
    return corrections.apply_void(entry=entry, case=case, actor=actor, reason=reason)


# --- reflection period ------------------------------------------------------------------------


def _third_country_national_error(
    case: Case, *, eu_message: StrOrPromise, unknown_message: StrOrPromise
) -> StrOrPromise | None:
    tcn = case.person.is_third_country_national
    if tcn is None:
        return unknown_message
    if not tcn:
        return eu_message
    return None


def reflection_period_refusal(*, case: Case) -> StrOrPromise | None:
    """Why a reflection period cannot be started on this case, or None when it can."""
    error = _third_country_national_error(
        case, eu_message=REFLECTION_EU_CITIZEN, unknown_message=REFLECTION_CITIZENSHIP_UNKNOWN
    )
    if error is None:
        existing = ReflectionPeriod.objects.filter(case=case).first()
        if existing is not None:
            error = REFLECTION_ALREADY_STARTED % {"start": existing.start_date.isoformat()}
    return error


def residence_permit_refusal(*, case: Case) -> StrOrPromise | None:
    """Why the residence-permit workflow is not offered on this case, or None when it is."""
    error = _third_country_national_error(
        case, eu_message=PERMIT_EU_CITIZEN, unknown_message=PERMIT_CITIZENSHIP_UNKNOWN
    )
    if error is None and case.victim_status != Case.VictimStatus.IDENTIFIED:
        error = PERMIT_NEEDS_IDENTIFIED_VICTIM
    return error


@transaction.atomic
def reflection_period_start(
    *, case: Case, actor: User, start_date: datetime.date | None = None
) -> ReflectionPeriod:
    """Start the 30-day reflection period of a third-country national (docs/domain.md, "The limits")."""
    case = _locked_case(case)
    permissions.require(actor, Action.RECORD, case)
    error = reflection_period_refusal(case=case)
    if error is not None:
        raise ValidationError({"start_date": error})
    today = timezone.localdate()
    start_date = start_date or today
    if start_date.year < 2000:
        raise ValidationError({"start_date": REFLECTION_START_OUT_OF_RANGE})
    if start_date > today:
        raise ValidationError({"start_date": REFLECTION_START_IN_FUTURE})
    from referrals.selectors import case_first_met_on

    # The person cannot reflect before anyone met them: the day the first responder met them, as
    # their referral records it (a case opened without a referral has no such day on record).
    met = case_first_met_on(case=case)
    if met is not None and start_date < met:
        raise ValidationError({"start_date": REFLECTION_BEFORE_MET % {"met": met.isoformat()}})
    period = ReflectionPeriod(
        case=case,
        start_date=start_date,
        last_day=limits.reflection_period_last_day(start_date),
        status=ReflectionPeriod.Status.RUNNING,
        recorded_by=actor,
    )
    period.full_clean()
    history_stamp(period, actor=actor, reason=_("Reflection period started"))
    period.save()
    return period


@transaction.atomic
def reflection_period_end(
    *, case: Case, actor: User, ended_on: datetime.date, reason: str
) -> ReflectionPeriod:
    """End a running reflection period before its 30 days, with the reason (the person decided to
    cooperate with the investigation, left the country ...)."""
    case = _locked_case(case)
    permissions.require(actor, Action.RECORD, case)
    period = ReflectionPeriod.objects.select_for_update().filter(case=case).first()
    if period is None or period.status != ReflectionPeriod.Status.RUNNING:
        raise ValidationError(REFLECTION_NOT_RUNNING)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REFLECTION_END_NEEDS_REASON})
    if ended_on > timezone.localdate():
        raise ValidationError({"ended_on": REFLECTION_END_IN_FUTURE})
    if ended_on < period.start_date:
        raise ValidationError(
            {"ended_on": REFLECTION_END_BEFORE_START % {"start": period.start_date.isoformat()}}
        )
    if ended_on >= period.last_day:
        raise ValidationError(
            {"ended_on": REFLECTION_END_AFTER_LAST_DAY % {"last_day": period.last_day.isoformat()}}
        )
    period.status = ReflectionPeriod.Status.ENDED_EARLY
    period.ended_on = ended_on
    period.end_reason = reason
    history_stamp(period, actor=actor, reason=reason)
    period.save(update_fields=["status", "ended_on", "end_reason"])
    return period


# --- residence permit -------------------------------------------------------------------------

PERMIT_FIELDS = (
    "travel_document_presented_on",
    "travel_document_type",
    "travel_document_number",
    "application_submitted_on",
    "decision",
    "decision_on",
    "permit_number",
    "valid_from",
    "valid_until",
)


@transaction.atomic
def residence_permit_save(*, case: Case, actor: User, **fields: Any) -> ResidencePermit:
    """Record the residence-permit workflow step by step: travel document, application (with the
    recognition decision and the statement of necessity), decision, permit number and validity."""
    case = _locked_case(case)
    permissions.require(actor, Action.RECORD, case)
    error = residence_permit_refusal(case=case)
    if error is not None:
        raise ValidationError(error)
    unknown = set(fields) - set(PERMIT_FIELDS)
    if unknown:
        raise TypeError(f"unknown residence permit fields: {sorted(unknown)}")
    permit = ResidencePermit.objects.filter(case=case).first() or ResidencePermit(case=case)
    for name, value in fields.items():
        if value is None and name in (
            "travel_document_type",
            "travel_document_number",
            "decision",
            "permit_number",
        ):
            value = ""
        setattr(permit, name, value)
    permit.recorded_by = actor
    permit.full_clean()
    history_stamp(permit, actor=actor)
    permit.save()
    return permit


# --- the person's details, as stage 2 relies on them (cases.corrections) -------------------------

PERSON_PERMIT_RELIES = _(
    "A residence permit is recorded on case %(reference)s for this person as a third-country "
    "national; a citizenship of the EU, the EEA or Switzerland (or none known) would contradict it. "
    "Check the citizenship, or have the permit record corrected first."
)
PERSON_REFLECTION_RELIES = _(
    "A reflection period is running on case %(reference)s for this person as a third-country "
    "national; a citizenship of the EU, the EEA or Switzerland (or none known) would contradict it. "
    "End the reflection period first, or check the citizenship."
)


def person_check(*, person: Any, before: Any) -> None:
    """Refuse a correction of the person that would break what stage 2 recorded on the strength
    of their being a third-country national."""
    if person.is_third_country_national is True or before.is_third_country_national is not True:
        return
    permit = ResidencePermit.objects.filter(case__person_id=person.pk).select_related("case").first()
    if permit is not None:
        raise ValidationError({"citizenships": PERSON_PERMIT_RELIES % {"reference": permit.case.reference}})
    running = (
        ReflectionPeriod.objects.filter(case__person_id=person.pk, status=ReflectionPeriod.Status.RUNNING)
        .select_related("case")
        .first()
    )
    if running is not None:
        raise ValidationError(
            {"citizenships": PERSON_REFLECTION_RELIES % {"reference": running.case.reference}}
        )
