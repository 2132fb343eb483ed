"""Every write of the ground floor: <entity>_<verb>(*, ..., actor) -> result."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import permissions

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
from .models import (
    ROLE_NOT_FOR_KIND,  # noqa: F401 - the message is the model's; callers and tests find it here too
    STAGE_TRANSITIONS,
    VICTIM_STATUS_TRANSITIONS,
    Case,
    CaseAccess,
    CaseAssignment,
    CaseUserObjectPermission,
    LegalRepresentative,
    Organisation,
    Person,
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


def history_stamp(obj: Model, *, actor: User | None, reason: StrOrPromise = "") -> None:
    """Name the acting user (and the reason) on the history row the next save() writes.

    Every app's services call this before a save, so a history row never lacks its actor.
    django-simple-history reads both as plain instance attributes.
    """
    obj.__dict__["_history_user"] = actor
    if reason:
        obj.__dict__["_change_reason"] = str(reason)


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
    reason: str = "",
    external_id: str = "",
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
        return case
    raise IntegrityError("could not allocate a case reference")


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("organisation").get(pk=case.pk)


@transaction.atomic
def case_move_to_stage(*, case: Case, stage: str, actor: User, reason: str = "") -> Case:
    case = _locked(case)
    permissions.require(actor, Action.CHANGE_CASE, case)
    if stage not in STAGE_TRANSITIONS[case.stage]:
        raise ValidationError(
            STAGE_NOT_ALLOWED % {"current": case.get_stage_display(), "target": Case.Stage(stage).label}
        )
    if stage == Case.Stage.CLOSED:
        raise ValidationError(_("Use closing to close a case."))
    case.stage = stage
    history_stamp(case, actor=actor, reason=reason)
    case.save(update_fields=["stage", "updated_at"])
    return case


def case_set_victim_status(*, case: Case, status: str, actor: User | None, reason: str = "") -> Case:
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
    case.stage = Case.Stage.CLOSED
    case.closed_at = timezone.now()
    case.close_reason = reason.strip()
    history_stamp(case, actor=actor, reason=reason.strip())
    case.save(update_fields=["stage", "closed_at", "close_reason", "updated_at"])
    # A closed case is no longer worked: assignments end and their permissions go.
    for assignment in case.assignments.filter(ended_at__isnull=True).select_related("user"):
        _end_assignment(assignment, actor=actor)
    return case


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

    A partner's narrow view (kind NARROW) is decided by the reintegration capability, which
    cases/ does not import: its callers check it, so only the full file is re-checked here.
    """
    if kind != CaseAccess.Kind.NARROW and not permissions.can(actor, Action.VIEW_CASE, case):
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
    ids = list(dict.fromkeys(pk for pk in case_ids if pk is not None))
    if not ids:
        return 0
    from simple_history.utils import bulk_create_with_history

    now = timezone.now()
    rows = [
        CaseAccess(
            case_id=pk,
            user=actor,
            organisation_id=actor.organisation_id,
            reader_name=actor.display_name[:300],
            kind=kind,
            at=now,
        )
        for pk in ids
    ]
    bulk_create_with_history(rows, CaseAccess, default_user=actor, default_date=now)
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
