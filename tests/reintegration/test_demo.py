"""The demo: cases in reintegration with both partners, and one referred to another municipality."""

import pytest

from cases.demo import load_demo
from cases.models import User
from reintegration import selectors
from reintegration.models import (
    AssessedNeed,
    Assistance,
    EmploymentMeasure,
    PartnerConsultation,
    PartnerReferral,
)

pytestmark = pytest.mark.django_db


def test_demo_refers_reintegration_cases_to_both_partners_once():
    state = load_demo(password="demo-password-for-tests")
    counts = [
        m.objects.count()
        for m in (PartnerReferral, AssessedNeed, Assistance, EmploymentMeasure, PartnerConsultation)
    ]
    load_demo(password="demo-password-for-tests")
    assert [
        m.objects.count()
        for m in (PartnerReferral, AssessedNeed, Assistance, EmploymentMeasure, PartnerConsultation)
    ] == counts
    assert all(counts)
    roberts, ahmed, aija = (state["cases"][k] for k in ("roberts", "ahmed", "aija"))
    for case in (roberts, ahmed):
        assert {r.partner.kind for r in case.partner_referrals.all()} == {
            "municipal_social_service",
            "employment_agency",
        }
    assert EmploymentMeasure.objects.filter(kind="training").exists()

    municipality = User.objects.get(username="municipality")
    seen = {r.case for r in selectors.partner_referral_list_for_user(user=municipality)}
    assert seen == {roberts, ahmed}
    assert aija.partner_referrals.get().partner == state["orgs"]["jelgava"]
    employment = User.objects.get(username="employment")
    assert {r.case for r in selectors.partner_referral_list_for_user(user=employment)} == {roberts, ahmed}
