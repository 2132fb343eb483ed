"""The one place that knows who may do what with a referral.

Rules (docs/decisions.md, "Who uses it" and "Who sees what"):
- a first responder is a user holding the first-responder role in an organisation of a
  first-responder kind, or in an organisation of other specialists while holding a training
  record valid today [seed: "other specialists who have attended relevant training"];
- a first responder creates referrals and reads their organisation's (a draft only its author);
  they never see the case behind an accepted referral;
- an NGO coordinator of a mandated NGO has the intake queue: reads every submitted referral and
  the ones their NGO decided, accepts or declines those with consent;
- the national coordinator reads counts and statuses only;
- everybody else: nothing.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone

from cases.models import Organisation, Role, User
from cases.permissions import user_roles
from cases.queries import any_of

from .models import Referral


class Action(StrEnum):
    CREATE = "create_referral"
    LIST = "list_referrals"
    VIEW = "view_referral"
    EDIT_DRAFT = "edit_draft"
    DECIDE = "decide_referral"
    VIEW_COUNTS = "view_referral_counts"


def _organisation(user: User) -> Organisation | None:
    # One query per user object for the organisation, however often it is asked.
    if not user.organisation_id:
        return None
    return user.organisation


def is_first_responder(user: User) -> bool:
    cached: bool | None = user.__dict__.get("_is_first_responder_cache")
    if cached is not None:
        return cached
    result = False
    if Role.FIRST_RESPONDER in user_roles(user):
        org = _organisation(user)
        if org is not None and org.is_active:
            if org.kind in Organisation.FIRST_RESPONDER_KINDS:
                result = True
            elif org.kind == Organisation.Kind.OTHER_SPECIALIST:
                today = timezone.localdate()
                result = any(record.is_valid_on(today) for record in user.training_records.all())
    user.__dict__["_is_first_responder_cache"] = result
    return result


def is_intake_coordinator(user: User) -> bool:
    if Role.COORDINATOR not in user_roles(user):
        return False
    org = _organisation(user)
    return org is not None and org.kind == Organisation.Kind.MANDATED_NGO


def is_national_coordinator(user: User) -> bool:
    return Role.NATIONAL_COORDINATOR in user_roles(user)


def can(user: User, action: str, referral: Referral | None = None) -> bool:
    if not user_roles(user):
        return False
    if action == Action.CREATE:
        return is_first_responder(user)
    if action == Action.LIST:
        return is_first_responder(user) or is_intake_coordinator(user) or is_national_coordinator(user)
    if action == Action.VIEW_COUNTS:
        return is_intake_coordinator(user) or is_national_coordinator(user)
    if referral is None:
        return False
    if action == Action.VIEW:
        if is_first_responder(user) and referral.organisation_id == user.organisation_id:
            return referral.status != Referral.Status.DRAFT or referral.created_by_id == user.pk
        if is_intake_coordinator(user):
            return referral.status == Referral.Status.SUBMITTED or (
                referral.intake_organisation_id is not None
                and referral.intake_organisation_id == user.organisation_id
            )
        return False
    if action == Action.EDIT_DRAFT:
        return (
            referral.status == Referral.Status.DRAFT
            and referral.created_by_id == user.pk
            and referral.organisation_id == user.organisation_id
            and is_first_responder(user)
        )
    if action == Action.DECIDE:
        return (
            is_intake_coordinator(user)
            and referral.status == Referral.Status.SUBMITTED
            and referral.is_identified
        )
    return False


def require(user: User, action: str, referral: Referral | None = None) -> None:
    if not can(user, action, referral):
        raise PermissionDenied


def referral_visibility_filter(user: User) -> Q | None:
    """A filter on Referral for the referrals the user may read in full; None for none."""
    branches: list[Q] = []
    if is_first_responder(user):
        branches.append(
            Q(organisation_id=user.organisation_id)
            & (~Q(status=Referral.Status.DRAFT) | Q(created_by_id=user.pk))
        )
    if is_intake_coordinator(user):
        branches.append(Q(status=Referral.Status.SUBMITTED) | Q(intake_organisation_id=user.organisation_id))
    return any_of(*branches)
