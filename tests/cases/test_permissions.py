"""The role x action matrix of cases/permissions.py."""

import pytest

from cases import permissions
from cases.permissions import Action

pytestmark = pytest.mark.django_db

ACTIONS = [
    Action.VIEW_CASE,
    Action.CHANGE_CASE,
    Action.ASSIGN_CASEWORKER,
    Action.CLOSE_CASE,
    Action.VIEW_ACCESS_LOG,
]

# For the case assigned to `caseworker` in the mandated NGO: who may do what.
EXPECTED = {
    "caseworker": {Action.VIEW_CASE, Action.CHANGE_CASE},
    "caseworker2": set(),
    "coordinator": {
        Action.VIEW_CASE,
        Action.CHANGE_CASE,
        Action.ASSIGN_CASEWORKER,
        Action.CLOSE_CASE,
        Action.VIEW_ACCESS_LOG,
    },
    "other_ngo_worker": set(),
    "police": set(),
    "border": set(),
    "municipality": set(),
    "employment": set(),
    "national": {Action.VIEW_CASE, Action.VIEW_ACCESS_LOG},
    "admin": set(),
}


def test_role_action_matrix(all_role_users, case_of_caseworker):
    seen = {}
    for name, user in all_role_users.items():
        seen[name] = {action for action in ACTIONS if permissions.can(user, action, case_of_caseworker)}
    assert seen == EXPECTED


def test_list_cases_only_for_case_roles(all_role_users):
    allowed = {name for name, user in all_role_users.items() if permissions.can(user, Action.LIST_CASES)}
    assert allowed == {"caseworker", "caseworker2", "coordinator", "other_ngo_worker", "national"}


def test_administer_users_only_for_admin(all_role_users):
    allowed = {
        name for name, user in all_role_users.items() if permissions.can(user, Action.ADMINISTER_USERS)
    }
    assert allowed == {"admin"}


def test_superuser_gets_nothing_for_being_superuser(case_of_caseworker, sysadmin):
    sysadmin.is_superuser = True
    sysadmin.save()
    assert not permissions.can(sysadmin, Action.VIEW_CASE, case_of_caseworker)
    assert permissions.case_visibility_filter(sysadmin) is None


def test_closed_case_changes_for_nobody(case_of_caseworker, caseworker, coordinator, national):
    from cases import services

    services.case_close(case=case_of_caseworker, actor=coordinator, reason="Done")
    case_of_caseworker.refresh_from_db()
    for user in (caseworker, coordinator, national):
        assert not permissions.can(user, Action.CHANGE_CASE, case_of_caseworker)
    assert permissions.can(coordinator, Action.VIEW_CASE, case_of_caseworker)
    assert permissions.can(national, Action.VIEW_CASE, case_of_caseworker)
    # Closing ended the assignment, so the caseworker's object permission is gone too.
    assert not permissions.can(caseworker, Action.VIEW_CASE, case_of_caseworker)


def test_inactive_user_has_no_roles(caseworker, case_of_caseworker):
    caseworker.is_active = False
    assert permissions.user_roles(caseworker) == frozenset()
    assert not permissions.can(caseworker, Action.VIEW_CASE, case_of_caseworker)
