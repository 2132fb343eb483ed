"""Who may do what in stage 3; builds on cases.permissions.

- The mandated NGO (a caseworker assigned to the case, or a coordinator of the NGO: whoever may
  change the case) refers it onward on the person's consent, records its withdrawal, withdraws a
  referral and logs consultations; only a coordinator names another legal basis for sharing.
- Whoever may view the case (the NGO, the national coordinator) reads the NGO-side section;
  the national coordinator changes nothing.
- A partner's users with the role that works that kind of partner (a municipal social worker
  for a municipal social service, an employment officer for the agency) get the narrow view of
  a case while their organisation holds an active referral of it and the case is open. Access is
  scoped by organisation through a relational filter: no per-user permission rows (docs/decisions.md).
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from cases import permissions as case_permissions
from cases.models import Case, Organisation, Role, User
from cases.permissions import Action as CaseAction

from .models import PARTNER_ROLE_BY_KIND, PartnerReferral


class Action(StrEnum):
    VIEW_SECTION = "view_section"  # the NGO-side section of the full case page
    REFER = "refer"
    WITHDRAW = "withdraw"
    NAME_OTHER_BASIS = "name_other_basis"  # share on a basis other than the person's consent
    WITHDRAW_CONSENT = "withdraw_consent"
    NARROW_VIEW = "narrow_view"
    RECORD_MUNICIPAL = "record_municipal"  # needs assessment, assistance
    RECORD_EMPLOYMENT = "record_employment"  # employment measures
    COMPLETE = "complete"  # the partner closes their part
    LOG_CONSULTATION = "log_consultation"
    LIST_PARTNER_CASES = "list_partner_cases"


def _partner_kind(user: User) -> str | None:
    """The partner kind the user works for, when they hold the role that works it."""
    # Roles first: they are cached on the user, so nobody else pays for the organisation read.
    if not case_permissions.has_role(user, *PARTNER_ROLE_BY_KIND.values()):
        return None
    org = user.organisation
    if org is None:
        return None
    role = PARTNER_ROLE_BY_KIND.get(org.kind)
    if role is None or not case_permissions.has_role(user, role):
        return None
    return str(org.kind)


def is_partner_user(user: User) -> bool:
    return _partner_kind(user) is not None


def partner_referral_filter(user: User) -> Q | None:
    """A filter on PartnerReferral for the referrals that open a narrow view to the user."""
    kind = _partner_kind(user)
    if kind is None:
        return None
    return Q(partner_id=user.organisation_id, partner__kind=kind, status=PartnerReferral.Status.ACTIVE) & ~Q(
        case__stage=Case.Stage.CLOSED
    )


def _opens_narrow_view(user: User, referral: PartnerReferral) -> bool:
    kind = _partner_kind(user)
    return (
        kind is not None
        and referral.partner_id == user.organisation_id
        and referral.partner.kind == kind
        and referral.is_active
        and referral.case.is_open
    )


def _ngo_may_change(user: User, case: Case) -> bool:
    return case_permissions.can(user, CaseAction.CHANGE_CASE, case)


def can(
    user: User, action: str, *, case: Case | None = None, referral: PartnerReferral | None = None
) -> bool:
    if action == Action.LIST_PARTNER_CASES:
        return is_partner_user(user)
    if referral is not None:
        case = referral.case
    if case is None:
        return False
    if action == Action.VIEW_SECTION:
        return case_permissions.can(user, CaseAction.VIEW_CASE, case)
    if action == Action.REFER:
        return _ngo_may_change(user, case)
    if action == Action.NAME_OTHER_BASIS:
        # A caseworker records the person's consent; another basis is a coordinator's call.
        return case_permissions.has_role(user, Role.COORDINATOR) and _ngo_may_change(user, case)
    if referral is None:
        return False
    if action == Action.WITHDRAW_CONSENT:
        return referral.rests_on_consent and not referral.consent_withdrawn and _ngo_may_change(user, case)
    if action == Action.WITHDRAW:
        return referral.is_active and _ngo_may_change(user, case)
    if action == Action.NARROW_VIEW:
        return _opens_narrow_view(user, referral)
    if action == Action.RECORD_MUNICIPAL:
        return referral.is_municipal and _opens_narrow_view(user, referral)
    if action == Action.RECORD_EMPLOYMENT:
        return referral.is_employment and _opens_narrow_view(user, referral)
    if action == Action.COMPLETE:
        return _opens_narrow_view(user, referral)
    if action == Action.LOG_CONSULTATION:
        # Both sides of the consultation: the NGO working the case, and the partner referred to.
        return referral.is_active and (_ngo_may_change(user, case) or _opens_narrow_view(user, referral))
    return False


def require(
    user: User, action: str, *, case: Case | None = None, referral: PartnerReferral | None = None
) -> None:
    if not can(user, action, case=case, referral=referral):
        raise PermissionDenied


def partner_kinds() -> tuple[str, ...]:
    return tuple(PARTNER_ROLE_BY_KIND)


def is_partner_organisation(org: Organisation) -> bool:
    return org.kind in PARTNER_ROLE_BY_KIND and org.is_active
