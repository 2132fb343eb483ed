"""Who may do what with the course, consultations, court support and alerts; built on
cases.permissions, the only other place that knows roles (docs/decisions.md, "Who sees what").

- Reading the course, consultations, court support and the entitlements: whoever may see the case
  (the assigned caseworker, the NGO's coordinators, the national coordinator).
- Reading the free-text notes of consultations: the assigned caseworker and the NGO's coordinators;
  never the national coordinator (docs/decisions.md: "consultation notes: no"), never a partner.
- Recording anything, and acknowledging alerts: whoever may change the case and is a caseworker or
  coordinator (never the national coordinator, never on a closed case).
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied

from cases import permissions as case_permissions
from cases.models import Case, Role, User
from cases.permissions import Action as CaseAction


class Action(StrEnum):
    VIEW = "view_rehabilitation"
    VIEW_NOTES = "view_consultation_notes"
    RECORD = "record_rehabilitation"
    ACKNOWLEDGE_ALERT = "acknowledge_alert"


def can(user: User, action: str, case: Case) -> bool:
    if action == Action.VIEW:
        return case_permissions.can(user, CaseAction.VIEW_CASE, case)
    if action == Action.VIEW_NOTES:
        return (
            case_permissions.has_role(user, Role.CASEWORKER, Role.COORDINATOR)
            and getattr(user, "organisation_id", None) == case.organisation_id
            and case_permissions.can(user, CaseAction.VIEW_CASE, case)
        )
    if action in (Action.RECORD, Action.ACKNOWLEDGE_ALERT):
        return case_permissions.has_role(user, Role.CASEWORKER, Role.COORDINATOR) and case_permissions.can(
            user, CaseAction.CHANGE_CASE, case
        )
    return False


def require(user: User, action: str, case: Case) -> None:
    if not can(user, action, case):
        raise PermissionDenied
