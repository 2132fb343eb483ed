"""Demo data: two cases in reintegration referred to Rīga and the agency, one to Jelgava.

Idempotent: a referral is found by (case, partner) before it is made, and its records are made
only together with it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from cases.models import Case

from . import services
from .models import ConsentGiven, EmploymentMeasure, LegalBasis, NeedCategory, PartnerReferral


def _refer(case: Case, partner, note: str, actor) -> tuple[PartnerReferral, bool]:
    existing = PartnerReferral.objects.filter(case=case, partner=partner).first()
    if existing is not None:
        return existing, False
    consent = {
        "legal_basis": LegalBasis.CONSENT,
        "consent_given_on": case.opened_on,
        "consent_how": ConsentGiven.SIGNED_FORM,
        "consent_covers": "Name, age, contact and languages, and the needs note, for the partner's assistance.",
    }
    referral = services.referral_create(case=case, partner=partner, needs_note=note, actor=actor, **consent)
    return referral, True


def load(state: dict) -> None:
    orgs, users, cases, today = state["orgs"], state["users"], state["cases"], state["today"]
    caseworker, municipality, employment = users["caseworker"], users["municipality"], users["employment"]
    day = datetime.timedelta(days=1)

    roberts, ahmed, aija = cases.get("roberts"), cases.get("ahmed"), cases.get("aija")

    if roberts is not None and roberts.is_open:
        riga, created = _refer(
            roberts,
            orgs["riga"],
            "Needs help with rent arrears and utility bills for the flat in Rīga, and food until the first wage.",
            caseworker,
        )
        if created:
            services.need_record(
                referral=riga,
                actor=municipality,
                category=NeedCategory.UTILITIES,
                amount_eur=Decimal("120.00"),
                months=3,
                description="Heating and electricity",
            )
            services.need_record(
                referral=riga,
                actor=municipality,
                category=NeedCategory.FOOD,
                amount_eur=Decimal("90.00"),
                period_from=today - 20 * day,
                period_to=today + 40 * day,
            )
            services.assistance_record(
                referral=riga,
                actor=municipality,
                kind=NeedCategory.FOOD,
                amount_eur=Decimal("90.00"),
                granted_from=today - 14 * day,
                granted_to=today + 40 * day,
                description="Food vouchers",
            )
            services.consultation_record(
                referral=riga,
                actor=caseworker,
                held_on=today - 10 * day,
                participants="NGO caseworker, municipal social worker",
                topic="Housing and utilities",
                recommendations="Apply for the housing benefit.",
            )
        nva, created = _refer(
            roberts,
            orgs["nva"],
            "Worked in construction; wants to register as a job seeker and learn welding.",
            caseworker,
        )
        if created:
            services.measure_record(
                referral=nva,
                actor=employment,
                kind=EmploymentMeasure.Kind.REGISTRATION,
                started_on=today - 12 * day,
            )
            services.measure_record(
                referral=nva,
                actor=employment,
                kind=EmploymentMeasure.Kind.TRAINING,
                started_on=today - 5 * day,
                ended_on=today + 85 * day,
                course="Metinātājs (MIG/MAG)",
                provider="Rīgas Valsts tehnikums",
            )
            services.consultation_record(
                referral=nva,
                actor=employment,
                held_on=today - 6 * day,
                participants="NGO caseworker, employment officer",
                topic="Choice of training",
                recommendations="Welding course from next week.",
            )

    if ahmed is not None and ahmed.is_open:
        riga, created = _refer(
            ahmed, orgs["riga"], "Needs medical care and help with housing; speaks Russian.", caseworker
        )
        if created:
            services.need_record(
                referral=riga,
                actor=municipality,
                category=NeedCategory.HOUSING,
                amount_eur=Decimal("250.00"),
                months=6,
            )
            services.need_record(
                referral=riga,
                actor=municipality,
                category=NeedCategory.MEDICAL,
                amount_eur=Decimal("60.00"),
                months=2,
            )
            services.assistance_record(
                referral=riga,
                actor=municipality,
                kind=NeedCategory.HOUSING,
                amount_eur=Decimal("250.00"),
                granted_from=today - 3 * day,
            )
        nva, created = _refer(
            ahmed, orgs["nva"], "Has a victim's residence permit; looking for work as a driver.", caseworker
        )
        if created:
            services.measure_record(
                referral=nva,
                actor=employment,
                kind=EmploymentMeasure.Kind.COUNSELLING,
                started_on=today - 4 * day,
                outcome="Interested in logistics",
            )
            services.consultation_record(
                referral=nva,
                actor=caseworker,
                held_on=today - 2 * day,
                participants="NGO caseworker, employment officer",
                topic="Right to work",
                recommendations="Check the permit's validity first.",
            )

    # A referral to another municipality: the Rīga social worker must not see it.
    if aija is not None and aija.is_open:
        _refer(
            aija,
            orgs["jelgava"],
            "Moving to Jelgava to live with her sister; needs help with the rent.",
            users["coordinator"],
        )
