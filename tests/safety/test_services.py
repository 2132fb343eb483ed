"""The safety services: state, history with its user, and every refusal with its message."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases.models import RiskLevel
from safety import services
from safety.models import RiskAssessment, RiskFactor, SafetyMeasure

from .conftest import assess

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def test_assessment_sets_the_case_level_and_keeps_every_factor(case_of_caseworker, caseworker):
    assessment = assess(
        case_of_caseworker,
        caseworker,
        level=RiskLevel.HIGH,
        factors={RiskFactor.THREATS: (True, "Calls to the mother"), RiskFactor.DEBTS: (False, "")},
    )
    case_of_caseworker.refresh_from_db()
    assert case_of_caseworker.risk_level == RiskLevel.HIGH
    factors = {f.factor: f for f in assessment.factors.all()}
    assert set(factors) == set(RiskFactor.values)
    assert factors[RiskFactor.THREATS].present and factors[RiskFactor.THREATS].notes == "Calls to the mother"
    assert not factors[RiskFactor.KNOWN_ADDRESS].present
    assert assessment.history.get().history_user == caseworker
    assert case_of_caseworker.history.first().history_user == caseworker


def test_a_reassessment_lowers_the_level_and_keeps_the_earlier_one(case_of_caseworker, caseworker):
    assess(case_of_caseworker, caseworker, level=RiskLevel.HIGH, assessed_on=TODAY() - 10 * DAY)
    assess(case_of_caseworker, caseworker, level=RiskLevel.LOW)
    case_of_caseworker.refresh_from_db()
    assert case_of_caseworker.risk_level == RiskLevel.LOW
    assert RiskAssessment.objects.filter(case=case_of_caseworker).count() == 2


def test_a_backdated_assessment_does_not_override_the_latest(case_of_caseworker, caseworker):
    assess(case_of_caseworker, caseworker, level=RiskLevel.HIGH)
    assess(case_of_caseworker, caseworker, level=RiskLevel.LOW, assessed_on=TODAY() - 20 * DAY)
    case_of_caseworker.refresh_from_db()
    assert case_of_caseworker.risk_level == RiskLevel.HIGH


def test_the_review_must_follow_the_assessment(case_of_caseworker, caseworker):
    with pytest.raises(ValidationError) as error:
        assess(case_of_caseworker, caseworker, next_review_on=TODAY())
    assert error.value.message_dict["next_review_on"] == [
        services.REVIEW_AFTER_ASSESSMENT % {"date": TODAY().isoformat()}
    ]
    assert not RiskAssessment.objects.exists()


def test_an_assessment_cannot_be_in_the_future(case_of_caseworker, caseworker):
    with pytest.raises(ValidationError) as error:
        assess(case_of_caseworker, caseworker, assessed_on=TODAY() + DAY, next_review_on=TODAY() + 9 * DAY)
    assert error.value.message_dict["assessed_on"] == [str(services.ASSESSED_IN_FUTURE)]


@pytest.mark.parametrize("who", ["caseworker2", "national", "municipality", "admin"])
def test_only_who_may_change_the_case_assesses(case_of_caseworker, all_role_users, who):
    with pytest.raises(PermissionDenied):
        assess(case_of_caseworker, all_role_users[who])
    assert not RiskAssessment.objects.exists()


def test_a_plan_needs_medium_or_high_risk(case_of_caseworker, caseworker):
    kwargs = {"kind": SafetyMeasure.Kind.CODE_WORD, "description": "Word agreed", "responsible": "Caseworker"}
    with pytest.raises(ValidationError) as error:
        services.safety_measure_add(case=case_of_caseworker, actor=caseworker, **kwargs)
    assert error.value.messages == [str(services.PLAN_NEEDS_RISK)]
    assess(case_of_caseworker, caseworker, level=RiskLevel.LOW)
    with pytest.raises(ValidationError):
        services.safety_measure_add(case=case_of_caseworker, actor=caseworker, **kwargs)
    assess(case_of_caseworker, caseworker, level=RiskLevel.MEDIUM)
    measure = services.safety_measure_add(case=case_of_caseworker, actor=caseworker, **kwargs)
    assert measure.history.get().history_user == caseworker


def test_a_measure_change_keeps_its_history(case_of_caseworker, caseworker, coordinator):
    assess(case_of_caseworker, caseworker, level=RiskLevel.MEDIUM)
    measure = services.safety_measure_add(
        case=case_of_caseworker,
        actor=caseworker,
        kind=SafetyMeasure.Kind.SAFE_ACCOMMODATION,
        description="Shelter flat",
        responsible="Caseworker",
        due_on=TODAY() + 3 * DAY,
    )
    services.safety_measure_update(
        measure=measure,
        actor=coordinator,
        kind=SafetyMeasure.Kind.SAFE_ACCOMMODATION,
        description="Shelter flat in another town",
        responsible="Caseworker",
        due_on=TODAY() + 3 * DAY,
        done_on=TODAY(),
        reason="Moved after a threat",
    )
    history = list(measure.history.order_by("history_date"))
    assert [h.description for h in history] == ["Shelter flat", "Shelter flat in another town"]
    assert history[-1].history_user == coordinator
    assert history[-1].history_change_reason == "Moved after a threat"


def test_a_measure_cannot_be_due_in_the_past_or_done_in_the_future(case_of_caseworker, caseworker):
    assess(case_of_caseworker, caseworker)
    with pytest.raises(ValidationError) as error:
        services.safety_measure_add(
            case=case_of_caseworker,
            actor=caseworker,
            kind=SafetyMeasure.Kind.OTHER,
            description="x",
            responsible="y",
            due_on=TODAY() - DAY,
        )
    assert error.value.message_dict["due_on"] == [str(services.DUE_BEFORE_TODAY)]
    measure = services.safety_measure_add(
        case=case_of_caseworker,
        actor=caseworker,
        kind=SafetyMeasure.Kind.OTHER,
        description="x",
        responsible="y",
    )
    with pytest.raises(ValidationError) as error:
        services.safety_measure_update(
            measure=measure,
            actor=caseworker,
            kind=measure.kind,
            description="x",
            responsible="y",
            done_on=TODAY() + DAY,
        )
    assert error.value.message_dict["done_on"] == [str(services.DONE_IN_FUTURE)]


def test_instructions_are_written_on_the_person_with_history(case_of_caseworker, caseworker):
    person = services.safe_contact_instructions_set(
        case=case_of_caseworker, actor=caseworker, instructions="  Speak only Russian.  "
    )
    assert person.safe_contact_instructions == "Speak only Russian."
    last = person.history.first()
    assert last.history_user == caseworker and last.safe_contact_instructions == "Speak only Russian."
    with pytest.raises(ValidationError) as error:
        services.safe_contact_instructions_set(
            case=case_of_caseworker, actor=caseworker, instructions="x" * 1001
        )
    assert error.value.message_dict["instructions"] == [
        services.INSTRUCTIONS_TOO_LONG % {"max": services.INSTRUCTIONS_MAX}
    ]


def test_disclosure_needs_a_reason_and_a_partner(high_risk_case, caseworker, municipality, police):
    riga = municipality.organisation
    with pytest.raises(ValidationError) as error:
        services.contact_disclose(case=high_risk_case, actor=caseworker, organisation=riga, reason=" ")
    assert error.value.message_dict["reason"] == [str(services.DISCLOSE_NEEDS_REASON)]
    with pytest.raises(ValidationError) as error:
        services.contact_disclose(
            case=high_risk_case, actor=caseworker, organisation=police.organisation, reason="To visit"
        )
    assert error.value.message_dict["organisation"] == [str(services.DISCLOSE_NOT_PARTNER)]
    grant = services.contact_disclose(
        case=high_risk_case, actor=caseworker, organisation=riga, reason="Home visit to assess needs"
    )
    assert grant.history.get().history_user == caseworker
    with pytest.raises(ValidationError) as error:
        services.contact_disclose(case=high_risk_case, actor=caseworker, organisation=riga, reason="again")
    assert error.value.message_dict["organisation"] == [services.DISCLOSE_ALREADY % {"name": riga.name}]
    services.contact_disclosure_revoke(disclosure=grant, actor=caseworker)
    grant.refresh_from_db()
    assert grant.revoked_by == caseworker and grant.history.count() == 2


def test_disclosure_only_on_a_high_risk_case_by_who_sees_the_contact(
    case_of_caseworker, high_risk_case, caseworker, coordinator2, national, municipality
):
    riga = municipality.organisation
    with pytest.raises(PermissionDenied):
        services.contact_disclose(case=case_of_caseworker, actor=caseworker, organisation=riga, reason="x")
    for actor in (coordinator2, national, municipality):
        with pytest.raises(PermissionDenied):
            services.contact_disclose(case=high_risk_case, actor=actor, organisation=riga, reason="x")
