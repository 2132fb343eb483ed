"""The case timeline gathers the stage apps' events from their history tables."""

import datetime

import pytest
from django.utils import timezone

from cases.selectors import case_timeline, history_reason_text

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


def test_reasons_with_parameters_are_stored_as_codes_and_read_in_the_readers_language(
    coordinator, other_ngo, other_ngo_worker, case_of_caseworker
):
    """A transfer written on a Latvian page reads "Transferred from A to B" on an English one (and
    the other way round); the stored reason is the code and the names, in no language."""
    from django.utils import translation

    from cases import services
    from cases.models import Case

    with translation.override("lv"):
        transfer = services.case_transfer_propose(
            case=case_of_caseworker, to_organisation=other_ngo, actor=coordinator, reason="Moved city"
        )
        services.case_transfer_accept(transfer=transfer, actor=other_ngo_worker)
    stored = (
        Case.history.filter(id=case_of_caseworker.pk).order_by("history_date").last().history_change_reason
    )
    assert "Nodota" not in stored and "Transferred from %(from)s to %(to)s" in stored
    expected = {
        "en": "Transferred from Mandated NGO to Another mandated NGO",
        "lv": "Nodota no Mandated NGO uz Another mandated NGO",
    }
    # The audit trail reads the case's history rows through this one function.
    for language, text in expected.items():
        with translation.override(language):
            assert history_reason_text(stored) == text


def test_an_approved_identification_names_its_ground_in_the_readers_language(
    caseworker, coordinator, case_of_caseworker
):
    from django.utils import translation

    from cases.models import StageChange
    from services import services as stage2

    identification = stage2.identification_propose(
        case=case_of_caseworker,
        actor=caseworker,
        ground="criminal_procedure_decision",
        cp_case_number="11816001026",
        cp_date=datetime.date(2026, 10, 3),
        cp_body="Valsts policija",
    )
    with translation.override("lv"):
        stage2.identification_approve(identification=identification, actor=coordinator)
    change = StageChange.objects.get(case=case_of_caseworker, event="identification_approved")
    assert change.reason == "decision of the performer of the criminal procedure"
    with translation.override("en"):
        reasons = [e.reason for e in case_timeline(case=case_of_caseworker)]
    assert "Identification approved: decision of the performer of the criminal procedure" in reasons
    assert "decision of the performer of the criminal procedure" in reasons
    with translation.override("lv"):
        lv_reasons = " ".join(e.reason for e in case_timeline(case=case_of_caseworker))
    assert "Identifikācija apstiprināta: " in lv_reasons and "criminal procedure" not in lv_reasons


def test_render_reason_reads_codes_typed_text_and_damaged_documents():
    from django.utils import translation
    from django.utils.translation import gettext_lazy

    from cases.reasons import EVENT_WITH_REASON, coded_reason, render_reason
    from cases.services import history_reason_code

    stored = history_reason_code(
        coded_reason(
            EVENT_WITH_REASON, event=gettext_lazy("Moved by a coordinator"), reason="the victim asked"
        )
    )
    with translation.override("en"):
        assert render_reason(stored) == "Moved by a coordinator: the victim asked"
    with translation.override("lv"):
        assert render_reason(stored).endswith(": the victim asked")
        assert not render_reason(stored).startswith("Moved by")
        # Typed text reads as typed; so does a document that only looks like a code.
        assert render_reason("Klients pārcēlās") == "Klients pārcēlās"
        assert render_reason('{"code": broken') == '{"code": broken'
    assert render_reason("") == "" and render_reason(None) == ""


def test_the_migration_recodes_reasons_stored_in_the_writers_language(case_of_caseworker):
    """Reasons stored before as Latvian or English text become codes; typed reasons and codes
    stay as they are."""
    import importlib

    from django.apps import apps
    from django.utils import translation

    from cases.models import Case, StageChange

    migration = importlib.import_module("cases.migrations.0019_reasons_as_codes")
    recode = migration.recode
    assert recode("Nodota no Biedrība A uz Biedrība B") == (
        '{"code": "Transferred from %(from)s to %(to)s", '
        '"params": {"from": "Biedrība A", "to": "Biedrība B"}}'
    )
    with translation.override("lv"):
        ground_lv = translation.gettext("statement of a law-enforcement institution")
        moved_lv = translation.gettext("Moved by a coordinator")
    assert recode(f"Identifikācija apstiprināta: {ground_lv}") == (
        '{"code": "Identification approved: %(ground)s", '
        '"params": {"ground": {"t": "statement of a law-enforcement institution"}}}'
    )
    assert recode("Identification approved: statement of a law-enforcement institution") is not None
    assert recode(f"{moved_lv}: klients lūdza") == (
        '{"code": "%(event)s: %(reason)s", '
        '"params": {"event": {"t": "Moved by a coordinator"}, "reason": "klients lūdza"}}'
    )
    assert recode(ground_lv) == "statement of a law-enforcement institution"
    assert recode("Importēts no iepriekšējās sistēmas") == "Imported from the previous system"
    # Typed text, English fixed reasons (already their code) and codes are left alone.
    assert recode("Klients pārcēlās uz Liepāju") is None
    assert recode("Referral accepted") is None
    assert recode('{"code": "x", "params": {}}') is None

    change = StageChange.objects.filter(case=case_of_caseworker).first()
    StageChange.objects.filter(pk=change.pk).update(reason="Lieta atvērta pēc nosūtījuma")
    row = Case.history.filter(id=case_of_caseworker.pk).first()
    Case.history.filter(history_id=row.history_id).update(history_change_reason="Nodota no A uz B")
    typed = Case.history.filter(id=case_of_caseworker.pk).exclude(history_id=row.history_id)
    migration.forwards(apps, None)
    assert StageChange.objects.get(pk=change.pk).reason == "Case opened from a referral"
    assert Case.history.get(history_id=row.history_id).history_change_reason.startswith(
        '{"code": "Transferred from %(from)s to %(to)s"'
    )
    with translation.override("en"):
        reasons = [e.reason for e in case_timeline(case=case_of_caseworker)]
    assert "Transferred from A to B" in reasons
    assert all(not (r.history_change_reason or "").startswith('{"code"') for r in typed)


def test_the_case_page_shows_the_timeline_twenty_entries_at_a_time(client, caseworker, case_of_caseworker):
    """A long timeline shows its newest 20 entries and pages on from "Older entries"."""
    from cases import services
    from cases.models import Case

    for i in range(25):
        case = Case.objects.get(pk=case_of_caseworker.pk)
        case.risk_level = ("low", "medium", "high")[i % 3]
        services.history_stamp(case, actor=caseworker, reason=f"Typed reason {i:02d}")
        case.save()
    entries = case_timeline(case=case_of_caseworker)
    assert len(entries) > 20
    client.force_login(caseworker)
    url = case_of_caseworker.get_absolute_url()
    first = client.get(url)
    assert len(first.context["timeline"]) == 20
    body = first.content.decode()
    assert f'href="{url}?timeline_page=2#timeline-h"' in body and "Entries 1–20" in body
    second = client.get(url, {"timeline_page": 2})
    assert [e.title for e in second.context["timeline"]] == [e.title for e in entries[20:40]]
    assert f'href="{url}#timeline-h"' in second.content.decode()
