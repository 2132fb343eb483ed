"""Every write of stage 3: the resulting state, the history row and its user, the refusals."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases import services as case_services
from reintegration import services
from reintegration.models import AssessedNeed, EmploymentMeasure, NeedCategory, PartnerReferral
from tests.factories import CONSENT, OrganisationFactory
from tests.reintegration.conftest import referral_for

pytestmark = pytest.mark.django_db


def messages_of(excinfo) -> dict:
    return {k: [str(m) for m in v] for k, v in excinfo.value.message_dict.items()}


def test_refer_records_history_with_the_actor(case_of_caseworker, caseworker, riga):
    referral = services.referral_create(
        **CONSENT, case=case_of_caseworker, partner=riga, needs_note=" Food and rent ", actor=caseworker
    )
    assert referral.status == PartnerReferral.Status.ACTIVE
    assert referral.needs_note == "Food and rent"
    assert referral.referred_by == caseworker
    record = referral.history.get()
    assert record.history_user == caseworker
    assert record.history_type == "+"


def test_refer_refuses_an_organisation_that_is_not_a_partner(case_of_caseworker, caseworker, police):
    with pytest.raises(ValidationError) as excinfo:
        services.referral_create(
            **CONSENT, case=case_of_caseworker, partner=police.organisation, needs_note="x", actor=caseworker
        )
    assert messages_of(excinfo) == {"partner": [str(services.NOT_A_PARTNER % {"name": "State police"})]}


def test_refer_refuses_an_inactive_partner(case_of_caseworker, caseworker):
    closed = OrganisationFactory(
        name="Old social service", kind="municipal_social_service", municipality="Old", is_active=False
    )
    with pytest.raises(ValidationError) as excinfo:
        services.referral_create(
            **CONSENT, case=case_of_caseworker, partner=closed, needs_note="x", actor=caseworker
        )
    assert messages_of(excinfo) == {"partner": [str(services.NOT_A_PARTNER % {"name": "Old social service"})]}


def test_refer_twice_to_the_same_partner_is_refused_until_withdrawn(case_of_caseworker, caseworker, riga):
    first = referral_for(case_of_caseworker, riga, caseworker)
    with pytest.raises(ValidationError) as excinfo:
        referral_for(case_of_caseworker, riga, caseworker)
    assert messages_of(excinfo) == {"partner": [str(services.ALREADY_REFERRED % {"name": riga.name})]}
    services.referral_withdraw(referral=first, actor=caseworker, reason="Wrong office")
    assert referral_for(case_of_caseworker, riga, caseworker).is_active


def test_refer_needs_a_note(case_of_caseworker, caseworker, riga):
    with pytest.raises(ValidationError) as excinfo:
        services.referral_create(
            **CONSENT, case=case_of_caseworker, partner=riga, needs_note="  ", actor=caseworker
        )
    assert messages_of(excinfo) == {"needs_note": [str(services.NEEDS_NOTE_REQUIRED)]}


@pytest.mark.parametrize("who", ["caseworker2", "national", "municipality", "other_ngo_worker"])
def test_refer_is_refused_to_anyone_but_the_ngo_working_the_case(
    all_role_users, case_of_caseworker, riga, who
):
    with pytest.raises(PermissionDenied):
        services.referral_create(
            **CONSENT, case=case_of_caseworker, partner=riga, needs_note="x", actor=all_role_users[who]
        )
    assert not PartnerReferral.objects.exists()


def test_coordinator_refers_and_closed_case_cannot_be_referred(case_of_caseworker, coordinator, riga):
    assert referral_for(case_of_caseworker, riga, coordinator).referred_by == coordinator
    case_services.case_close(case=case_of_caseworker, actor=coordinator, reason="Done")
    with pytest.raises(PermissionDenied):
        referral_for(
            case_of_caseworker, OrganisationFactory(name="Agency", kind="employment_agency"), coordinator
        )


def test_withdraw_needs_a_reason_and_keeps_history(case_of_caseworker, caseworker, coordinator, riga):
    referral = referral_for(case_of_caseworker, riga, caseworker)
    with pytest.raises(ValidationError) as excinfo:
        services.referral_withdraw(referral=referral, actor=coordinator, reason=" ")
    assert messages_of(excinfo) == {"reason": [str(services.WITHDRAW_NEEDS_REASON)]}
    services.referral_withdraw(referral=referral, actor=coordinator, reason="Moved away")
    referral.refresh_from_db()
    assert referral.status == PartnerReferral.Status.WITHDRAWN
    assert referral.withdrawn_by == coordinator
    latest = referral.history.latest()
    assert latest.history_user == coordinator
    assert latest.history_change_reason == "Moved away"
    with pytest.raises(ValidationError) as excinfo:
        services.referral_withdraw(referral=referral, actor=coordinator, reason="again")
    assert excinfo.value.messages == [str(services.NOT_ACTIVE)]


def test_partner_cannot_withdraw(case_of_caseworker, caseworker, municipality, riga):
    referral = referral_for(case_of_caseworker, riga, caseworker)
    with pytest.raises(PermissionDenied):
        services.referral_withdraw(referral=referral, actor=municipality, reason="x")


def test_complete_needs_an_outcome(case_of_caseworker, caseworker, municipality, riga):
    referral = referral_for(case_of_caseworker, riga, caseworker)
    with pytest.raises(ValidationError) as excinfo:
        services.referral_complete(referral=referral, actor=municipality, outcome="")
    assert messages_of(excinfo) == {"outcome": [str(services.OUTCOME_REQUIRED)]}
    services.referral_complete(referral=referral, actor=municipality, outcome="Housing found")
    referral.refresh_from_db()
    assert (referral.status, referral.outcome, referral.completed_by) == (
        "completed",
        "Housing found",
        municipality,
    )
    assert referral.history.latest().history_user == municipality


def test_caseworker_cannot_complete_the_partners_part(case_of_caseworker, caseworker, riga):
    referral = referral_for(case_of_caseworker, riga, caseworker)
    with pytest.raises(PermissionDenied):
        services.referral_complete(referral=referral, actor=caseworker, outcome="x")


# --- the municipality -------------------------------------------------------------------------


def test_need_by_months_or_dates(case_of_caseworker, caseworker, municipality, riga):
    referral = referral_for(case_of_caseworker, riga, caseworker)
    by_months = services.need_record(
        referral=referral,
        actor=municipality,
        category=NeedCategory.UTILITIES,
        amount_eur=Decimal("120"),
        months=3,
    )
    by_dates = services.need_record(
        referral=referral,
        actor=municipality,
        category=NeedCategory.FOOD,
        amount_eur=Decimal("80"),
        period_from=datetime.date(2026, 1, 1),
        period_to=datetime.date(2026, 3, 31),
    )
    assert AssessedNeed.objects.count() == 2
    assert by_months.history.get().history_user == municipality
    assert by_dates.period_to == datetime.date(2026, 3, 31)


@pytest.mark.parametrize(
    "kwargs, field, message",
    [
        ({}, "period_from", services.PERIOD_REQUIRED),
        (
            {"months": 2, "period_from": datetime.date(2026, 1, 1), "period_to": datetime.date(2026, 2, 1)},
            "period_from",
            services.PERIOD_REQUIRED,
        ),
        ({"period_from": datetime.date(2026, 1, 1)}, "period_from", services.PERIOD_REQUIRED),
        ({"months": 0}, "months", services.MONTHS_POSITIVE),
        (
            {"period_from": datetime.date(2026, 2, 1), "period_to": datetime.date(2026, 1, 1)},
            "period_to",
            services.PERIOD_ORDER,
        ),
    ],
)
def test_need_period_refusals(case_of_caseworker, caseworker, municipality, riga, kwargs, field, message):
    referral = referral_for(case_of_caseworker, riga, caseworker)
    with pytest.raises(ValidationError) as excinfo:
        services.need_record(
            referral=referral,
            actor=municipality,
            category=NeedCategory.FOOD,
            amount_eur=Decimal("1"),
            **kwargs,
        )
    assert messages_of(excinfo) == {field: [str(message)]}


def test_need_amount_cannot_be_negative(case_of_caseworker, caseworker, municipality, riga):
    referral = referral_for(case_of_caseworker, riga, caseworker)
    with pytest.raises(ValidationError) as excinfo:
        services.need_record(
            referral=referral,
            actor=municipality,
            category=NeedCategory.FOOD,
            amount_eur=Decimal("-1"),
            months=1,
        )
    assert messages_of(excinfo) == {"amount_eur": [str(services.AMOUNT_NOT_NEGATIVE)]}


def test_only_the_municipality_records_needs_and_assistance(
    case_of_caseworker, caseworker, municipality, employment, riga, nva
):
    riga_ref = referral_for(case_of_caseworker, riga, caseworker)
    nva_ref = referral_for(case_of_caseworker, nva, caseworker)
    for actor, referral in (
        (employment, riga_ref),
        (caseworker, riga_ref),
        (municipality, nva_ref),
        (employment, nva_ref),
    ):
        with pytest.raises(PermissionDenied):
            services.assistance_record(
                referral=referral,
                actor=actor,
                kind=NeedCategory.FOOD,
                amount_eur=Decimal("1"),
                granted_from=datetime.date(2026, 1, 1),
            )


def test_assistance_dates_in_order(case_of_caseworker, caseworker, municipality, riga):
    referral = referral_for(case_of_caseworker, riga, caseworker)
    with pytest.raises(ValidationError) as excinfo:
        services.assistance_record(
            referral=referral,
            actor=municipality,
            kind=NeedCategory.FOOD,
            amount_eur=Decimal("1"),
            granted_from=datetime.date(2026, 2, 1),
            granted_to=datetime.date(2026, 1, 1),
        )
    assert messages_of(excinfo) == {"granted_to": [str(services.DATES_ORDER)]}
    item = services.assistance_record(
        referral=referral,
        actor=municipality,
        kind=NeedCategory.FOOD,
        amount_eur=Decimal("40"),
        granted_from=datetime.date(2026, 2, 1),
    )
    assert item.history.get().history_user == municipality


def test_records_refused_after_withdrawal(case_of_caseworker, caseworker, municipality, riga):
    referral = referral_for(case_of_caseworker, riga, caseworker)
    services.referral_withdraw(referral=referral, actor=caseworker, reason="x")
    with pytest.raises(PermissionDenied):
        services.need_record(
            referral=referral,
            actor=municipality,
            category=NeedCategory.FOOD,
            amount_eur=Decimal("1"),
            months=1,
        )


# --- the agency -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, field, message",
    [
        ({"kind": "training", "course": "Welding"}, "course", services.TRAINING_NEEDS_COURSE),
        ({"kind": "placement"}, "employer", services.PLACEMENT_NEEDS_EMPLOYER),
        ({"kind": "counselling", "ended_on": datetime.date(2025, 12, 1)}, "ended_on", services.DATES_ORDER),
    ],
)
def test_measure_refusals(case_of_caseworker, caseworker, employment, nva, kwargs, field, message):
    referral = referral_for(case_of_caseworker, nva, caseworker)
    with pytest.raises(ValidationError) as excinfo:
        services.measure_record(
            referral=referral, actor=employment, started_on=datetime.date(2026, 1, 1), **kwargs
        )
    assert messages_of(excinfo) == {field: [str(message)]}


def test_measures_and_registration_once(case_of_caseworker, caseworker, employment, nva):
    referral = referral_for(case_of_caseworker, nva, caseworker)
    services.measure_record(
        referral=referral, actor=employment, kind="registration", started_on=datetime.date(2026, 1, 1)
    )
    training = services.measure_record(
        referral=referral,
        actor=employment,
        kind="training",
        started_on=datetime.date(2026, 1, 2),
        course="Welding",
        provider="School",
        outcome="Certificate",
    )
    services.measure_record(
        referral=referral,
        actor=employment,
        kind="placement",
        started_on=datetime.date(2026, 4, 1),
        employer="SIA Metāls",
    )
    assert training.history.get().history_user == employment
    with pytest.raises(ValidationError) as excinfo:
        services.measure_record(
            referral=referral, actor=employment, kind="registration", started_on=datetime.date(2026, 5, 1)
        )
    assert messages_of(excinfo) == {"kind": [str(services.ALREADY_REGISTERED)]}
    assert EmploymentMeasure.objects.filter(referral=referral).count() == 3


def test_placement_of_a_third_country_national_needs_a_valid_permit(
    mandated_ngo, caseworker, employment, nva
):
    from services.models import ResidencePermit
    from tests.factories import PersonFactory, make_case

    case = make_case(
        organisation=mandated_ngo, person=PersonFactory(citizenships=["VN"]), caseworkers=[caseworker]
    )
    referral = referral_for(case, nva, caseworker)
    day = datetime.date(2026, 4, 1)

    def place():
        return services.measure_record(
            referral=referral, actor=employment, kind="placement", started_on=day, employer="SIA Metāls"
        )

    with pytest.raises(ValidationError) as excinfo:
        place()
    assert messages_of(excinfo) == {
        "kind": [str(services.PLACEMENT_NO_RIGHT_TO_WORK % {"date": "2026-04-01"})]
    }
    permit = ResidencePermit.objects.create(
        case=case,
        travel_document_presented_on=datetime.date(2026, 1, 5),
        travel_document_type="passport",
        travel_document_number="C123",
        application_submitted_on=datetime.date(2026, 1, 6),
        decision="granted",
        decision_on=datetime.date(2026, 1, 20),
        permit_number="RP-1",
        valid_from=datetime.date(2026, 1, 20),
        valid_until=datetime.date(2026, 3, 31),
        recorded_by=caseworker,
    )
    with pytest.raises(ValidationError):  # expired the day before
        place()
    permit.valid_until = datetime.date(2026, 12, 31)
    permit.save()
    assert place().employer == "SIA Metāls"


# --- consultations ----------------------------------------------------------------------------


def test_both_sides_log_consultations(case_of_caseworker, caseworker, employment, municipality, nva):
    referral = referral_for(case_of_caseworker, nva, caseworker)
    a = services.consultation_record(
        referral=referral,
        actor=caseworker,
        held_on=datetime.date(2026, 1, 1),
        participants="A, B",
        topic="Training",
    )
    b = services.consultation_record(
        referral=referral,
        actor=employment,
        held_on=datetime.date(2026, 1, 2),
        participants="A, C",
        topic="Placement",
        recommendations="Logistics",
    )
    assert a.history.get().history_user == caseworker
    assert b.history.get().history_user == employment
    with pytest.raises(PermissionDenied):
        services.consultation_record(
            referral=referral,
            actor=municipality,
            held_on=datetime.date(2026, 1, 2),
            participants="x",
            topic="y",
        )


def test_consultation_refusals(case_of_caseworker, caseworker, nva):
    referral = referral_for(case_of_caseworker, nva, caseworker)
    with pytest.raises(ValidationError) as excinfo:
        services.consultation_record(
            referral=referral, actor=caseworker, held_on=datetime.date(2999, 1, 1), participants=" ", topic=""
        )
    assert messages_of(excinfo) == {
        "held_on": [str(services.NOT_IN_FUTURE)],
        "participants": [str(services.PARTICIPANTS_REQUIRED)],
        "topic": [str(services.TOPIC_REQUIRED)],
    }


def test_national_changes_nothing(case_of_caseworker, caseworker, national, nva):
    referral = referral_for(case_of_caseworker, nva, caseworker)
    with pytest.raises(PermissionDenied):
        services.consultation_record(
            referral=referral, actor=national, held_on=datetime.date(2026, 1, 1), participants="x", topic="y"
        )
    with pytest.raises(PermissionDenied):
        services.referral_withdraw(referral=referral, actor=national, reason="x")
