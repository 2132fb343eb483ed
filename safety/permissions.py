"""Who may do what with a case's safety; builds on cases.permissions, where the rules on a
high-risk case (who opens it, who sees its contact details) are decided for every app.

- Whoever may view the case reads its safety section (risk assessments, the plan); the plan's
  measures (a safe address, a code word) are shown only to whoever may see the contact details.
- Whoever may change the case (the assigned caseworkers, the NGO's coordinators who open it)
  assesses the risk, keeps the plan and writes the safe-contact instructions.
- Disclosing a high-risk case's contact to a partner: whoever may change the case and sees it.
- Emergency access: a coordinator of the NGO whom a high-risk case's restriction keeps out.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied

from cases import permissions as case_permissions
from cases.models import Case, User
from cases.permissions import Action as CaseAction


class Action(StrEnum):
    VIEW_SECTION = "view_section"
    VIEW_PLAN_DETAILS = "view_plan_details"
    ASSESS = "assess"
    PLAN = "plan"
    SET_INSTRUCTIONS = "set_instructions"
    DISCLOSE_CONTACT = "disclose_contact"
    EMERGENCY_ACCESS = "emergency_access"


def can(user: User, action: str, case: Case) -> bool:
    if action == Action.VIEW_SECTION:
        return case_permissions.can(user, CaseAction.VIEW_CASE, case)
    if action == Action.VIEW_PLAN_DETAILS:
        return case_permissions.can(user, CaseAction.VIEW_CASE, case) and case_permissions.contact_visible(
            user, case
        )
    if action in (Action.ASSESS, Action.PLAN, Action.SET_INSTRUCTIONS):
        return case_permissions.can(user, CaseAction.CHANGE_CASE, case)
    if action == Action.DISCLOSE_CONTACT:
        return (
            case_permissions.is_high_risk(case)
            and case_permissions.can(user, CaseAction.CHANGE_CASE, case)
            and case_permissions.contact_visible(user, case)
        )
    if action == Action.EMERGENCY_ACCESS:
        return case_permissions.may_request_emergency_access(user, case)
    return False


def require(user: User, action: str, case: Case) -> None:
    if not can(user, action, case):
        raise PermissionDenied
