"""Every write of the ground floor: <entity>_<verb>(*, ..., actor) -> result."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max, Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from . import lifecycle, permissions
from .reasons import EVENT_WITH_REASON, CodedReason
from .reasons import coded_reason as coded_reason  # the stage apps store their coded reasons through here

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
from .models import (
    ROLE_NOT_FOR_KIND,  # noqa: F401 - the message is the model's; callers and tests find it here too
    STAGE_TRANSITIONS,
    VICTIM_STATUS_TRANSITIONS,
    Case,
    CaseAccess,
    CaseAssignment,
    CaseTransfer,
    CaseUserObjectPermission,
    LegalRepresentative,
    Organisation,
    Person,
    StageChange,
    User,
    UserRole,
)
from .permissions import Action

# Error messages: module constants the tests reuse.
NOT_A_MANDATED_NGO = _("Cases are held by the mandated NGO; %(name)s is not one.")
NOT_ASSIGNABLE = _("%(name)s is not a caseworker of this case's NGO, so they cannot be assigned.")
ALREADY_ASSIGNED = _("%(name)s is already assigned to this case.")
NOT_ASSIGNED = _("%(name)s is not assigned to this case.")
STAGE_NOT_ALLOWED = _("A case in the stage %(current)s cannot move to %(target)s.")
STATUS_NOT_ALLOWED = _("A %(current)s cannot become a %(target)s.")
CLOSE_NEEDS_REASON = _("Give the reason for closing the case.")
USE_CLOSING = _("Use closing to close a case.")
ALREADY_IN_STAGE = _("The case is already in the stage %(stage)s.")
MOVE_NEEDS_REASON = _("Give the reason for moving the case by hand.")
MOVE_NEEDS_IDENTIFIED_VICTIM = _(
    "State-funded assistance begins only after the identification is approved: a presumed victim's case cannot be moved to %(stage)s."
)
NOT_CLOSED = _("Only a closed case can be reopened; this one is in the stage %(stage)s.")
REOPEN_NEEDS_REASON = _(
    "Give the reason for reopening the case (for example, new information, or the person was trafficked again)."
)
TRANSFER_NEEDS_REASON = _("Give the reason for the transfer.")
TRANSFER_NOT_A_MANDATED_NGO = _(
    "A case can be transferred only to another mandated NGO; %(name)s is not one."
)
TRANSFER_SAME_NGO = _("The case is already held by %(name)s.")
TRANSFER_ALREADY_PROPOSED = _(
    "A transfer of this case to %(name)s is already awaiting its answer; cancel it first to propose another."
)
TRANSFER_NOT_OPEN = _("This transfer is no longer awaiting an answer (%(status)s).")
TRANSFER_CASE_CLOSED = _("The case was closed after the transfer was proposed; it cannot be transferred.")
TRANSFERRED = _("Transferred from %(from)s to %(to)s")
DECLINE_NEEDS_REASON = _("Give the reason for declining the transfer, so that the sending NGO knows.")

# How far along the stages a case is: an event moves a case forward to the stage its records imply,
# never back (a manual move to a later stage is not undone by an earlier stage's event). Only
# withdrawing an onward referral moves a case back out of reintegration (docs/lifecycle.md).
STAGE_RANK: dict[str, int] = {
    Case.Stage.REFERRAL: 0,
    Case.Stage.IDENTIFICATION: 1,
    Case.Stage.REHABILITATION: 2,
    Case.Stage.FOLLOW_UP: 3,
    Case.Stage.REINTEGRATION: 4,
    Case.Stage.CLOSED: 5,
}
BACKWARD_EVENTS = frozenset({StageChange.Event.ONWARD_REFERRAL_WITHDRAWN})
# Stages of state-funded assistance: only an identified victim's case is moved there by hand.
STATE_FUNDED_STAGES = frozenset({Case.Stage.REHABILITATION, Case.Stage.FOLLOW_UP})


def history_stamp(obj: Model, *, actor: User | None, reason: StrOrPromise | CodedReason = "") -> None:
    """Name the acting user (and the reason) on the history row the next save() writes.

    Every app's services call this before a save, so a history row never lacks its actor.
    django-simple-history reads both as plain instance attributes.
    """
    obj.__dict__["_history_user"] = actor
    if reason:
        obj.__dict__["_change_reason"] = history_reason_code(reason)


def history_reason_code(reason: StrOrPromise | CodedReason) -> str:
    """A translatable reason is stored as its source text, the code that the timeline and the
    audit trail translate into the reader's language (cases.selectors.history_reason_text);
    one with parameters (coded_reason) as its code and its parameters; a reason a user typed is
    stored as typed."""
    if isinstance(reason, CodedReason):
        return reason.encode()
    with override(None):
        return str(reason)


# --- users ------------------------------------------------------------------------------------


@transaction.atomic
def user_grant_role(*, user: User, role: str, actor: User | None) -> UserRole:
    grant = UserRole.objects.filter(user=user, role=role).first()
    if grant is None:
        grant = UserRole(user=user, role=role)
        grant.clean()  # the role must fit the organisation's kind (UserRole.clean, also the admin's)
        history_stamp(grant, actor=actor)
        grant.save()
    user.__dict__.pop("_roles_cache", None)
    return grant


# --- people and cases -------------------------------------------------------------------------


def person_create(*, actor: User | None, **fields: Any) -> Person:
    person = Person(**fields)
    person.full_clean()
    history_stamp(person, actor=actor)
    person.save()
    return person


def _next_number(year: int) -> int:
    return (Case.objects.filter(year=year).aggregate(m=Max("number"))["m"] or 0) + 1


@transaction.atomic
def case_open(
    *,
    person: Person,
    organisation: Organisation,
    actor: User | None,
    opened_on: datetime.date | None = None,
    stage: str = Case.Stage.IDENTIFICATION,
    reason: StrOrPromise = "",
    external_id: str = "",
    event: str = StageChange.Event.OPENED,
) -> Case:
    """Open a case with the next reference of the year (NRM-2026-0042)."""
    if organisation.kind != Organisation.Kind.MANDATED_NGO:
        raise ValidationError(NOT_A_MANDATED_NGO % {"name": organisation.name})
    opened_on = opened_on or timezone.localdate()
    year = opened_on.year
    # Two writers can compute the same next number; the unique constraint decides and the loser
    # takes the next one.
    for _attempt in range(10):
        number = _next_number(year)
        case = Case(
            reference=f"NRM-{year}-{number:04d}",
            year=year,
            number=number,
            person=person,
            organisation=organisation,
            stage=stage,
            opened_on=opened_on,
            external_id=external_id,
        )
        history_stamp(case, actor=actor, reason=reason or _("Case opened"))
        try:
            with transaction.atomic():
                case.save()
        except IntegrityError:
            continue
        _record_stage_change(case, from_stage="", event=event, actor=actor, reason=reason)
        return case
    raise IntegrityError("could not allocate a case reference")


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("organisation").get(pk=case.pk)


def _record_stage_change(
    case: Case,
    *,
    from_stage: str,
    event: str,
    actor: User | None,
    reason: StrOrPromise | CodedReason = "",
) -> None:
    # Stored as a code, read in the reader's language (cases.selectors.history_reason_text).
    change = StageChange(
        case=case,
        from_stage=from_stage,
        to_stage=case.stage,
        event=event,
        reason=history_reason_code(reason) if reason else "",
        actor=actor,
    )
    history_stamp(change, actor=actor, reason=reason)
    change.save()


def _move(
    case: Case,
    stage: str,
    *,
    event: str,
    actor: User | None,
    reason: StrOrPromise | CodedReason = "",
    fields: tuple[str, ...] | list[str] = (),
) -> Case:
    """The one place a stage changes: along the allowed transitions, with a history row naming the
    event and a row of the stage history. The caller holds the case's row lock."""
    if stage not in STAGE_TRANSITIONS[case.stage]:
        raise ValidationError(
            {
                "stage": STAGE_NOT_ALLOWED
                % {"current": case.get_stage_display(), "target": Case.Stage(stage).label}
            }
        )
    previous = case.stage
    case.stage = stage
    label = StageChange.Event(event).label
    history_stamp(
        case,
        actor=actor,
        reason=coded_reason(EVENT_WITH_REASON, event=label, reason=reason) if reason else label,
    )
    case.save(update_fields=["stage", "updated_at", *fields])
    _record_stage_change(case, from_stage=previous, event=event, actor=actor, reason=reason)
    return case


