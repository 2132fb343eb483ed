"""A child is referred without the child's own consent, never as an anonymous notification, and the
referral records who was informed."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from referrals import services
from referrals.models import Referral

from .factories import anonymous_data, complete_data

pytestmark = pytest.mark.django_db


def messages_of(excinfo) -> dict:
    return {k: [str(m) for m in v] for k, v in excinfo.value.message_dict.items()}


def child_data(**overrides) -> dict:
    data = complete_data(
        consent=None,
        child_without_consent=True,
        date_of_birth=None,
        estimated_age=15,
        informed=["orphans_court"],
        informed_details="Rīgas bāriņtiesa, told by phone on the day",
    )
    data.update(overrides)
    return data


def test_a_child_is_referred_without_the_childs_consent_and_reaches_intake(police, coordinator):
    referral = services.referral_submit(actor=police, data=child_data())
    referral.refresh_from_db()
    assert (referral.consent, referral.child_without_consent) == (False, True)
    assert not referral.is_anonymous and referral.is_identified
    assert referral.given_name == "Aija"  # the identity is kept: not an anonymous notification
    assert referral.informed == ["orphans_court"]
    from referrals.selectors import referral_queue_for_user

    assert list(referral_queue_for_user(user=coordinator)) == [referral]


def test_a_child_is_never_an_anonymous_notification(police):
    with pytest.raises(ValidationError) as excinfo:
        services.referral_submit(actor=police, data=anonymous_data(estimated_age=16))
    assert messages_of(excinfo)["consent"] == [str(services.CHILD_NEVER_ANONYMOUS)]
    born = datetime.date.today().replace(year=datetime.date.today().year - 10)
    with pytest.raises(ValidationError) as excinfo:
        services.referral_submit(
            actor=police,
            data=complete_data(consent=False, date_of_birth=born, given_name="", family_name="", phone=""),
        )
    assert str(services.CHILD_NEVER_ANONYMOUS) in messages_of(excinfo)["consent"]
    # An adult's anonymous notification still goes through.
    assert services.referral_submit(actor=police, data=anonymous_data(estimated_age=30)).is_anonymous
    assert Referral.objects.filter(status="submitted").count() == 1


def test_the_child_path_needs_an_age_under_18_and_who_was_informed(police):
    with pytest.raises(ValidationError) as excinfo:
        services.referral_submit(actor=police, data=child_data(estimated_age=30, informed=[]))
    assert messages_of(excinfo) == {
        "estimated_age": [str(services.CHILD_NEEDS_AGE)],
        "informed": [str(services.CHILD_INFORMED_REQUIRED)],
    }
    with pytest.raises(ValidationError) as excinfo:
        services.referral_submit(actor=police, data=child_data(informed=["other"], informed_details=""))
    assert messages_of(excinfo) == {"informed_details": [str(services.INFORMED_OTHER_NEEDS_TEXT)]}
    assert not Referral.objects.filter(status="submitted").exists()


def test_the_coordinator_accepts_a_childs_referral(police, coordinator, caseworker):
    referral = services.referral_submit(actor=police, data=child_data())
    accepted = services.referral_accept(referral=referral, actor=coordinator, caseworker=caseworker)
    assert accepted.status == "accepted" and accepted.case.person.is_minor


def test_the_form_offers_the_child_path_and_the_detail_shows_who_was_informed(client, police, coordinator):
    client.force_login(police)
    data = {
        **{
            k: v
            for k, v in child_data().items()
            if k not in ("consent", "child_without_consent") and v is not None
        },
        "consent": "child",
        "action": "submit",
        "met_on": (datetime.date.today() - datetime.timedelta(days=1)).isoformat(),
    }
    response = client.post(reverse("referrals:new"), data)
    assert response.status_code in (200, 302), response.content.decode()[:500]
    referral = Referral.objects.get()
    assert referral.child_without_consent and referral.informed == ["orphans_court"]
    client.force_login(coordinator)
    if referral.status == "draft":  # a check-your-answers step before sending
        client.force_login(police)
        client.post(reverse("referrals:check", args=[referral.pk]))
        client.force_login(coordinator)
    html = client.get(referral.get_absolute_url()).content.decode()
    assert "A child referred without the child" in html
    assert "Rīgas bāriņtiesa, told by phone on the day" in html
    assert "Presumed child" in html
