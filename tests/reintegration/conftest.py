"""Fixtures for stage 3: partner organisations, and a case referred to Rīga and the agency.

Distinctive strings mark what a partner must never see, so tests can assert on the rendered
HTML and the JSON that they are absent.
"""

import datetime
from decimal import Decimal

import pytest

from cases import services as case_services
from cases.models import Case, Organisation, Role
from reintegration import services
from reintegration.models import EmploymentMeasure, NeedCategory
from tests.factories import CONSENT, OrganisationFactory, PersonFactory, UserFactory, make_case

# The alias and the NGO's contact person (the caseworker who referred) are shared with the
# partner the case is referred to; the rest below is withheld from them.
SHARED_WITH_PARTNER = ("other_names", "caseworker")
WITHHELD = {
    "date_of_birth": "1990-05-17",
    "other_names": "Zzalias Withheld",
    "citizenship": "Ukraine",
    "victim_status": "Identified victim",
    "stage_reason": "Zzstage reason withheld",
    "caseworker": "Kalniņa",
    "caseworker2": "Ozols",
    "note_to_riga": "Zznote to Riga",
    "note_to_nva": "Zznote to NVA",
    "riga_need": "Zzriga need",
    "riga_assistance": "Zzriga assistance",
    "riga_consultation": "Zzriga consultation topic",
    "nva_course": "Zznva welding course",
    "nva_consultation": "Zznva consultation topic",
    "old_note": "Zzold withdrawn note",
}


@pytest.fixture
def riga(municipality):
    return municipality.organisation


@pytest.fixture
def nva(employment):
    return employment.organisation


@pytest.fixture
def jelgava(db):
    return OrganisationFactory(
        name="Jelgava social service", kind=Organisation.Kind.MUNICIPAL_SOCIAL_SERVICE, municipality="Jelgava"
    )


@pytest.fixture
def jelgava_worker(jelgava):
    return UserFactory(username="jelgava", organisation=jelgava, roles=[Role.MUNICIPAL_SOCIAL_WORKER])


@pytest.fixture
def riga_first_responder(riga):
    """A member of the Rīga social service without the social worker's role."""
    return UserFactory(username="riga_fr", organisation=riga, roles=[Role.FIRST_RESPONDER])


@pytest.fixture
def referred_case(mandated_ngo, caseworker, caseworker2, coordinator):
    person = PersonFactory(
        given_name="Oksana",
        family_name="Kovalenko",
        other_names=WITHHELD["other_names"],
        date_of_birth=datetime.date(1990, 5, 17),
        citizenships=["UA"],
        languages="ukraiņu, krievu",
        phone="+371 20000002",
        email="oksana@example.invalid",
        address="Brīvības iela 1, Rīga",
    )
    case = make_case(organisation=mandated_ngo, person=person, caseworkers=[caseworker, caseworker2])
    case = case_services.case_set_victim_status(
        case=case, status=Case.VictimStatus.IDENTIFIED, actor=coordinator
    )
    case = case_services.case_move_to_stage(
        case=case, stage=Case.Stage.REINTEGRATION, actor=coordinator, reason=WITHHELD["stage_reason"]
    )
    return case


@pytest.fixture
def riga_referral(referred_case, caseworker, riga, municipality):
    old = services.referral_create(
        **CONSENT, case=referred_case, partner=riga, needs_note=WITHHELD["old_note"], actor=caseworker
    )
    services.referral_withdraw(referral=old, actor=caseworker, reason="Sent too early")
    referral = services.referral_create(
        **CONSENT, case=referred_case, partner=riga, needs_note=WITHHELD["note_to_riga"], actor=caseworker
    )
    services.need_record(
        referral=referral,
        actor=municipality,
        category=NeedCategory.FOOD,
        amount_eur=Decimal("80.00"),
        months=2,
        description=WITHHELD["riga_need"],
    )
    services.assistance_record(
        referral=referral,
        actor=municipality,
        kind=NeedCategory.UTILITIES,
        amount_eur=Decimal("55.50"),
        granted_from=datetime.date(2026, 1, 1),
        description=WITHHELD["riga_assistance"],
    )
    services.consultation_record(
        referral=referral,
        actor=caseworker,
        held_on=datetime.date(2026, 1, 5),
        participants="NGO and municipality",
        topic=WITHHELD["riga_consultation"],
    )
    return referral


@pytest.fixture
def nva_referral(referred_case, caseworker, nva, employment):
    referral = services.referral_create(
        **CONSENT, case=referred_case, partner=nva, needs_note=WITHHELD["note_to_nva"], actor=caseworker
    )
    services.measure_record(
        referral=referral,
        actor=employment,
        kind=EmploymentMeasure.Kind.TRAINING,
        started_on=datetime.date(2026, 2, 1),
        course=WITHHELD["nva_course"],
        provider="Technical school",
    )
    services.consultation_record(
        referral=referral,
        actor=employment,
        held_on=datetime.date(2026, 1, 6),
        participants="NGO and agency",
        topic=WITHHELD["nva_consultation"],
    )
    return referral


@pytest.fixture
def jelgava_case(mandated_ngo, coordinator, jelgava):
    case = make_case(
        organisation=mandated_ngo, person=PersonFactory(given_name="Jelgavas", family_name="Persona")
    )
    referral = services.referral_create(
        **CONSENT, case=case, partner=jelgava, needs_note="Zznote to Jelgava", actor=coordinator
    )
    return referral


def referral_for(case, partner, actor, note="Needs help"):
    return services.referral_create(**CONSENT, case=case, partner=partner, needs_note=note, actor=actor)