@transaction.atomic
def case_stage_follow(
    *, case: Case, event: str, actor: User | None, reason: StrOrPromise | CodedReason = ""
) -> Case:
    """After an event a stage app recorded (in the same transaction), move the case to the stage
    its records now imply (cases.lifecycle). Stage apps call this; it never needs to know them."""
    case = _locked(case)
    if not case.is_open:
        return case
    target = lifecycle.implied_stage(case)
    if target == case.stage:
        return case
    if event in BACKWARD_EVENTS:
        latest = case.stage_changes.order_by("-at", "-pk").first()
        if case.stage != Case.Stage.REINTEGRATION or (latest and latest.event in StageChange.DECISIONS):
            return case
    elif STAGE_RANK[target] <= STAGE_RANK[case.stage]:
        return case
    return _move(case, target, event=event, actor=actor, reason=reason)


@transaction.atomic
def case_move_to_stage(*, case: Case, stage: str, actor: User, reason: StrOrPromise = "") -> Case:
    """A coordinator moves the case by hand, with a reason, along the allowed transitions."""
    case = _locked(case)
    permissions.require(actor, Action.MOVE_STAGE, case)
    if stage == Case.Stage.CLOSED:
        raise ValidationError({"stage": USE_CLOSING})
    if stage == case.stage:
        raise ValidationError({"stage": ALREADY_IN_STAGE % {"stage": case.get_stage_display()}})
    if stage not in STAGE_TRANSITIONS[case.stage]:
        raise ValidationError(
            {
                "stage": STAGE_NOT_ALLOWED
                % {"current": case.get_stage_display(), "target": Case.Stage(stage).label}
            }
        )
    # A typed reason is stored as typed; a translatable one (an import's) as its code.
    if isinstance(reason, str):
        reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": MOVE_NEEDS_REASON})
    if stage in STATE_FUNDED_STAGES and case.victim_status != Case.VictimStatus.IDENTIFIED:
        raise ValidationError({"stage": MOVE_NEEDS_IDENTIFIED_VICTIM % {"stage": Case.Stage(stage).label}})
    refusals = lifecycle.stage_guard_refusals(case, stage)
    if refusals:
        raise ValidationError({"stage": refusals})
    event = StageChange.Event.FOLLOW_UP_STARTED if stage == Case.Stage.FOLLOW_UP else StageChange.Event.MANUAL
    return _move(case, stage, event=event, actor=actor, reason=reason)


