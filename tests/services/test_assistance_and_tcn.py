"""Assistance after identification, the reflection period and the residence permit."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases import periods
from cases.models import Case
from services import limits, services
from services.models import (
    COMPENSATION_ONLY,
    PERMIT_GRANTED_NEEDS,
    AssistanceRecord,
    ReflectionPeriod,
    ResidencePermit,
)

from .factories import case_with

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)
Kind = AssistanceRecord.Kind


# --- the date arithmetic ----------------------------------------------------------------------


def test_n_days_count_the_start_day_as_day_one():
    start = datetime.date(2026, 1, 1)
    assert limits.reflection_period_last_day(start) == datetime.date(2026, 1, 30)
    assert periods.last_day(start, 1) == start
    assert periods.day_number(start, datetime.date(2026, 1, 30)) == 30
    assert periods.days_remaining(datetime.date(2026, 1, 30), datetime.date(2026, 1, 27)) == 3
    assert periods.days_remaining(datetime.date(2026, 1, 30), datetime.date(2026, 1, 30)) == 0
    assert periods.days_remaining(datetime.date(2026, 1, 30), datetime.date(2026, 2, 5)) == 0
    assert not periods.has_ended(datetime.date(2026, 1, 30), datetime.date(2026, 1, 30))
    assert periods.has_ended(datetime.date(2026, 1, 30), datetime.date(2026, 1, 31))
    # Across a leap day.
    assert limits.reflection_period_last_day(datetime.date(2028, 2, 15)) == datetime.date(2028, 3, 15)


# --- assistance -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", [Kind.LEGAL_AID, Kind.COMPENSATION, Kind.EDUCATION, Kind.WITNESS_PROTECTION, Kind.LABOUR_MARKET]
)
def test_state_funded_assistance_waits_for_the_identification(kind, caseworker, case_of_caseworker):
    with pytest.raises(ValidationError) as excinfo:
        services.assistance_record(
            case=case_of_caseworker, actor=caseworker, kind=kind, started_on=TODAY, arranged_by="NGO"
        )
    assert excinfo.value.message_dict == {
        "kind": [services.STATE_FUNDED_NEEDS_IDENTIFICATION % {"kind": Kind(kind).label}]
    }
    assert not AssistanceRecord.objects.exists()


def test_the_message_says_what_to_do_next(caseworker, case_of_caseworker):
    with pytest.raises(ValidationError) as excinfo:
        services.assistance_record(
            case=case_of_caseworker,
            actor=caseworker,
            kind=Kind.LEGAL_AID,
            started_on=TODAY,
            arranged_by="NGO",
        )
    assert excinfo.value.messages == [
        "Legal aid is state-funded and begins only after the identification is approved; "
        "record it once the person is an identified victim."
    ]


@pytest.mark.parametrize("kind", [Kind.RETURN_FROM_ABROAD, Kind.FIRST_MEETING, Kind.EMERGENCY_MEDICAL_CARE])
def test_a_presumed_victim_receives_the_urgent_kinds(kind, caseworker, case_of_caseworker):
    record = services.assistance_record(
        case=case_of_caseworker,
        actor=caseworker,
        kind=kind,
        started_on=TODAY,
        arranged_by="Consulate",
        outcome="Done",
    )
    assert record.history.get().history_user == caseworker


def test_an_identified_victim_gets_compensation_recorded(mandated_ngo, caseworker):
    case = case_with(organisation=mandated_ngo, caseworkers=[caseworker], identified=True)
    record = services.assistance_record(
        case=case,
        actor=caseworker,
        kind=Kind.COMPENSATION,
        started_on=TODAY,
        arranged_by="Legal Aid Administration",
        claim="State compensation",
        amount_eur=Decimal("2500.00"),
        compensation_status="claimed",
    )
    record.refresh_from_db()
    assert record.amount_eur == Decimal("2500.00") and record.recorded_by == caseworker
    history = record.history.get()
    assert history.history_user == caseworker and history.amount_eur == Decimal("2500.00")


def test_compensation_fields_belong_to_compensation_and_dates_in_order(mandated_ngo, caseworker):
    case = case_with(organisation=mandated_ngo, caseworkers=[caseworker], identified=True)
    with pytest.raises(ValidationError) as excinfo:
        services.assistance_record(
            case=case,
            actor=caseworker,
            kind=Kind.LEGAL_AID,
            started_on=TODAY,
            arranged_by="X",
            amount_eur=Decimal("10"),
        )
    assert str(COMPENSATION_ONLY) in excinfo.value.messages
    with pytest.raises(ValidationError) as excinfo:
        services.assistance_record(
            case=case,
            actor=caseworker,
            kind=Kind.LEGAL_AID,
            started_on=TODAY,
            arranged_by="X",
            ended_on=TODAY - datetime.timedelta(days=1),
        )
    assert "The end date cannot be before the start date." in excinfo.value.messages


@pytest.mark.parametrize("who", ["caseworker2", "national", "other_ngo_worker", "municipality"])
def test_assistance_only_by_those_who_work_the_case(who, all_role_users, case_of_caseworker):
    with pytest.raises(PermissionDenied):
        services.assistance_record(
            case=case_of_caseworker,
            actor=all_role_users[who],
            kind=Kind.FIRST_MEETING,
            started_on=TODAY,
            arranged_by="X",
        )


def test_proceedings_and_hearings_carry_the_acting_user(caseworker, coordinator, case_of_caseworker):
    proceeding = services.proceeding_record(
        case=case_of_caseworker,
        actor=caseworker,
        case_number="11816001026",
        procedural_status="witness",
        body="Riga District Court",
    )
    hearing = services.hearing_record(proceeding=proceeding, actor=coordinator, date=TODAY, place="Room 12")
    assert proceeding.history.get().history_user == caseworker
    assert hearing.history.get().history_user == coordinator
    with pytest.raises(ValidationError) as excinfo:
        services.proceeding_record(
            case=case_of_caseworker,
            actor=caseworker,
            case_number="11816001026",
            procedural_status="victim",
            body="Police",
        )
    assert excinfo.value.messages == ["These criminal proceedings are already recorded on the case."]


# --- reflection period ------------------------------------------------------------------------


def test_reflection_period_for_a_third_country_national(mandated_ngo, caseworker):
    case = case_with(organisation=mandated_ngo, caseworkers=[caseworker], citizenships=["UA"])
    period = services.reflection_period_start(case=case, actor=caseworker, start_date=TODAY)
    assert period.last_day == datetime.date(2026, 3, 31)
    assert period.status == ReflectionPeriod.Status.RUNNING
    assert period.days_remaining_on(datetime.date(2026, 3, 28)) == 3
    assert period.history.get().history_user == caseworker
    with pytest.raises(ValidationError) as excinfo:
        services.reflection_period_start(case=case, actor=caseworker, start_date=TODAY)
    assert excinfo.value.message_dict == {
        "start_date": [services.REFLECTION_ALREADY_STARTED % {"start": "2026-03-02"}]
    }


def test_a_stateless_person_is_a_third_country_national(mandated_ngo, caseworker):
    case = case_with(organisation=mandated_ngo, caseworkers=[caseworker], citizenships=[], stateless=True)
    assert services.reflection_period_start(case=case, actor=caseworker, start_date=TODAY).pk


@pytest.mark.parametrize("citizenships", [["LV"], ["DE"], ["NO"], ["CH"], ["UA", "PL"]])
def test_reflection_period_refused_for_an_eu_eea_swiss_citizen(citizenships, mandated_ngo, caseworker):
    case = case_with(organisation=mandated_ngo, caseworkers=[caseworker], citizenships=citizenships)
    with pytest.raises(ValidationError) as excinfo:
        services.reflection_period_start(case=case, actor=caseworker, start_date=TODAY)
    assert excinfo.value.message_dict == {"start_date": [str(services.REFLECTION_EU_CITIZEN)]}
    assert excinfo.value.messages == [
        "A reflection period is only for third-country nationals; this person is a citizen of the EU, the EEA or Switzerland."
    ]
    assert not ReflectionPeriod.objects.exists()


def test_reflection_period_asks_for_an_unknown_citizenship(mandated_ngo, caseworker):
    case = case_with(organisation=mandated_ngo, caseworkers=[caseworker], citizenships=[])
    with pytest.raises(ValidationError) as excinfo:
        services.reflection_period_start(case=case, actor=caseworker, start_date=TODAY)
    assert excinfo.value.message_dict == {"start_date": [str(services.REFLECTION_CITIZENSHIP_UNKNOWN)]}


def test_national_coordinator_cannot_start_a_reflection_period(mandated_ngo, national):
    case = case_with(organisation=mandated_ngo, citizenships=["UA"])
    with pytest.raises(PermissionDenied):
        services.reflection_period_start(case=case, actor=national, start_date=TODAY)


# --- residence permit -------------------------------------------------------------------------

TRAVEL = {
    "travel_document_presented_on": TODAY,
    "travel_document_type": "passport",
    "travel_document_number": "FA0987654",
}


def test_residence_permit_workflow_step_by_step(mandated_ngo, caseworker, coordinator):
    case = case_with(
        organisation=mandated_ngo, caseworkers=[caseworker], citizenships=["UZ"], identified=True
    )
    permit = services.residence_permit_save(case=case, actor=caseworker, **TRAVEL)
    assert permit.step == "Travel document presented"
    later = TODAY + datetime.timedelta(days=2)
    permit = services.residence_permit_save(case=case, actor=caseworker, application_submitted_on=later)
    assert permit.step == "Application submitted, awaiting the decision"
    with pytest.raises(ValidationError) as excinfo:
        services.residence_permit_save(case=case, actor=coordinator, decision="granted", decision_on=later)
    assert str(PERMIT_GRANTED_NEEDS) in excinfo.value.messages
    permit = services.residence_permit_save(
        case=case,
        actor=coordinator,
        decision="granted",
        decision_on=later,
        permit_number="RP-1",
        valid_from=later,
        valid_until=later + datetime.timedelta(days=364),
    )
    assert permit.step == "Granted"
    users = list(permit.history.order_by("history_date").values_list("history_user__username", flat=True))
    assert users == ["caseworker", "caseworker", "coordinator"]


def test_the_decision_needs_the_application(mandated_ngo, caseworker):
    case = case_with(
        organisation=mandated_ngo, caseworkers=[caseworker], citizenships=["VN"], identified=True
    )
    with pytest.raises(ValidationError) as excinfo:
        services.residence_permit_save(
            case=case, actor=caseworker, **TRAVEL, decision="refused", decision_on=TODAY
        )
    assert excinfo.value.message_dict["decision"] == ["Record the earlier steps first: the application."]


def test_residence_permit_refused_for_an_eu_citizen(mandated_ngo, caseworker):
    case = case_with(
        organisation=mandated_ngo, caseworkers=[caseworker], citizenships=["LT"], identified=True
    )
    with pytest.raises(ValidationError) as excinfo:
        services.residence_permit_save(case=case, actor=caseworker, **TRAVEL)
    assert excinfo.value.messages == [
        "A victim's residence permit is only for third-country nationals; this person is a citizen of the EU, "
        "the EEA or Switzerland and needs none."
    ]
    assert not ResidencePermit.objects.exists()


def test_residence_permit_refused_before_the_identification_and_without_citizenship(mandated_ngo, caseworker):
    presumed = case_with(organisation=mandated_ngo, caseworkers=[caseworker], citizenships=["UA"])
    with pytest.raises(ValidationError) as excinfo:
        services.residence_permit_save(case=presumed, actor=caseworker, **TRAVEL)
    assert excinfo.value.messages == [str(services.PERMIT_NEEDS_IDENTIFIED_VICTIM)]
    unknown = case_with(organisation=mandated_ngo, caseworkers=[caseworker], citizenships=[], identified=True)
    with pytest.raises(ValidationError) as excinfo:
        services.residence_permit_save(case=unknown, actor=caseworker, **TRAVEL)
    assert excinfo.value.messages == [str(services.PERMIT_CITIZENSHIP_UNKNOWN)]
    assert Case.objects.count() == 2 and not ResidencePermit.objects.exists()
