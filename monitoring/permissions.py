"""Who may use the coordinator's tools; built on cases.permissions, the only other place with roles.

- A case's PDF summary: the national coordinator (every case) and an NGO coordinator (the cases
  of their NGO). Nobody else, caseworkers included: for them the summary does not exist (404).
- Monitoring figures and the statistics export: the national coordinator (everything) and an NGO
  coordinator (their NGO's figures).
- Bulk summary exports: the same two roles, over the cases they may see; a file is downloaded
  only by the person who asked for it.
- Who saw what, with every change of a case: the national coordinator only.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Q

from cases import permissions as case_permissions
from cases.models import Case, Role, User


class Action(StrEnum):
    DOWNLOAD_SUMMARY = "download_summary"
    EXPORT_SUMMARIES = "export_summaries"
    VIEW_MONITORING = "view_monitoring"
    VIEW_AUDIT_TRAIL = "view_audit_trail"


def _is_national(user: User) -> bool:
    return case_permissions.has_role(user, Role.NATIONAL_COORDINATOR)


def _is_ngo_coordinator(user: User) -> bool:
    return (
        case_permissions.has_role(user, Role.COORDINATOR)
        and getattr(user, "organisation_id", None) is not None
    )


def can(user: User, action: str, case: Case | None = None) -> bool:
    if action in (Action.VIEW_MONITORING, Action.EXPORT_SUMMARIES):
        return _is_national(user) or _is_ngo_coordinator(user)
    if action == Action.DOWNLOAD_SUMMARY:
        if case is None:
            return False
        if _is_national(user):
            return True
        # A high-risk case opens only to the coordinators named on it (cases.permissions).
        return (
            _is_ngo_coordinator(user)
            and case.organisation_id == user.organisation_id
            and case_permissions.coordinator_opens(user, case)
        )
    if action == Action.VIEW_AUDIT_TRAIL:
        return _is_national(user) and (
            case is None or case_permissions.can(user, case_permissions.Action.VIEW_CASE, case)
        )
    return False


def may_monitor(user: User) -> bool:
    return can(user, Action.VIEW_MONITORING)


def monitoring_case_filter(user: User) -> Q | None:
    """The cases whose figures the user may see: all for the national coordinator, else their NGO's."""
    if _is_national(user):
        return Q()
    if _is_ngo_coordinator(user):
        return Q(organisation_id=user.organisation_id)
    return None


def summary_case_filter(user: User) -> Q | None:
    """The cases whose PDF summaries the user may take: the same scope as the figures."""
    return monitoring_case_filter(user)
