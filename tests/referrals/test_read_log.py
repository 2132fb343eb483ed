"""Every read of a referral is recorded: who read which referral, when and how; lists in one insert."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from referrals.models import ReferralAccess

from .factories import submit

pytestmark = pytest.mark.django_db


def test_the_referral_page_records_the_reader_as_named_then(client, police, coordinator):
    referral = submit(police)
    client.force_login(coordinator)
    assert client.get(referral.get_absolute_url()).status_code == 200
    row = ReferralAccess.objects.get()
    assert (row.referral, row.user, row.kind) == (referral, coordinator, "view")
    assert row.reader_name == coordinator.display_name and row.organisation == coordinator.organisation
    assert row.history.count() == 1
    coordinator.first_name, coordinator.last_name = "Renamed", "Later"
    coordinator.save()
    row.refresh_from_db()
    assert row.reader_name != "Renamed Later"


def test_the_first_responders_list_and_page_are_recorded(client, police):
    first, second = submit(police), submit(police, given_name="Inga")
    client.force_login(police)
    client.get(reverse("referrals:list"))
    assert set(ReferralAccess.objects.filter(kind="list").values_list("referral_id", flat=True)) == {
        first.pk,
        second.pk,
    }
    client.get(first.get_absolute_url())
    assert ReferralAccess.objects.filter(kind="view", referral=first, user=police).count() == 1


def _list_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/referrals/", "/api/v1/referrals/"])
def test_a_list_records_every_row_in_a_constant_number_of_queries(client, police, coordinator, url):
    submit(police)
    client.force_login(coordinator)
    client.get(url)  # the session's renewal (at most once a minute) done before counting
    one = _list_queries(client, url)
    for name in ("Inga", "Anna", "Līga"):
        submit(police, given_name=name)
    ReferralAccess.objects.all().delete()
    assert _list_queries(client, url) == one
    assert ReferralAccess.objects.count() == 4
    assert ReferralAccess.objects.filter(user=coordinator).values("at").distinct().count() == 1


def test_the_api_records_list_and_record_reads(client, police, coordinator):
    referral = submit(police)
    client.force_login(coordinator)
    client.get("/api/v1/referrals/")
    client.get(f"/api/v1/referrals/{referral.pk}/")
    assert list(ReferralAccess.objects.order_by("pk").values_list("kind", flat=True)) == ["api", "api"]


def test_a_refused_read_records_nothing(client, police, border):
    referral = submit(police)
    client.force_login(border)  # another organisation's first responder
    assert client.get(referral.get_absolute_url()).status_code == 404
    assert client.get(f"/api/v1/referrals/{referral.pk}/").status_code == 404
    assert not ReferralAccess.objects.exists()
