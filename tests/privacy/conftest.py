"""A case with a record in every app, the person's name typed into every free-text field."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from cases.models import Organisation
from referrals.models import Referral
from rehabilitation.models import (
    CourseService,
    CourtSupportEntry,
    FamilyConsultation,
    FamilyMember,
    MaterialAssistance,
    PostCourseConsultation,
    RehabilitationCourse,
    RehabilitationPlan,
)
from reintegration.models import (
    AssessedNeed,
    Assistance,
    EmploymentMeasure,
    PartnerConsultation,
    PartnerReferral,
)
from services.models import AssistanceRecord, CriminalProceeding, Hearing, Identification, ResidencePermit
from tests.factories import OrganisationFactory, PersonFactory, make_case

D = datetime.date

TEXT_TYPES = ("character varying", "text", "jsonb", "json", "character")


def text_columns() -> list[tuple[str, str]]:
    """Every text column of every table of the database, from the catalogue (not a hand list)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type = ANY(%s) ORDER BY table_name, column_name",
            [list(TEXT_TYPES)],
        )
        return cursor.fetchall()


def date_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type = 'date' ORDER BY table_name, column_name"
        )
        return cursor.fetchall()


def where_found(needles: list[str], born: datetime.date | None = None) -> list[str]:
    """Every table.column (text columns, and date columns for the date of birth) holding any needle."""
    found = []
    with connection.cursor() as cursor:
        for table, column in text_columns():
            for needle in needles:
                cursor.execute(
                    f'SELECT 1 FROM "{table}" WHERE "{column}"::text ILIKE %s LIMIT 1',
                    [f"%{needle}%"],
                )
                if cursor.fetchone():
                    found.append(f"{table}.{column}: {needle}")
        if born is not None:
            for table, column in date_columns():
                cursor.execute(f'SELECT 1 FROM "{table}" WHERE "{column}" = %s LIMIT 1', [born])
                if cursor.fetchone():
                    found.append(f"{table}.{column}: date of birth")
    return found


GIVEN, FAMILY = "Zentagrūda", "Vaivodiņa"
NEEDLES = ["Zentagr", "Vaivodi", "vaivodina", "+371 2911 7788", "zenta.v@example.lv", "Dzirnavu iela 77"]
BORN = D(1994, 7, 23)


