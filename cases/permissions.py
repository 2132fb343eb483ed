"""The one place that knows roles, guardian and who may do what with a case.

Rules (docs/decisions.md, "Who sees what"):
- a caseworker sees and works the cases they hold guardian object permissions on (granted and
  revoked by assignment);
- an NGO coordinator sees and works every case of their mandated NGO;
- the national coordinator reads every case and changes none;
- first responders, partners and the system administrator see no case through this module
  (partners get a narrow view from the reintegration capability).
Superusers get nothing for being superusers: guardian's superuser shortcut is never used.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet, Subquery
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from .models import (
    Case,
    CaseAssignment,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    Organisation,
    RiskLevel,
    Role,
    User,
)

# Guardian codenames granted to an assigned caseworker.
CASEWORKER_PERMS = ("view_case", "change_case")


class Action(StrEnum):
    LIST_CASES = "list_cases"
    VIEW_CASE = "view_case"
    CHANGE_CASE = "change_case"
    ASSIGN_CASEWORKER = "assign_caseworker"
    CLOSE_CASE = "close_case"
    MOVE_STAGE = "move_stage"
    REOPEN_CASE = "reopen_case"
    TRANSFER_CASE = "transfer_case"
    VIEW_ACCESS_LOG = "view_access_log"
    ADMINISTER_USERS = "administer_users"


def user_roles(user: User | AnonymousUser) -> frozenset[str]:
    """The roles of a user, read once per user object."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached: frozenset[str] | None = user.__dict__.get("_roles_cache")
    if cached is None:
        # A grant awaiting a second person's approval counts for nothing yet.
        cached = frozenset(user.role_grants.filter(pending=False).values_list("role", flat=True))
        user.__dict__["_roles_cache"] = cached
    return cached


