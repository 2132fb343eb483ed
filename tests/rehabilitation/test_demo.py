"""The demo: a course at day 175, a case at 148 of 150 hours, a reflection period ending in 3 days,
and their alerts after loading; loading twice adds nothing."""

import pytest
from django.db.models import Sum
from django.utils import timezone

from cases import periods
from cases.demo import load_demo
from cases.models import Alert
from operations.models import OutboxEmail
from rehabilitation.models import CourtSupportEntry, RehabilitationCourse

pytestmark = pytest.mark.django_db


def test_demo_has_the_limits_and_their_alerts_once():
    state = load_demo(password="demo-password-for-tests-2026")
    today = timezone.localdate()
    cases = state["cases"]
    ahmed = RehabilitationCourse.objects.get(case=cases["ahmed"])
    assert periods.day_number(ahmed.start_date, today) == 175
    assert CourtSupportEntry.objects.filter(case=cases["marija"]).aggregate(t=Sum("hours"))["t"] == 148
    assert cases["oksana"].reflection_period.last_day == today + timezone.timedelta(days=3)
    kinds = set(Alert.objects.values_list("case__reference", "kind"))
    assert {
        (cases["ahmed"].reference, Alert.Kind.COURSE_ENDS_SOON),
        (cases["marija"].reference, Alert.Kind.COURT_HOURS_80),
        (cases["oksana"].reference, Alert.Kind.REFLECTION_ENDS_SOON),
    } <= kinds
    assert OutboxEmail.objects.exists()
    # (The demo's referrals, submitted through the service, also told the coordinators.)
    alert_emails = OutboxEmail.objects.filter(kind=OutboxEmail.Kind.ALERT)
    assert alert_emails.exists()
    assert all(
        b.startswith("A case you work on has a new alert: ")
        for b in alert_emails.values_list("body", flat=True)
    )
    counts = (
        Alert.objects.count(),
        RehabilitationCourse.objects.count(),
        CourtSupportEntry.objects.count(),
        OutboxEmail.objects.count(),
    )

    load_demo(password="demo-password-for-tests-2026")
    assert (
        Alert.objects.count(),
        RehabilitationCourse.objects.count(),
        CourtSupportEntry.objects.count(),
        OutboxEmail.objects.count(),
    ) == counts
