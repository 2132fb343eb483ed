"""The demo: a high-risk case with a plan and instructions, built through the services, once."""

import pytest
from django.urls import reverse

from cases.demo import load_demo
from cases.models import Alert, RiskLevel
from reintegration.models import PartnerReferral
from safety.models import RiskAssessment, SafetyMeasure

pytestmark = pytest.mark.django_db


def test_demo_has_a_high_risk_case_with_a_plan(client):
    state = load_demo(password="demo-password-for-tests")
    counts = (RiskAssessment.objects.count(), SafetyMeasure.objects.count(), Alert.objects.count())
    load_demo(password="demo-password-for-tests")
    assert (RiskAssessment.objects.count(), SafetyMeasure.objects.count(), Alert.objects.count()) == counts

    roberts = state["cases"]["roberts"]
    roberts.refresh_from_db()
    assert roberts.risk_level == RiskLevel.HIGH
    assert roberts.safety_measures.count() == 3
    assert roberts.person.safe_contact_instructions
    assert RiskAssessment.objects.get(case=roberts).history.get().history_user == state["users"]["caseworker"]
    assert Alert.objects.filter(case=state["cases"]["aija"], kind=Alert.Kind.RISK_REVIEW_OVERDUE).exists()

    referral = PartnerReferral.objects.get(case=roberts, partner=state["orgs"]["riga"], status="active")
    client.force_login(state["users"]["municipality"])
    text = client.get(reverse("reintegration:detail", kwargs={"pk": referral.pk})).content.decode()
    assert "Never write to the registered address" in text
    assert "withheld" in text
