"""Role x action matrix for services/permissions.py."""

import pytest

from services import permissions, services
from services.permissions import Action

from .factories import DOCUMENTS

pytestmark = pytest.mark.django_db

# For caseworker's case with a proposal made by caseworker: view, record/propose, decide.
MATRIX = {
    "caseworker": (True, True, False),
    "caseworker2": (False, False, False),
    "coordinator": (True, True, True),
    "other_ngo_worker": (False, False, False),
    "police": (False, False, False),
    "border": (False, False, False),
    "municipality": (False, False, False),
    "employment": (False, False, False),
    "national": (True, False, False),
    "admin": (False, False, False),
}


@pytest.mark.parametrize("role", sorted(MATRIX))
def test_role_action_matrix(role, all_role_users, case_of_caseworker):
    proposal = services.identification_propose(
        case=case_of_caseworker,
        actor=all_role_users["caseworker"],
        ground="criminal_procedure_decision",
        **DOCUMENTS["criminal_procedure_decision"],
    )
    user = all_role_users[role]
    view, record, decide = MATRIX[role]
    assert permissions.can(user, Action.VIEW, case_of_caseworker) is view
    assert permissions.can(user, Action.RECORD, case_of_caseworker) is record
    assert permissions.can(user, Action.PROPOSE_IDENTIFICATION, case_of_caseworker) is record
    assert (
        permissions.can(user, Action.DECIDE_IDENTIFICATION, case_of_caseworker, identification=proposal)
        is decide
    )


def test_nobody_decides_their_own_proposal_and_nothing_is_written_on_a_closed_case(
    coordinator, case_of_caseworker
):
    from cases import services as case_services

    proposal = services.identification_propose(
        case=case_of_caseworker,
        actor=coordinator,
        ground="criminal_procedure_decision",
        **DOCUMENTS["criminal_procedure_decision"],
    )
    assert not permissions.can(
        coordinator, Action.DECIDE_IDENTIFICATION, case_of_caseworker, identification=proposal
    )
    case = case_services.case_close(case=case_of_caseworker, actor=coordinator, reason="Moved abroad.")
    for action in (Action.RECORD, Action.PROPOSE_IDENTIFICATION, Action.DECIDE_IDENTIFICATION):
        assert not permissions.can(coordinator, action, case)
    assert permissions.can(coordinator, Action.VIEW, case)