def stages_reachable_by_hand(case: Case) -> list[tuple[str, StrOrPromise]]:
    """The stages a coordinator may try to move the case to (the form's choices)."""
    return [
        (value, label)
        for value, label in Case.Stage.choices
        if value in STAGE_TRANSITIONS[case.stage] and value != Case.Stage.CLOSED and case.is_open
    ]


def case_set_victim_status(
    *, case: Case, status: str, actor: User | None, reason: StrOrPromise | CodedReason = ""
) -> Case:
    """Change the victim status; callers (the identification service) check their own rights."""
    with transaction.atomic():
        case = _locked(case)
        if status not in VICTIM_STATUS_TRANSITIONS[case.victim_status]:
            raise ValidationError(
                STATUS_NOT_ALLOWED
                % {"current": case.get_victim_status_display(), "target": Case.VictimStatus(status).label}
            )
        case.victim_status = status
        history_stamp(case, actor=actor, reason=reason)
        case.save(update_fields=["victim_status", "updated_at"])
    return case


# The details of a person a caseworker or coordinator may correct (cases.corrections).
PERSON_FIELDS = (
    "given_name",
    "family_name",
    "other_names",
    "date_of_birth",
    "estimated_age",
    "estimated_age_on",
    "sex",
    "citizenships",
    "stateless",
    "languages",
    "phone",
    "email",
    "address",
)
PERSON_REASON_NEEDED = _("Give the reason for the correction (e.g. the person's passport was seen).")
PERSON_NOTHING_CHANGED = _("Nothing was changed; change a detail, or cancel.")
PERSON_DOB_IN_FUTURE = _("The date of birth cannot be in the future.")
PERSON_AGE_NEEDS_DATE = _("Give the day the age was estimated on, or leave the estimated age empty.")
PERSON_AGE_IMPLAUSIBLE = _("An estimated age is between 0 and 120 years.")


