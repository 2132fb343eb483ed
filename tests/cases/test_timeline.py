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
