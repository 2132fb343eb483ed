"""The role x action matrix for stage 3, and the relational filter that opens the narrow view."""

import pytest

from reintegration import permissions, selectors, services
from reintegration.permissions import Action
from tests.reintegration.conftest import referral_for

pytestmark = pytest.mark.django_db

ACTIONS = [
    Action.VIEW_SECTION,
    Action.REFER,
    Action.WITHDRAW,
    Action.NARROW_VIEW,
    Action.RECORD_MUNICIPAL,
    Action.RECORD_EMPLOYMENT,
    Action.COMPLETE,
    Action.LOG_CONSULTATION,
]

# On a case assigned to caseworker, referred to Rīga (municipal) and the agency (employment):
# what each role may do with the Rīga referral and with the agency's.
EXPECTED_RIGA = {
    "caseworker": {Action.VIEW_SECTION, Action.REFER, Action.WITHDRAW, Action.LOG_CONSULTATION},
    "caseworker2": set(),
    "coordinator": {Action.VIEW_SECTION, Action.REFER, Action.WITHDRAW, Action.LOG_CONSULTATION},
    "other_ngo_worker": set(),
    "police": set(),
    "border": set(),
    "municipality": {Action.NARROW_VIEW, Action.RECORD_MUNICIPAL, Action.COMPLETE, Action.LOG_CONSULTATION},
    "employment": set(),
    "national": {Action.VIEW_SECTION},
    "admin": set(),
}
EXPECTED_NVA = {
    **EXPECTED_RIGA,
    "municipality": set(),
    "employment": {Action.NARROW_VIEW, Action.RECORD_EMPLOYMENT, Action.COMPLETE, Action.LOG_CONSULTATION},
}


@pytest.mark.parametrize("role", sorted(EXPECTED_RIGA))
def test_role_action_matrix(all_role_users, case_of_caseworker, caseworker, riga, nva, role):
    user = all_role_users[role]
    riga_ref = referral_for(case_of_caseworker, riga, caseworker)
    nva_ref = referral_for(case_of_caseworker, nva, caseworker)
    for referral, expected in ((riga_ref, EXPECTED_RIGA[role]), (nva_ref, EXPECTED_NVA[role])):
        granted = {a for a in ACTIONS if permissions.can(user, a, referral=referral)}
        assert granted == expected, (role, referral.partner.kind)
    assert permissions.can(user, Action.LIST_PARTNER_CASES) == (role in ("municipality", "employment"))


def test_partner_without_the_role_or_of_another_municipality_gets_nothing(
    case_of_caseworker, caseworker, riga, riga_first_responder, jelgava_worker
):
    referral = referral_for(case_of_caseworker, riga, caseworker)
    for user in (riga_first_responder, jelgava_worker):
        assert not any(permissions.can(user, a, referral=referral) for a in ACTIONS)
        assert selectors.partner_referral_list_for_user(user=user).count() == 0


def test_withdrawing_or_closing_takes_the_narrow_view_away(
    case_of_caseworker, caseworker, coordinator, municipality, riga
):
    referral = referral_for(case_of_caseworker, riga, caseworker)
    assert permissions.can(municipality, Action.NARROW_VIEW, referral=referral)
    services.referral_withdraw(referral=referral, actor=caseworker, reason="Not needed")
    referral.refresh_from_db()
    assert not permissions.can(municipality, Action.NARROW_VIEW, referral=referral)
    assert list(selectors.partner_referral_list_for_user(user=municipality)) == []

    again = referral_for(case_of_caseworker, riga, caseworker)
    assert list(selectors.partner_referral_list_for_user(user=municipality)) == [again]
    from cases import services as case_services

    case_services.case_close(case=case_of_caseworker, actor=coordinator, reason="Done")
    again.refresh_from_db()
    assert not permissions.can(municipality, Action.NARROW_VIEW, referral=again)
    assert list(selectors.partner_referral_list_for_user(user=municipality)) == []


def test_completing_ends_the_partners_access(case_of_caseworker, caseworker, municipality, riga):
    referral = referral_for(case_of_caseworker, riga, caseworker)
    services.referral_complete(
        referral=referral, actor=municipality, outcome="Assistance granted for 3 months"
    )
    referral.refresh_from_db()
    assert not permissions.can(municipality, Action.NARROW_VIEW, referral=referral)
