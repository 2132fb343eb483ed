"""The one place that knows roles, guardian and who may do what with a case.

Rules (../shared/DOMAIN.md, "Who sees what"):
- a caseworker sees and works the cases they hold guardian object permissions on (granted and
  revoked by assignment);
- an NGO coordinator sees and works every case of their mandated NGO;
- the national coordinator reads every case and changes none;
- first responders, partners and the system administrator see no case through this module
  (partners get a narrow view from the reintegration capability).
Superusers get nothing for being superusers: guardian's superuser shortcut is never used.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from guardian.shortcuts import get_group_perms, get_user_perms

from .models import Case, CaseGroupObjectPermission, CaseUserObjectPermission, Organisation, Role
from .queries import any_of

# Guardian codenames granted to an assigned caseworker.
CASEWORKER_PERMS = ("view_case", "change_case")


class Action(StrEnum):
    LIST_CASES = "list_cases"
    VIEW_CASE = "view_case"
    CHANGE_CASE = "change_case"
    ASSIGN_CASEWORKER = "assign_caseworker"
    CLOSE_CASE = "close_case"
    VIEW_ACCESS_LOG = "view_access_log"
    ADMINISTER_USERS = "administer_users"


def user_roles(user) -> frozenset[str]:
    """The roles of a user, read once per user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_roles_cache", None)
    if cached is None:
        cached = frozenset(user.role_grants.values_list("role", flat=True))
        user._roles_cache = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def _in_mandated_ngo(user, case: Case | None = None) -> bool:
    org_id = getattr(user, "organisation_id", None)
    if org_id is None:
        return False
    if case is not None:
        return case.organisation_id == org_id
    return True


def _guardian_codenames(user, case: Case) -> set[str]:
    # get_user_perms / get_group_perms read the direct-FK tables and ignore is_superuser.
    perms = set(get_user_perms(user, case)) | set(get_group_perms(user, case))
    return perms


def can(user, action: str, case: Case | None = None) -> bool:
    roles = user_roles(user)
    if not roles:
        return False
    if action == Action.ADMINISTER_USERS:
        return Role.SYSTEM_ADMINISTRATOR in roles
    if action == Action.LIST_CASES:
        return bool(roles & {Role.CASEWORKER, Role.COORDINATOR, Role.NATIONAL_COORDINATOR})
    if case is None:
        return False

    if action == Action.VIEW_CASE:
        if Role.NATIONAL_COORDINATOR in roles:
            return True
        if Role.COORDINATOR in roles and _in_mandated_ngo(user, case):
            return True
        if Role.CASEWORKER in roles and _in_mandated_ngo(user, case):
            return "view_case" in _guardian_codenames(user, case)
        return False
    if action == Action.CHANGE_CASE:
        if not case.is_open:
            return False
        if Role.COORDINATOR in roles and _in_mandated_ngo(user, case):
            return True
        if Role.CASEWORKER in roles and _in_mandated_ngo(user, case):
            return "change_case" in _guardian_codenames(user, case)
        return False
    if action in (Action.ASSIGN_CASEWORKER, Action.CLOSE_CASE):
        return case.is_open and Role.COORDINATOR in roles and _in_mandated_ngo(user, case)
    if action == Action.VIEW_ACCESS_LOG:
        if Role.NATIONAL_COORDINATOR in roles:
            return True
        return Role.COORDINATOR in roles and _in_mandated_ngo(user, case)
    return False


def require(user, action: str, case: Case | None = None) -> None:
    if not can(user, action, case):
        raise PermissionDenied


def case_visibility_filter(user) -> Q | None:
    """A filter on Case for the cases the user may see; None when they may see none.

    Hand-written rather than guardian's get_objects_for_user: an Exists per branch over the
    direct-FK tables stays fast at a million cases (PITFALLS.md).
    """
    roles = user_roles(user)
    if Role.NATIONAL_COORDINATOR in roles:
        return Q()
    branches: list[Q] = []
    if Role.COORDINATOR in roles and user.organisation_id:
        branches.append(Q(organisation_id=user.organisation_id))
    if Role.CASEWORKER in roles and user.organisation_id:
        by_user = CaseUserObjectPermission.objects.filter(
            user_id=user.pk,
            content_object_id=OuterRef("pk"),
            permission__codename="view_case",
        )
        by_group = CaseGroupObjectPermission.objects.filter(
            group__user=user.pk,
            content_object_id=OuterRef("pk"),
            permission__codename="view_case",
        )
        branches.append(Q(organisation_id=user.organisation_id) & (Exists(by_user) | Exists(by_group)))
    return any_of(*branches)


def assignable_caseworker(user, case: Case) -> bool:
    """A caseworker of the case's own mandated NGO, active."""
    return (
        user.is_active
        and user.organisation_id == case.organisation_id
        and Role.CASEWORKER in user_roles(user)
        and user.organisation.kind == Organisation.Kind.MANDATED_NGO
    )
