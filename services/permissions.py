"""Who may do what in stage 2; built on cases.permissions, the only other place that knows roles.

- Reading (identification documents, assistance, proceedings, reflection period, permit): whoever
  may see the case (assigned caseworker, the NGO's coordinators, the national coordinator).
- Writing and proposing: whoever may change the case (assigned caseworker, the NGO's coordinator;
  never the national coordinator, never a closed case).
- Approving or returning an identification: an NGO coordinator of the case's NGO who did not
  propose it (the second pair of eyes, docs/decisions.md). A user holding both roles is still the
  proposer of their own proposal.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from cases import permissions as case_permissions
from cases.models import Case, Role, User
from cases.permissions import Action as CaseAction

if TYPE_CHECKING:
    from .models import Identification


class Action(StrEnum):
    VIEW = "view_services"
    PROPOSE_IDENTIFICATION = "propose_identification"
    DECIDE_IDENTIFICATION = "decide_identification"
    RECORD = "record_services"


def can(user: User, action: str, case: Case, *, identification: Identification | None = None) -> bool:
    if action == Action.VIEW:
        return case_permissions.can(user, CaseAction.VIEW_CASE, case)
    if action in (Action.RECORD, Action.PROPOSE_IDENTIFICATION):
        return case_permissions.can(user, CaseAction.CHANGE_CASE, case) and case_permissions.has_role(
            user, Role.CASEWORKER, Role.COORDINATOR
        )
    if action == Action.DECIDE_IDENTIFICATION:
        if not (
            case.is_open
            and case_permissions.has_role(user, Role.COORDINATOR)
            and user.organisation_id is not None
            and user.organisation_id == case.organisation_id
        ):
            return False
        # Four eyes: never the person who proposed it.
        return identification is None or identification.proposed_by_id != user.pk
    return False


def is_proposer(user: User, identification: Identification | None) -> bool:
    return identification is not None and identification.proposed_by_id == user.pk


def require(user: User, action: str, case: Case, *, identification: Identification | None = None) -> None:
    if not can(user, action, case, identification=identification):
        raise PermissionDenied
