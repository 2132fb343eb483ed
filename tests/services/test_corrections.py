"""Correcting and voiding assistance, proceedings and hearings: a compensation claim later
awarded, the rules of a new record checked again, history and timeline, pages and API."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from cases.selectors import case_timeline
from services import services
from services.models import AssistanceRecord, CriminalProceeding
from tests.services.factories import case_with

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
Kind = AssistanceRecord.Kind


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _claim(case, actor):
    return services.assistance_record(
        case=case,
        actor=actor,
        kind=Kind.COMPENSATION,
        started_on=TODAY,
        arranged_by="Legal Aid Administration",
        claim="State compensation",
        amount_eur=Decimal("2500.00"),
        compensation_status="claimed",
    )


def _values(record, **changes):
    names = (
        "kind",
        "started_on",
        "ended_on",
        "arranged_by",
        "outcome",
        "claim",
        "amount_eur",
        "compensation_status",
    )
    return {**{n: getattr(record, n) for n in names}, **changes}


def test_a_compensation_claim_is_later_awarded_and_history_keeps_both(mandated_ngo, caseworker):
    case = case_with(organisation=mandated_ngo, caseworkers=[caseworker], identified=True)
    record = _claim(case, caseworker)
    services.assistance_correct(
        entry=record,
        actor=caseworker,
        reason="The court awarded the claim",
        **_values(record, compensation_status="awarded", amount_eur=Decimal("2000.00")),
    )
    record.refresh_from_db()
    assert record.compensation_status == "awarded" and record.amount_eur == Decimal("2000.00")
    old, new = record.history.order_by("history_date")
    assert (old.compensation_status, new.compensation_status) == ("claimed", "awarded")
    assert new.history_user == caseworker and new.history_change_reason == "The court awarded the claim"
    entry = next(e for e in case_timeline(case=case) if e.title == "Entry corrected: Assistance record")
    assert entry.reason == "The court awarded the claim"
    assert set(entry.details) == {"Amount (EUR) changed", "Status of the claim changed"}


def test_a_correction_is_refused_what_a_new_record_is_refused(mandated_ngo, caseworker):
    presumed = case_with(organisation=mandated_ngo, caseworkers=[caseworker], identified=False)
    first_meeting = services.assistance_record(
        case=presumed, actor=caseworker, kind=Kind.FIRST_MEETING, started_on=TODAY, arranged_by="NGO"
    )
    with pytest.raises(ValidationError) as refused:
        services.assistance_correct(
            entry=first_meeting,
            actor=caseworker,
            reason="Kind",
            **_values(first_meeting, kind=Kind.LEGAL_AID),
        )
    assert refused.value.message_dict["kind"] == [
        str(services.STATE_FUNDED_NEEDS_IDENTIFICATION % {"kind": Kind.LEGAL_AID.label})
    ]
    with pytest.raises(ValidationError) as dates:
        services.assistance_correct(
            entry=first_meeting,
            actor=caseworker,
            reason="End",
            **_values(first_meeting, ended_on=TODAY - datetime.timedelta(days=1)),
        )
    assert "The end date cannot be before the start date." in dates.value.messages
    first_meeting.refresh_from_db()
    assert first_meeting.ended_on is None and first_meeting.corrected_at is None


def test_a_voided_proceeding_frees_its_number_and_takes_no_hearing(mandated_ngo, caseworker, national):
    case = case_with(organisation=mandated_ngo, caseworkers=[caseworker], identified=True)
    proceeding = services.proceeding_record(
        case=case, actor=caseworker, case_number="12/2026", procedural_status="victim", body="Court"
    )
    hearing = services.hearing_record(proceeding=proceeding, actor=caseworker, date=TODAY, place="Rīga")
    with pytest.raises(PermissionDenied):
        services.proceeding_void(entry=proceeding, actor=national, reason="x")
    services.hearing_correct(entry=hearing, actor=caseworker, reason="Room", date=TODAY, place="Rīga, room 3")
    services.proceeding_void(entry=proceeding, actor=caseworker, reason="Another person's case")
    with pytest.raises(ValidationError) as closed:
        services.hearing_record(proceeding=proceeding, actor=caseworker, date=TODAY)
    assert "a voided entry cannot be changed" in " ".join(closed.value.messages)
    again = services.proceeding_record(
        case=case, actor=caseworker, case_number="12/2026", procedural_status="witness", body="Court"
    )
    assert CriminalProceeding.objects.filter(case=case, case_number="12/2026").count() == 2
    assert again.voided_at is None


def test_pages_and_api_correct_and_void_assistance(client, mandated_ngo, caseworker, caseworker2):
    case = case_with(organisation=mandated_ngo, caseworkers=[caseworker], identified=True)
    record = _claim(case, caseworker)
    client.force_login(caseworker)
    page = client.get(case.get_absolute_url()).content.decode()
    url = reverse("services:assistance_correct", args=[record.pk])
    assert url in page and reverse("services:assistance_void", args=[record.pk]) in page
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "kind": "compensation",
            "started_on": TODAY.isoformat(),
            "arranged_by": "Legal Aid Administration",
            "claim": "State compensation",
            "amount_eur": "2500",
            "compensation_status": "paid",
            "reason": "Paid on 1 December",
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.compensation_status == "paid"
    api = _api(caseworker)
    api_url = f"/api/v1/entries/assistance/{record.pk}/"
    assert _api(caseworker2).post(api_url + "void/", {"reason": "x"}, format="json").status_code == 404
    fixed = api.post(api_url + "correct/", {"outcome": "Paid in full", "reason": "Outcome"}, format="json")
    assert fixed.status_code == 200 and fixed.json()["outcome"] == "Paid in full"
    assert api.post(api_url + "void/", {"reason": ""}, format="json").status_code == 400
    voided = api.post(api_url + "void/", {"reason": "Wrong case"}, format="json")
    assert voided.status_code == 200 and voided.json()["voided_at"]
    listed = api.get(f"/api/v1/cases/{case.reference}/assistance/").json()
    assert listed[0]["void_reason"] == "Wrong case"