@transaction.atomic
def person_correct(*, case: Case, actor: User, reason: str, **values: Any) -> Person:
    """Correct what is known of the person of a case (the real name once known, the date of
    birth, citizenship, languages, contact, other names), with a reason.

    The derived facts (minor, third-country national) follow from the details; a change that
    would break a rule a stage already relied on (a residence permit recorded for a third-country
    national, family consultations given for a minor) is refused by that stage's check, with a
    message saying what relies on it. A date of birth replaces an estimated age (the two are never
    stored together)."""
    case = Case.objects.select_for_update().select_related("person").get(pk=case.pk)
    permissions.require(actor, Action.CHANGE_CASE, case)
    from . import corrections

    reason = corrections.clean_reason(reason, message=PERSON_REASON_NEEDED)
    person = Person.objects.select_for_update().get(pk=case.person_id)
    before = Person.objects.get(pk=person.pk)
    unknown = set(values) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError(
            _("These details cannot be corrected here: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    for name, value in values.items():
        if isinstance(value, str) and name != "citizenships":
            value = value.strip()
        setattr(person, name, value)
    # A known date of birth replaces the estimate (the database allows only one of them).
    if values.get("date_of_birth"):
        person.estimated_age = None
        person.estimated_age_on = None
    errors: dict[str, Any] = {}
    if person.date_of_birth and person.date_of_birth > timezone.localdate():
        errors["date_of_birth"] = PERSON_DOB_IN_FUTURE
    if person.estimated_age is not None:
        if not 0 <= person.estimated_age <= 120:
            errors["estimated_age"] = PERSON_AGE_IMPLAUSIBLE
        elif "estimated_age_on" not in values and (
            person.estimated_age_on is None or person.estimated_age != before.estimated_age
        ):
            # An age estimated now is an age on today.
            person.estimated_age_on = timezone.localdate()
    else:
        person.estimated_age_on = None
    if errors:
        raise ValidationError(errors)
    changed = [
        name
        for name in PERSON_FIELDS
        if getattr(person, name) != getattr(before, name)
        and not (
            name == "citizenships"
            and {c.code for c in person.citizenships} == {c.code for c in before.citizenships}
        )
    ]
    if not changed:
        raise ValidationError(PERSON_NOTHING_CHANGED)
    person.full_clean()
    for check in corrections.person_checks():
        check(person=person, before=before)
    history_stamp(person, actor=actor, reason=reason)
    person.save()
    return person


@transaction.atomic
def case_close(*, case: Case, actor: User, reason: str) -> Case:
    case = _locked(case)
    permissions.require(actor, Action.CLOSE_CASE, case)
    if not reason.strip():
        raise ValidationError({"reason": CLOSE_NEEDS_REASON})
    if Case.Stage.CLOSED not in STAGE_TRANSITIONS[case.stage]:
        raise ValidationError(
            STAGE_NOT_ALLOWED % {"current": case.get_stage_display(), "target": Case.Stage.CLOSED.label}
        )
    case.closed_at = timezone.now()
    case.close_reason = reason.strip()
    _move(
        case,
        Case.Stage.CLOSED,
        event=StageChange.Event.CLOSED,
        actor=actor,
        reason=reason.strip(),
        fields=["closed_at", "close_reason"],
    )
    # A closed case is no longer worked: assignments end and their permissions go. Partners lose
    # their narrow view with it (it opens only while the case is open).
    for assignment in case.assignments.filter(ended_at__isnull=True).select_related("user"):
        _end_assignment(assignment, actor=actor)
    return case


@transaction.atomic
def case_reopen(*, case: Case, actor: User, reason: str, caseworker: User | None = None) -> Case:
    """A coordinator reopens a closed case with a reason: it returns to the stage its records
    imply; access is granted again by assignment (here, or later on the case page)."""
    case = _locked(case)
    if case.is_open:
        if permissions.can(actor, Action.CLOSE_CASE, case):
            raise ValidationError(NOT_CLOSED % {"stage": case.get_stage_display()})
        raise PermissionDenied
    permissions.require(actor, Action.REOPEN_CASE, case)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REOPEN_NEEDS_REASON})
    if caseworker is not None and not permissions.assignable_caseworker(caseworker, case):
        raise ValidationError({"caseworker": NOT_ASSIGNABLE % {"name": caseworker.display_name}})
    target = lifecycle.implied_stage(case, include_closed=False)
    case.closed_at = None
    case.close_reason = ""
    _move(
        case,
        target,
        event=StageChange.Event.REOPENED,
        actor=actor,
        reason=reason,
        fields=["closed_at", "close_reason"],
    )
    if caseworker is not None:
        case_assign_caseworker(case=case, caseworker=caseworker, actor=actor)
    return case


