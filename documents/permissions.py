"""Who may do what with a case's documents; builds on cases.permissions.

- Whoever may see the case file sees and downloads its documents (the assigned caseworkers, the
  NGO's coordinators who open it, the national coordinator); nobody else, the system
  administrator included.
- Whoever may change the case attaches, replaces, removes and shares them, and prints the
  papers for the victim.
- A partner (a municipal social worker, an employment officer) downloads only a document shared
  with an active onward referral to their organisation (documents.selectors decides which).
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied

from cases import permissions as case_permissions
from cases.models import Case, User
from cases.permissions import Action as CaseAction


class Action(StrEnum):
    VIEW = "view"
    ATTACH = "attach"
    CHANGE = "change"  # replace, remove
    SHARE = "share"
    PRINT_PAPERS = "print_papers"


def can(user: User, action: str, case: Case) -> bool:
    if action == Action.VIEW:
        return case_permissions.can(user, CaseAction.VIEW_CASE, case)
    if action in (Action.ATTACH, Action.CHANGE, Action.SHARE, Action.PRINT_PAPERS):
        return case_permissions.can(user, CaseAction.CHANGE_CASE, case)
    return False


def require(user: User, action: str, case: Case) -> None:
    if not can(user, action, case):
        raise PermissionDenied