def build_full_case(
    *, org, caseworker, coordinator, police, partner, name=(GIVEN, FAMILY), closed_years_ago=6
):
    given, family = name
    who = f"{given} {family}"
    person = PersonFactory(
        given_name=given,
        family_name=family,
        other_names=f"{given[:5]}a",
        date_of_birth=BORN,
        sex="female",
        citizenships=["LV"],
        phone="+371 2911 7788",
        email="zenta.v@example.lv",
        address="Dzirnavu iela 77, Rīga",
        languages="latviešu",
    )
    opened = D(2019, 3, 14)
    case = make_case(organisation=org, person=person, opened_on=opened)
    # A correction of the name: the history now holds two copies.
    person.languages = "latviešu, krievu"
    person.save()
    Referral.objects.create(
        organisation=police.organisation,
        created_by=police,
        status="accepted",
        consent=True,
        submitted_at=timezone.now() - datetime.timedelta(days=3000),
        case=case,
        person=person,
        given_name=given,
        family_name=family,
        date_of_birth=BORN,
        phone="+371 2911 7788",
        email="zenta.v@example.lv",
        address="Dzirnavu iela 77",
        met_on=D(2019, 3, 12),
        met_place=f"Met {who} at the station",
        indicators_notes=f"{who} said her passport was taken",
        forms_of_exploitation=["sexual"],
        intake_organisation=org,
        decided_by=coordinator,
        decided_at=timezone.now() - datetime.timedelta(days=2999),
    )
    Identification.objects.create(
        case=case,
        ground="criminal_procedure_decision",
        status="returned",
        return_reason=f"Check the decision about {who}",
        proposed_by=caseworker,
        decided_by=coordinator,
        decided_at=timezone.now() - datetime.timedelta(days=2990),
        cp_case_number=f"11/{family}",
        cp_date=D(2019, 3, 20),
        cp_body="Valsts policija",
    )
    proceeding = CriminalProceeding.objects.create(
        case=case,
        case_number="12816000119",
        procedural_status="victim",
        body="Valsts policija",
        note=f"{who} testifies",
        recorded_by=caseworker,
    )
    Hearing.objects.create(
        proceeding=proceeding,
        date=D(2019, 6, 1),
        place="Rīgas tiesa",
        note=f"{who} present",
        recorded_by=caseworker,
    )
    AssistanceRecord.objects.create(
        case=case,
        kind="legal_aid",
        started_on=D(2019, 4, 1),
        arranged_by=f"Advokāts for {family}",
        outcome=f"{who} advised",
        recorded_by=caseworker,
    )
    ResidencePermit.objects.create(
        case=case,
        travel_document_presented_on=D(2019, 4, 2),
        travel_document_type="passport",
        travel_document_number=f"LV{family}",
        recorded_by=caseworker,
    )
    course = RehabilitationCourse.objects.create(
        case=case, start_date=D(2019, 4, 1), last_day=D(2019, 9, 27), recorded_by=caseworker
    )
    RehabilitationPlan.objects.create(course=course, goals=f"{who} finds housing", updated_by=caseworker)
    CourseService.objects.create(
        course=course,
        date=D(2019, 4, 5),
        specialist="psychologist",
        hours=Decimal("1.00"),
        notes=f"{who} slept badly",
        recorded_by=caseworker,
    )
    MaterialAssistance.objects.create(
        course=course,
        date=D(2019, 4, 6),
        description=f"Coat for {given}",
        amount_eur=Decimal("40.00"),
        recorded_by=caseworker,
    )
    PostCourseConsultation.objects.create(
        course=course, date=D(2019, 10, 5), specialist="lawyer", notes=f"{who} ok", recorded_by=caseworker
    )
    from cases.models import LegalRepresentative

    LegalRepresentative.objects.create(
        case=case,
        kind="parent",
        name=f"Ausma {family}",
        contact=f"{family} mājās",
        recorded_by=caseworker,
        ended_at=timezone.now(),
        end_reason=f"{given} came of age",
    )
    mother = FamilyMember.objects.create(
        case=case,
        given_name="Ausma",
        family_name=family,
        relationship=f"mother of {given}",
        recorded_by=caseworker,
    )
    FamilyConsultation.objects.create(
        case=case,
        family_member=mother,
        date=D(2019, 5, 5),
        specialist="psychologist",
        notes=f"Ausma about {given}",
        recorded_by=caseworker,
    )
    CourtSupportEntry.objects.create(
        case=case,
        date=D(2019, 6, 1),
        hours=Decimal("2.00"),
        activity=f"Court with {who}",
        recorded_by=caseworker,
    )
    onward = PartnerReferral.objects.create(
        case=case,
        partner=partner,
        needs_note=f"{who} needs a flat",
        referred_by=caseworker,
        legal_basis="consent",
        consent_given_on=D(2019, 5, 1),
        consent_how="oral",
        consent_covers=f"{who}'s name and needs, for a flat",
        status="withdrawn",
        withdrawn_at=timezone.now() - datetime.timedelta(days=2800),
        withdrawn_by=caseworker,
        withdraw_reason=f"{given} moved",
    )
    AssessedNeed.objects.create(
        referral=onward,
        category="housing",
        description=f"Flat for {given}",
        amount_eur=Decimal("100"),
        recorded_by=partner.members.first() or caseworker,
        period_from=D(2019, 8, 1),
        period_to=D(2019, 9, 1),
    )
    Assistance.objects.create(
        referral=onward,
        kind="housing",
        description=f"Rent for {given}",
        amount_eur=Decimal("100"),
        granted_from=D(2019, 8, 1),
        recorded_by=caseworker,
    )
    EmploymentMeasure.objects.create(
        referral=onward,
        kind="placement",
        started_on=D(2019, 9, 1),
        employer=f"Bakery of {family}",
        recorded_by=caseworker,
    )
    PartnerConsultation.objects.create(
        referral=onward,
        held_on=D(2019, 8, 2),
        participants=f"{given}, Ausma",
        topic=f"{given}'s flat",
        recommendations=f"Call {given}",
        recorded_by=caseworker,
    )
    # Closed years ago with the name in the reason (and so in the history's change reason).
    case.stage = "closed"
    case.closed_at = timezone.now() - datetime.timedelta(days=365 * closed_years_ago + 2)
    case.close_reason = f"{who} returned home"
    case._change_reason = f"{who} returned home"
    case.save()
    return case


@pytest.fixture
def partner(db):
    return OrganisationFactory(
        name="Rīgas sociālais dienests P",
        kind=Organisation.Kind.MUNICIPAL_SOCIAL_SERVICE,
        municipality="Rīga",
    )


@pytest.fixture
def full_case(mandated_ngo, caseworker, coordinator, police, partner):
    return build_full_case(
        org=mandated_ngo, caseworker=caseworker, coordinator=coordinator, police=police, partner=partner
    )