# --- transfers to another mandated NGO --------------------------------------------------------


@transaction.atomic
def case_transfer_propose(
    *, case: Case, to_organisation: Organisation, actor: User, reason: str
) -> CaseTransfer:
    """The sending NGO's coordinator proposes to hand the case over; nothing moves until the
    receiving NGO's coordinator accepts."""
    case = _locked(case)
    permissions.require(actor, Action.TRANSFER_CASE, case)
    if to_organisation.kind != Organisation.Kind.MANDATED_NGO or not to_organisation.is_active:
        raise ValidationError({"organisation": TRANSFER_NOT_A_MANDATED_NGO % {"name": to_organisation.name}})
    if to_organisation.pk == case.organisation_id:
        raise ValidationError({"organisation": TRANSFER_SAME_NGO % {"name": to_organisation.name}})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": TRANSFER_NEEDS_REASON})
    pending = (
        case.transfers.filter(status=CaseTransfer.Status.PROPOSED).select_related("to_organisation").first()
    )
    if pending is not None:
        raise ValidationError(TRANSFER_ALREADY_PROPOSED % {"name": pending.to_organisation.name})
    transfer = CaseTransfer(
        case=case,
        from_organisation=case.organisation,
        to_organisation=to_organisation,
        reason=reason,
        proposed_by=actor,
    )
    history_stamp(transfer, actor=actor, reason=reason)
    transfer.save()
    return transfer


def _locked_transfer(transfer: CaseTransfer) -> tuple[Case, CaseTransfer]:
    # One lock order everywhere: the case first, then its transfer.
    case = _locked(transfer.case)
    transfer = (
        CaseTransfer.objects.select_for_update()
        .select_related("from_organisation", "to_organisation")
        .get(pk=transfer.pk)
    )
    transfer.case = case
    if transfer.status != CaseTransfer.Status.PROPOSED:
        raise ValidationError(TRANSFER_NOT_OPEN % {"status": transfer.get_status_display().lower()})
    return case, transfer


def _decide_transfer(transfer: CaseTransfer, *, status: str, actor: User, reason: str = "") -> None:
    transfer.status = status
    transfer.decided_by = actor
    transfer.decided_at = timezone.now()
    transfer.decline_reason = reason
    history_stamp(transfer, actor=actor, reason=reason)
    transfer.save(update_fields=["status", "decided_by", "decided_at", "decline_reason"])


@transaction.atomic
def case_transfer_accept(
    *, transfer: CaseTransfer, actor: User, caseworker: User | None = None
) -> CaseTransfer:
    """The receiving NGO's coordinator accepts: the case and every access move with it. The
    sending NGO's caseworkers are unassigned; the receiving NGO assigns its own."""
    case, transfer = _locked_transfer(transfer)
    if not permissions.is_coordinator_of(actor, transfer.to_organisation_id):
        raise PermissionDenied
    if not case.is_open:
        raise ValidationError(TRANSFER_CASE_CLOSED)
    for assignment in case.assignments.filter(ended_at__isnull=True).select_related("user"):
        _end_assignment(assignment, actor=actor)
    case.organisation = transfer.to_organisation
    history_stamp(
        case,
        actor=actor,
        reason=coded_reason(
            TRANSFERRED, **{"from": transfer.from_organisation.name, "to": transfer.to_organisation.name}
        ),
    )
    case.save(update_fields=["organisation", "updated_at"])
    _decide_transfer(transfer, status=CaseTransfer.Status.ACCEPTED, actor=actor)
    if caseworker is not None:
        case_assign_caseworker(case=case, caseworker=caseworker, actor=actor)
    return transfer


@transaction.atomic
def case_transfer_decline(*, transfer: CaseTransfer, actor: User, reason: str) -> CaseTransfer:
    _case, transfer = _locked_transfer(transfer)
    if not permissions.is_coordinator_of(actor, transfer.to_organisation_id):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": DECLINE_NEEDS_REASON})
    _decide_transfer(transfer, status=CaseTransfer.Status.DECLINED, actor=actor, reason=reason)
    return transfer


