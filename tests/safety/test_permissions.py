"""The rules on a high-risk case, role by role (cases.permissions decides; safety keeps the grants)."""

import pytest

from cases import permissions as case_permissions
from cases.models import RiskLevel
from cases.permissions import Action
from safety import permissions, services
from safety.permissions import Action as SafetyAction

from .conftest import assess

pytestmark = pytest.mark.django_db

# who -> (opens the case file, sees the contact)
HIGH_RISK = {
    "caseworker": (True, True),  # assigned
    "caseworker2": (False, False),  # not assigned
    "coordinator": (True, True),  # assigned the caseworker: named on the case
    "coordinator2": (False, False),  # another coordinator of the NGO: only by emergency access
    "other_ngo_worker": (False, False),
    "national": (True, False),
    "municipality": (False, False),
    "employment": (False, False),
    "police": (False, False),
    "admin": (False, False),
}


@pytest.fixture
def users(all_role_users, coordinator2):
    return {**all_role_users, "coordinator2": coordinator2}


@pytest.mark.parametrize("who", sorted(HIGH_RISK))
def test_high_risk_matrix(high_risk_case, users, who):
    user = users[who]
    opens, sees_contact = HIGH_RISK[who]
    assert case_permissions.can(user, Action.VIEW_CASE, high_risk_case) is opens
    assert case_permissions.contact_visible(user, high_risk_case) is sees_contact
    assert permissions.can(user, SafetyAction.VIEW_PLAN_DETAILS, high_risk_case) is (opens and sees_contact)
    assert permissions.can(user, SafetyAction.EMERGENCY_ACCESS, high_risk_case) is (who == "coordinator2")


@pytest.mark.parametrize("level", [RiskLevel.LOW, RiskLevel.MEDIUM])
def test_below_high_risk_nothing_is_withheld(case_of_caseworker, caseworker, users, level):
    assess(case_of_caseworker, caseworker, level=level)
    case_of_caseworker.refresh_from_db()
    for who in ("caseworker", "coordinator", "coordinator2", "national", "municipality"):
        assert case_permissions.contact_visible(users[who], case_of_caseworker)
    assert case_permissions.can(users["coordinator2"], Action.VIEW_CASE, case_of_caseworker)
    assert not permissions.can(users["coordinator2"], SafetyAction.EMERGENCY_ACCESS, case_of_caseworker)


def test_an_unassigned_high_risk_case_opens_to_every_coordinator(
    mandated_ngo, caseworker, coordinator, coordinator2
):
    from tests.factories import make_case

    case = make_case(organisation=mandated_ngo)
    assess(case, coordinator)
    case.refresh_from_db()
    for user in (coordinator, coordinator2):
        assert case_permissions.can(user, Action.ASSIGN_CASEWORKER, case)
        assert case_permissions.contact_visible(user, case)


def test_a_disclosure_opens_the_contact_to_that_partner_only(
    high_risk_case, caseworker, municipality, employment
):
    services.contact_disclose(
        case=high_risk_case, actor=caseworker, organisation=municipality.organisation, reason="Home visit"
    )
    assert case_permissions.contact_visible(municipality, high_risk_case)
    assert not case_permissions.contact_visible(employment, high_risk_case)


def test_a_restricted_coordinator_may_not_change_close_or_download(high_risk_case, coordinator2):
    from monitoring import permissions as monitoring_permissions

    for action in (Action.CHANGE_CASE, Action.ASSIGN_CASEWORKER, Action.CLOSE_CASE, Action.VIEW_ACCESS_LOG):
        assert not case_permissions.can(coordinator2, action, high_risk_case)
    assert not monitoring_permissions.can(
        coordinator2, monitoring_permissions.Action.DOWNLOAD_SUMMARY, high_risk_case
    )
