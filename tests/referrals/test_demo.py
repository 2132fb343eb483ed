"""The demo referrals: every status, one overdue, one anonymous notification, idempotent."""

import pytest
from django.urls import reverse

from cases.demo import load_demo
from cases.models import User
from referrals import selectors
from referrals.models import Referral

pytestmark = pytest.mark.django_db


def test_demo_referrals_cover_every_status_and_load_once(client):
    state = load_demo(password="demo-password-for-tests")
    count = Referral.objects.count()
    load_demo(password="demo-password-for-tests")
    assert Referral.objects.count() == count == 7

    assert set(Referral.objects.values_list("created_by__username", flat=True)) == {"police", "border"}
    assert set(Referral.objects.values_list("status", flat=True)) == set(Referral.Status.values)
    accepted = Referral.objects.filter(status=Referral.Status.ACCEPTED)
    assert {r.case for r in accepted} == {state["cases"]["unknown"], state["cases"]["marija"]}
    assert all(r.person == r.case.person for r in accepted)
    assert Referral.objects.get(status=Referral.Status.DECLINED).decline_reason
    anonymous = Referral.objects.get(consent=False)
    assert (
        anonymous.status == Referral.Status.SUBMITTED
        and not anonymous.given_name
        and anonymous.date_of_birth is None
    )

    coordinator = User.objects.get(username="coordinator")
    assert selectors.referral_queue_counts(user=coordinator) == {"waiting": 2, "overdue": 1}
    # The waiting referral from the police has a possible duplicate among the demo cases.
    waiting = Referral.objects.get(status=Referral.Status.SUBMITTED, created_by__username="police")
    found = selectors.referral_possible_duplicates(referral=waiting, user=coordinator)
    assert [d.person for d in found] == [state["cases"]["aija"].person]

    for username in ("police", "border", "coordinator", "national"):
        client.force_login(User.objects.get(username=username))
        assert client.get(reverse("referrals:list")).status_code == 200, username
        assert client.get(reverse("dashboard")).status_code == 200, username
