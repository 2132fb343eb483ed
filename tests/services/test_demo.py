"""The demo data shows a case at each point of the identification flow, and loads twice unchanged."""

import datetime

import pytest
from django.utils import timezone

from cases.demo import load_demo
from services.models import AssistanceRecord, Identification, ReflectionPeriod, ResidencePermit

pytestmark = pytest.mark.django_db


def test_demo_data_covers_the_flow_and_is_idempotent():
    state = load_demo(password="demo-password-2026!")
    counts = (
        Identification.objects.count(),
        AssistanceRecord.objects.count(),
        ResidencePermit.objects.count(),
    )
    load_demo(password="demo-password-2026!")
    assert (
        Identification.objects.count(),
        AssistanceRecord.objects.count(),
        ResidencePermit.objects.count(),
    ) == counts
    cases = state["cases"]

    def statuses(key):
        return sorted(cases[key].identifications.values_list("status", "outcome"))

    assert statuses("aija") == [("proposed", "identified")]
    assert cases["aija"].identifications.get().proposed_by.username == "caseworker"
    assert statuses("oksana") == [("returned", "identified")]
    for key in ("marija", "lan", "roberts", "ahmed"):
        assert statuses(key) == [("approved", "identified")], key
    assert statuses("elina") == [("approved", "not_identified")]
    period = ReflectionPeriod.objects.get(case=cases["oksana"])
    assert period.last_day == timezone.localdate() + datetime.timedelta(days=3)
    assert ResidencePermit.objects.get(case=cases["lan"]).decision == "granted"
    assert (
        ResidencePermit.objects.get(case=cases["ahmed"]).step
        == "Application submitted, awaiting the decision"
    )
    # Every approved identification had a second pair of eyes.
    for identification in Identification.objects.exclude(status="proposed"):
        assert identification.decided_by_id != identification.proposed_by_id
