"""Correcting and voiding the partners' records: each side corrects what it may record, the rules
of a new record are checked again, a voided registration leaves room for the right one."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from cases.selectors import case_timeline
from reintegration import services
from reintegration.models import EmploymentMeasure

pytestmark = pytest.mark.django_db


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_municipality_corrects_and_voids_its_assistance(
    riga_referral, municipality, caseworker, employment
):
    item = riga_referral.assistance.get()
    with pytest.raises(PermissionDenied):
        services.record_void(entry=item, actor=caseworker, reason="Not the NGO's record")
    with pytest.raises(PermissionDenied):
        services.record_void(entry=item, actor=employment, reason="Not the agency's record")
    with pytest.raises(ValidationError) as order:
        services.record_correct(
            entry=item,
            actor=municipality,
            reason="Dates",
            kind=item.kind,
            amount_eur=item.amount_eur,
            granted_from=item.granted_from,
            granted_to=item.granted_from - datetime.timedelta(days=1),
        )
    assert order.value.message_dict["granted_to"] == [str(services.DATES_ORDER)]
    services.record_correct(
        entry=item,
        actor=municipality,
        reason="The amount on the decision",
        kind=item.kind,
        amount_eur=Decimal("65.50"),
        granted_from=item.granted_from,
    )
    item.refresh_from_db()
    assert item.amount_eur == Decimal("65.50")
    services.record_void(entry=item, actor=municipality, reason="Granted to another person")
    item.refresh_from_db()
    assert item.voided_by == municipality
    titles = [e.title for e in case_timeline(case=riga_referral.case)]
    assert "Entry corrected: Assistance granted" in titles and "Entry voided: Assistance granted" in titles


def test_a_voided_registration_leaves_room_for_the_right_one(nva_referral, employment):
    registration = services.measure_record(
        referral=nva_referral, actor=employment, kind="registration", started_on=datetime.date(2026, 1, 10)
    )
    with pytest.raises(ValidationError) as twice:
        services.measure_record(
            referral=nva_referral,
            actor=employment,
            kind="registration",
            started_on=datetime.date(2026, 1, 11),
        )
    assert twice.value.message_dict["kind"] == [str(services.ALREADY_REGISTERED)]
    # Correcting the registration's own date is not a second registration.
    services.record_correct(
        entry=registration,
        actor=employment,
        reason="Date on the card",
        kind="registration",
        started_on=datetime.date(2026, 1, 9),
    )
    services.record_void(entry=registration, actor=employment, reason="Registered by another office")
    services.measure_record(
        referral=nva_referral, actor=employment, kind="registration", started_on=datetime.date(2026, 1, 11)
    )
    assert EmploymentMeasure.objects.counted().filter(referral=nva_referral, kind="registration").count() == 1


def test_both_sides_correct_a_consultation_through_pages_and_api(
    client, riga_referral, caseworker, municipality
):
    consultation = riga_referral.consultations.get()
    url = reverse("reintegration:partner_consultations_correct", args=[consultation.pk])
    client.force_login(caseworker)
    page = client.get(riga_referral.case.get_absolute_url()).content.decode()
    assert url in page
    # The NGO cannot correct the municipality's assistance: no link on its page.
    item = riga_referral.assistance.get()
    assert reverse("reintegration:municipal_assistance_correct", args=[item.pk]) not in page
    assert (
        client.get(reverse("reintegration:municipal_assistance_correct", args=[item.pk])).status_code == 403
    )
    client.force_login(municipality)
    narrow = client.get(reverse("reintegration:detail", args=[riga_referral.pk])).content.decode()
    assert url in narrow and reverse("reintegration:municipal_assistance_void", args=[item.pk]) in narrow
    response = client.post(
        url,
        {
            "held_on": consultation.held_on.isoformat(),
            "participants": "NGO, municipality and the person",
            "topic": consultation.topic,
            "reason": "The person took part",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "reintegration:detail", args=[riga_referral.pk]
    )
    api = _api(caseworker)
    fixed = api.post(
        f"/api/v1/entries/partner-consultations/{consultation.pk}/correct/",
        {"recommendations": "Housing first", "reason": "Added the recommendation"},
        format="json",
    )
    assert fixed.status_code == 200 and fixed.json()["recommendations"] == "Housing first"
    assert fixed.json()["referral"] == riga_referral.pk