@transaction.atomic
def case_transfer_cancel(*, transfer: CaseTransfer, actor: User) -> CaseTransfer:
    case, transfer = _locked_transfer(transfer)
    if not permissions.can(actor, Action.TRANSFER_CASE, case):
        raise PermissionDenied
    _decide_transfer(transfer, status=CaseTransfer.Status.CANCELLED, actor=actor)
    return transfer


# --- assignments ------------------------------------------------------------------------------


@transaction.atomic
def case_assign_caseworker(*, case: Case, caseworker: User, actor: User | None) -> CaseAssignment:
    """Assign a caseworker and grant the object permissions that open the case to them."""
    case = _locked(case)
    if actor is not None:
        permissions.require(actor, Action.ASSIGN_CASEWORKER, case)
    if not permissions.assignable_caseworker(caseworker, case):
        raise ValidationError({"caseworker": NOT_ASSIGNABLE % {"name": caseworker.display_name}})
    if case.assignments.filter(user=caseworker, ended_at__isnull=True).exists():
        raise ValidationError({"caseworker": ALREADY_ASSIGNED % {"name": caseworker.display_name}})
    assignment = CaseAssignment(case=case, user=caseworker, assigned_by=actor or caseworker)
    history_stamp(assignment, actor=actor)
    assignment.save()
    _grant_case_perms(user=caseworker, case=case, actor=actor)
    return assignment


def _grant_case_perms(*, user: User, case: Case, actor: User | None) -> None:
    # What guardian's assign_perm does, written out so that each grant's history row carries the
    # acting user (assign_perm saves before we could set it).
    permissions.forget_cached_permissions()
    content_type = ContentType.objects.get_for_model(Case)
    for codename in permissions.CASEWORKER_PERMS:
        perm = Permission.objects.get(content_type=content_type, codename=codename)
        if CaseUserObjectPermission.objects.filter(user=user, permission=perm, content_object=case).exists():
            continue
        grant = CaseUserObjectPermission(user=user, permission=perm, content_object=case)
        history_stamp(grant, actor=actor)
        grant.save()


def _end_assignment(assignment: CaseAssignment, *, actor: User) -> None:
    assignment.ended_at = timezone.now()
    assignment.ended_by = actor
    history_stamp(assignment, actor=actor)
    assignment.save(update_fields=["ended_at", "ended_by"])
    permissions.forget_cached_permissions()
    # One by one, not queryset.delete(): each revocation keeps its history row.
    for perm in CaseUserObjectPermission.objects.filter(user=assignment.user, content_object=assignment.case):
        history_stamp(perm, actor=actor)
        perm.delete()


@transaction.atomic
def case_unassign_caseworker(*, case: Case, caseworker: User, actor: User) -> CaseAssignment:
    case = _locked(case)
    permissions.require(actor, Action.ASSIGN_CASEWORKER, case)
    assignment = case.assignments.filter(user=caseworker, ended_at__isnull=True).first()
    if assignment is None:
        raise ValidationError({"caseworker": NOT_ASSIGNED % {"name": caseworker.display_name}})
    _end_assignment(assignment, actor=actor)
    return assignment


# --- the read log -----------------------------------------------------------------------------


def case_access_record(*, case: Case, actor: User, kind: str = CaseAccess.Kind.VIEW) -> CaseAccess:
    """Record that actor saw this case file; callers have already checked they may.

    A partner's narrow view (kind NARROW) is decided by the reintegration capability, and a
    document's download (kind DOWNLOAD: a partner may download a document shared with them) by
    the documents capability, which cases/ does not import: their callers check them, so only the
    full file is re-checked here.
    """
    decided_above = (CaseAccess.Kind.NARROW, CaseAccess.Kind.DOWNLOAD)
    if kind not in decided_above and not permissions.can(actor, Action.VIEW_CASE, case):
        raise PermissionDenied
    access = CaseAccess(
        case=case,
        user=actor,
        organisation_id=actor.organisation_id,
        reader_name=actor.display_name[:300],
        kind=kind,
    )
    history_stamp(access, actor=actor)
    access.save()
    return access


