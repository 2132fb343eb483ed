"""Who may do what with the privacy of a case; built on cases.permissions (roles live there).

- Legal holds and erasure requests: an NGO coordinator of the case's NGO (the national
  coordinator changes no case); an erasure is decided by a coordinator other than the proposer.
- A subject-access export: an NGO coordinator (the cases of their NGO) and the national
  coordinator (every case).
- The record of processing: the national coordinator.
- The privacy section of the case page: whoever may export or place holds, read-only for the
  national coordinator.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied

from cases import permissions as case_permissions
from cases.models import Case, Role, User


class Action(StrEnum):
    VIEW = "view_privacy"
    MANAGE = "manage_privacy"  # holds and erasure requests
    EXPORT_SUBJECT_ACCESS = "export_subject_access"
    VIEW_PROCESSING = "view_processing"


def _national(user: User) -> bool:
    return case_permissions.has_role(user, Role.NATIONAL_COORDINATOR)


def _coordinator_of(user: User, case: Case) -> bool:
    return case_permissions.has_role(user, Role.COORDINATOR) and case.organisation_id == getattr(
        user, "organisation_id", None
    )


def can(user: User, action: str, case: Case | None = None) -> bool:
    if action == Action.VIEW_PROCESSING:
        return _national(user)
    if case is None:
        return False
    if action == Action.MANAGE:
        return _coordinator_of(user, case)
    if action in (Action.VIEW, Action.EXPORT_SUBJECT_ACCESS):
        return _coordinator_of(user, case) or _national(user)
    return False


def require(user: User, action: str, case: Case | None = None) -> None:
    if not can(user, action, case):
        raise PermissionDenied
