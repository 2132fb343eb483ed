"""The case timeline gathers the stage apps' events from their history tables."""

import datetime

import pytest
from django.utils import timezone

from cases.selectors import case_timeline

pytestmark = pytest.mark.django_db


def test_timeline_shows_identification_course_and_onward_referral(
    client, caseworker, coordinator, case_of_caseworker, municipality
):
    from rehabilitation import services as rehab
    from reintegration import services as reintegration
    from services import services as stage2
    from tests.factories import CONSENT

    identification = stage2.identification_propose(
        case=case_of_caseworker,
        actor=caseworker,
        ground="criminal_procedure_decision",
        cp_case_number="11816001026",
        cp_date=datetime.date(2026, 10, 3),
        cp_body="Valsts policija",
    )
    stage2.identification_approve(identification=identification, actor=coordinator)
    rehab.course_start(case=case_of_caseworker, start_date=timezone.localdate(), actor=caseworker)
    reintegration.referral_create(
        **CONSENT,
        case=case_of_caseworker,
        partner=municipality.organisation,
        needs_note="Mājoklis",
        actor=caseworker,
    )

    titles = [entry.title for entry in case_timeline(case=case_of_caseworker)]
    assert "Identification proposed" in titles
    assert "Identification reviewed" in titles
    assert "Rehabilitation course started" in titles
    assert f"Referred to {municipality.organisation.name}" in titles
    reviewed = next(e for e in case_timeline(case=case_of_caseworker) if e.title == "Identification reviewed")
    assert reviewed.actor == coordinator.display_name
    assert "Status: Proposed, awaiting review → Approved" in reviewed.details

    client.force_login(coordinator)
    body = client.get(case_of_caseworker.get_absolute_url()).content.decode()
    assert "Rehabilitation course started" in body
    # The referral's note to the partner is not a timeline matter.
    assert "Mājoklis" not in body.split('id="timeline-h"')[1]


def test_the_timeline_holds_assistance_the_plan_consultations_and_the_partners_records(
    client, caseworker, coordinator, case_of_caseworker, municipality
):
    from decimal import Decimal

    from rehabilitation import services as rehab
    from reintegration import services as reintegration
    from services import services as stage2
    from tests.factories import CONSENT

    identification = stage2.identification_propose(
        case=case_of_caseworker,
        actor=caseworker,
        ground="criminal_procedure_decision",
        cp_case_number="11816001026",
        cp_date=datetime.date(2026, 10, 3),
        cp_body="Valsts policija",
    )
    stage2.identification_approve(identification=identification, actor=coordinator)
    today = timezone.localdate()
    stage2.assistance_record(
        case=case_of_caseworker, kind="first_meeting", started_on=today, arranged_by="NGO", actor=caseworker
    )
    rehab.course_start(case=case_of_caseworker, start_date=today, actor=caseworker)
    rehab.plan_save(
        case=case_of_caseworker, goals="Stability", planned={"psychologist": 12}, actor=caseworker
    )
    rehab.course_service_log(
        case=case_of_caseworker,
        date=today,
        specialist="psychologist",
        hours=Decimal("1.50"),
        notes="Private 8812",
        actor=caseworker,
    )
    referral = reintegration.referral_create(
        **CONSENT,
        case=case_of_caseworker,
        partner=municipality.organisation,
        needs_note="x",
        actor=caseworker,
    )
    reintegration.consultation_record(
        referral=referral, held_on=today, participants="Both", topic="Secret topic 4471", actor=municipality
    )
    timeline = case_timeline(case=case_of_caseworker)
    titles = [str(e.title) for e in timeline]
    assert any(t.startswith("Assistance recorded: ") for t in titles), titles
    assert "Rehabilitation plan written" in titles
    assert "Consultation: Psychologist, 1.50 h" in titles
    assert f"{municipality.organisation.name}: consultation held" in titles
    # What was said stays in the sections: no notes, no topics.
    text = repr([(e.title, e.details, e.reason) for e in timeline])
    assert "Private 8812" not in text and "Secret topic 4471" not in text


def test_a_reason_is_stored_as_a_code_and_read_in_the_readers_language(
    caseworker, case_of_caseworker, municipality
):
    from django.utils import translation

    from reintegration import services as reintegration
    from reintegration.models import PartnerReferral
    from tests.factories import CONSENT

    with translation.override("lv"):
        reintegration.referral_create(
            **CONSENT,
            case=case_of_caseworker,
            partner=municipality.organisation,
            needs_note="x",
            actor=caseworker,
        )
    assert PartnerReferral.history.get().history_change_reason == "Referred onward"
    with translation.override("en"):
        reasons = [e.reason for e in case_timeline(case=case_of_caseworker)]
        assert "Referred onward" in reasons
    with translation.override("lv"):
        reasons = [e.reason for e in case_timeline(case=case_of_caseworker)]
        assert "Lieta nosūtīta partnerim" in reasons and "Referred onward" not in reasons