def has_role(user: User | AnonymousUser, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def _in_mandated_ngo(user: User, case: Case | None = None) -> bool:
    org_id = user.organisation_id
    if org_id is None:
        return False
    if case is not None:
        return case.organisation_id == org_id
    return True


# The user's guardian codenames per case, kept for one request (PermissionCacheMiddleware):
# a page asks "may they view / change / see the contact" several times for the same case.
_request_cache: ContextVar[dict[tuple[Any, Any], set[str]] | None] = ContextVar(
    "case_permission_cache", default=None
)


class PermissionCacheMiddleware:
    """Opens the per-request cache of case permissions; outside a request nothing is cached."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = _request_cache.set({})
        try:
            return self.get_response(request)
        finally:
            _request_cache.reset(token)


def forget_cached_permissions() -> None:
    """Called by the services that grant or revoke object permissions."""
    cache = _request_cache.get()
    if cache is not None:
        cache.clear()


def _guardian_codenames(user: User, case: Case) -> set[str]:
    """The codenames the user holds on the case, directly or through a group, in one query.

    Read from the direct-FK tables; is_superuser counts for nothing (guardian's shortcut unused).
    """
    cache = _request_cache.get()
    key = (user.pk, case.pk)
    if cache is not None and key in cache:
        return cache[key]
    by_user = CaseUserObjectPermission.objects.filter(user_id=user.pk, content_object_id=case.pk).values_list(
        "permission__codename", flat=True
    )
    by_group = CaseGroupObjectPermission.objects.filter(
        group__user=user.pk, content_object_id=case.pk
    ).values_list("permission__codename", flat=True)
    codenames: set[str] = set(by_user.union(by_group))
    if cache is not None:
        cache[key] = codenames
    return codenames


def can(user: User, action: str, case: Case | None = None) -> bool:
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
        if Role.COORDINATOR in roles and _in_mandated_ngo(user, case) and coordinator_opens(user, case):
            return True
        if Role.CASEWORKER in roles and _in_mandated_ngo(user, case):
            return "view_case" in _guardian_codenames(user, case)
        return False
    if action == Action.CHANGE_CASE:
        if not case.is_open:
            return False
        if Role.COORDINATOR in roles and _in_mandated_ngo(user, case) and coordinator_opens(user, case):
            return True
        if Role.CASEWORKER in roles and _in_mandated_ngo(user, case):
            return "change_case" in _guardian_codenames(user, case)
        return False
    if action == Action.REOPEN_CASE:
        return (
            not case.is_open
            and Role.COORDINATOR in roles
            and _in_mandated_ngo(user, case)
            and coordinator_opens(user, case)
        )
    if action in (Action.ASSIGN_CASEWORKER, Action.CLOSE_CASE, Action.MOVE_STAGE, Action.TRANSFER_CASE):
        return (
            case.is_open
            and Role.COORDINATOR in roles
            and _in_mandated_ngo(user, case)
            and coordinator_opens(user, case)
        )
    if action == Action.VIEW_ACCESS_LOG:
        if Role.NATIONAL_COORDINATOR in roles:
            return True
        return Role.COORDINATOR in roles and _in_mandated_ngo(user, case) and coordinator_opens(user, case)
    return False


def require(user: User, action: str, case: Case | None = None) -> None:
    if not can(user, action, case):
        raise PermissionDenied


def visible_case_ids(user: User) -> QuerySet[Any, dict[str, Any]]:
    """The ids of the cases the user holds view_case on, directly or through a group.

    A union of the two permission tables: PostgreSQL starts from the user's few hundred rows
    (index on user, permission, case) instead of testing every case of the NGO
    (docs/performance.md)."""
    # The permission's id as a scalar subquery, found once per statement, so that both halves
    # read their index on (user or group, permission, case) instead of joining the permission and
    # its content type to each of the user's rows (docs/performance.md).
    view_case = Permission.objects.filter(
        codename="view_case", content_type__app_label="cases", content_type__model="case"
    ).values("pk")[:1]
    by_user = CaseUserObjectPermission.objects.filter(
        user_id=user.pk, permission_id=Subquery(view_case)
    ).values("content_object_id")
    by_group = CaseGroupObjectPermission.objects.filter(
        group__user=user.pk, permission_id=Subquery(view_case)
    ).values("content_object_id")
    return by_user.union(by_group)


def case_visibility_filter(user: User) -> Q | None:
    """A filter on Case for the cases the user may see; None when they may see none.

    Hand-written rather than guardian's get_objects_for_user: a coordinator's NGO is a plain
    filter (it covers the cases they would also hold as a caseworker); a caseworker's cases start
    from their permission rows (docs/performance.md).
    """
    roles = user_roles(user)
    if Role.NATIONAL_COORDINATOR in roles:
        return Q()
    if not user.organisation_id:
        return None
    if Role.COORDINATOR in roles:
        return Q(organisation_id=user.organisation_id)
    if Role.CASEWORKER in roles:
        return Q(organisation_id=user.organisation_id, pk__in=visible_case_ids(user))
    return None


def is_coordinator_of(user: User, organisation_id: int | None) -> bool:
    """An NGO coordinator of that mandated NGO (the receiving side of a transfer)."""
    return (
        organisation_id is not None
        and Role.COORDINATOR in user_roles(user)
        and getattr(user, "organisation_id", None) == organisation_id
    )


def assignable_caseworker(user: User, case: Case) -> bool:
    """A caseworker of the case's own mandated NGO, active."""
    return (
        user.is_active
        and user.organisation_id == case.organisation_id
        and Role.CASEWORKER in user_roles(user)
        and user.organisation is not None
        and user.organisation.kind == Organisation.Kind.MANDATED_NGO
    )


# --- high-risk cases: who opens them, who sees the contact details ----------------------------
#
# The risk level is kept on the case by the safety capability (a floor higher), which also keeps
# the two kinds of grant below; it registers how to look them up, so that this module stays the
# one place that decides and imports no stage app.

GrantCheck = Callable[[User, Case], bool]
_grant_checks: dict[str, GrantCheck] = {}


def register_grant_check(*, kind: str, check: GrantCheck) -> None:
    """kind "emergency": check(user, case) -> True while the user holds an unexpired emergency
    access to the case; kind "contact": check(user, case) -> True when the contact details were
    disclosed to the user's organisation (a partner)."""
    _grant_checks[kind] = check


def _granted(kind: str, user: User, case: Case) -> bool:
    check = _grant_checks.get(kind)
    return check is not None and bool(check(user, case))


def is_high_risk(case: Case) -> bool:
    return case.risk_level == RiskLevel.HIGH


def _active_assignments(case: Case) -> list[CaseAssignment]:
    prefetched = getattr(case, "active_assignments", None)
    if prefetched is not None:
        return list(prefetched)
    return list(case.assignments.filter(ended_at__isnull=True))


def coordinator_named_on(user: User, case: Case) -> bool:
    """The coordinators named on a case are those who assigned its current caseworkers; while
    nobody is assigned, every coordinator of the NGO is (somebody has to assign it)."""
    assignments = _active_assignments(case)
    return not assignments or any(a.assigned_by_id == user.pk for a in assignments)


def coordinator_opens(user: User, case: Case) -> bool:
    """A coordinator of the case's NGO opens every case of it, except a high-risk one: that is
    restricted to the coordinators named on it, and to a coordinator in an emergency access."""
    if not is_high_risk(case):
        return True
    return coordinator_named_on(user, case) or _granted("emergency", user, case)


def may_request_emergency_access(user: User, case: Case) -> bool:
    """A coordinator of the NGO whom the restriction of a high-risk, open case keeps out."""
    return (
        case.is_open
        and is_high_risk(case)
        and Role.COORDINATOR in user_roles(user)
        and _in_mandated_ngo(user, case)
        and not coordinator_named_on(user, case)
        and not _granted("emergency", user, case)
    )


def contact_visible(user: User, case: Case) -> bool:
    """May the user see the person's phone, e-mail and address on this case?

    The one rule every page, the API and the PDF apply. A case that is not high risk: whoever
    reached a page showing contact details sees them. A high-risk case: the assigned caseworkers
    and the coordinators who may open the case (named on it, or in an emergency access); a
    partner only when the NGO disclosed them to the partner's organisation with a reason. The
    national coordinator and everyone else see that they are withheld, and why.
    """
    if not is_high_risk(case):
        return True
    roles = user_roles(user)
    if not roles or not _in_mandated_ngo(user, case):
        return bool(roles) and _granted("contact", user, case)
    if Role.COORDINATOR in roles and coordinator_opens(user, case):
        return True
    if Role.CASEWORKER in roles:
        return "view_case" in _guardian_codenames(user, case)
    return False