def case_access_record_many(*, case_ids: Iterable[int | None], actor: User, kind: str) -> int:
    """Record that actor saw each of these cases in a list, page or export: one insert for the
    rows and one for their history, however many cases. Callers pass only the cases their
    selector already scoped to actor (a list shows nothing else)."""
    return read_log_record_many(model=CaseAccess, fk="case_id", ids=case_ids, actor=actor, kind=kind)


def read_log_record_many(
    *, model: type[models.Model], fk: str, ids: Iterable[int | None], actor: User, kind: str
) -> int:
    """One read-log row per distinct id (the case's, or another app's read log such as the
    referrals'), in one insert for the rows and one for their history; the reader's name as it
    is now."""
    from simple_history.utils import bulk_create_with_history

    distinct = list(dict.fromkeys(pk for pk in ids if pk is not None))
    if not distinct:
        return 0
    now = timezone.now()
    rows = [
        model(
            **{fk: pk},
            user=actor,
            organisation_id=actor.organisation_id,
            reader_name=actor.display_name[:300],
            kind=kind,
            at=now,
        )
        for pk in distinct
    ]
    bulk_create_with_history(rows, model, default_user=actor, default_date=now)
    return len(rows)


# --- a minor's legal representative -----------------------------------------------------------

REPRESENTATIVE_KIND_REQUIRED = _(
    "Choose who the legal representative is: a parent, a guardian or the orphan's court."
)
REPRESENTATIVE_NAME_REQUIRED = _("Give the representative's name (or the orphan's court's name).")
ORPHANS_COURT_NEEDS_DECISION = _("Give the number and the date of the orphan's court's decision.")
DECISION_DATE_IN_FUTURE = _("The decision cannot be dated in the future.")
REPRESENTATIVE_FOR_AN_ADULT = _(
    "By the age recorded the person is an adult; a legal representative is recorded for a minor only."
)
REPRESENTATIVE_END_NEEDS_REASON = _("Give the reason this representative no longer acts for the person.")
REPRESENTATIVE_ALREADY_ENDED = _("This representative's part has already ended.")


@transaction.atomic
def legal_representative_add(
    *,
    case: Case,
    actor: User,
    kind: str,
    name: str,
    contact: str = "",
    decision_number: str = "",
    decision_date: datetime.date | None = None,
) -> LegalRepresentative:
    """Record who acts for a minor (docs/privacy.md): a parent, a guardian or the orphan's court."""
    case = _locked(case)
    permissions.require(actor, Action.CHANGE_CASE, case)
    name, contact, decision_number = (v.strip() for v in (name or "", contact or "", decision_number or ""))
    errors: dict[str, object] = {}
    if case.person.is_minor is False:
        errors["kind"] = REPRESENTATIVE_FOR_AN_ADULT
    elif kind not in LegalRepresentative.Kind.values:
        errors["kind"] = REPRESENTATIVE_KIND_REQUIRED
    if not name:
        errors["name"] = REPRESENTATIVE_NAME_REQUIRED
    if kind == LegalRepresentative.Kind.ORPHANS_COURT and not (decision_number and decision_date):
        errors["decision_number"] = ORPHANS_COURT_NEEDS_DECISION
    if decision_date is not None and decision_date > timezone.localdate():
        errors["decision_date"] = DECISION_DATE_IN_FUTURE
    if errors:
        raise ValidationError(errors)
    representative = LegalRepresentative(
        case=case,
        kind=kind,
        name=name,
        contact=contact,
        decision_number=decision_number,
        decision_date=decision_date,
        recorded_by=actor,
    )
    representative.full_clean(exclude=["case", "recorded_by"])
    history_stamp(representative, actor=actor, reason=_("Legal representative recorded"))
    representative.save()
    return representative


@transaction.atomic
def legal_representative_end(
    *, representative: LegalRepresentative, actor: User, reason: str
) -> LegalRepresentative:
    case = _locked(representative.case)
    permissions.require(actor, Action.CHANGE_CASE, case)
    representative = LegalRepresentative.objects.select_for_update().get(pk=representative.pk, case=case)
    if not representative.is_current:
        raise ValidationError(REPRESENTATIVE_ALREADY_ENDED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REPRESENTATIVE_END_NEEDS_REASON})
    representative.ended_at = timezone.now()
    representative.ended_by = actor
    representative.end_reason = reason
    history_stamp(representative, actor=actor, reason=reason)
    representative.save(update_fields=["ended_at", "ended_by", "end_reason"])
    return representative
