"""A presumed child (under 18 by the age given) is flagged to the coordinator at intake."""

import datetime

import pytest

pytestmark = pytest.mark.django_db


def test_a_presumed_child_is_flagged_in_the_intake_queue(client, coordinator, police):
    from django.utils import timezone

    from referrals.models import Referral

    child = Referral.objects.create(
        organisation=police.organisation,
        created_by=police,
        status="submitted",
        consent=True,
        estimated_age=15,
        submitted_at=timezone.now(),
    )
    adult = Referral.objects.create(
        organisation=police.organisation,
        created_by=police,
        status="submitted",
        consent=True,
        date_of_birth=datetime.date(1990, 1, 1),
        submitted_at=timezone.now(),
    )
    assert (child.is_presumed_child, adult.is_presumed_child) == (True, False)
    client.force_login(coordinator)
    page = client.get("/referrals/").content.decode()
    assert page.count("Presumed child") == 1
    assert "Presumed child" in client.get(child.get_absolute_url()).content.decode()
