"""Demo data for stage 2: a case at each point of the identification flow, assistance, proceedings,
a reflection period ending in 3 days and a residence permit. Idempotent: a case that already has
an identification record is left alone.

Every identification is proposed and decided through the services, so that each case's victim
status and stage follow from it as they would from a user's clicks (docs/lifecycle.md); the
not-identified case is then closed by the coordinator.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from cases import services as case_services

from . import services
from .corrections import ASSISTANCE_FIELDS
from .models import AssistanceRecord, ReflectionPeriod

Kind = AssistanceRecord.Kind


def _dated(obj, actor, **dates) -> None:
    """Shift a decision's dates to when it happened: the demo shows a caseload built over months,
    and a user's click can only ever say "now". Only dates are written here, never a status."""
    for name, value in dates.items():
        setattr(obj, name, value)
    obj._history_user = actor
    obj._change_reason = "Demo data: dated earlier"
    obj.save(update_fields=list(dates))


def _approved(
    case, *, proposer, decider, ground, days_ago, today, outcome="identified", outcome_reason="", **document
):
    """Proposed by the caseworker and approved by the coordinator through the services, as their
    clicks would (the case's stage follows the approval); then dated back to when it happened,
    since the demo shows a caseload built over months."""
    proposal = services.identification_propose(
        case=case, actor=proposer, ground=ground, outcome=outcome, outcome_reason=outcome_reason, **document
    )
    identification = services.identification_approve(identification=proposal, actor=decider)
    _dated(
        identification,
        decider,
        proposed_at=timezone.now() - datetime.timedelta(days=days_ago + 2),
        decided_at=timezone.now() - datetime.timedelta(days=days_ago),
    )
    return identification


def _assistance(case, actor, kind, start, arranged_by, outcome="", end=None, **extra):
    """Recorded through the service, as the caseworker's form would."""
    return services.assistance_record(
        case=case,
        actor=actor,
        kind=kind,
        started_on=start,
        ended_on=end,
        arranged_by=arranged_by,
        outcome=outcome,
        **extra,
    )


def load(state: dict) -> None:
    cases, users, today = state["cases"], state["users"], state["today"]
    caseworker, caseworker2, coordinator = users["caseworker"], users["caseworker2"], users["coordinator"]
    days = lambda n: today - datetime.timedelta(days=n)  # noqa: E731

    aija = cases.get("aija")
    if aija is not None and not aija.identifications.exists():
        # Proposed by the caseworker, awaiting the coordinator's review.
        _assistance(
            aija,
            caseworker,
            Kind.FIRST_MEETING,
            days(11),
            "Biedrība «Drošā osta»",
            "Pagaidu dzīvesvieta un apģērbs nodrošināti.",
            end=days(11),
        )
        services.identification_propose(
            case=aija,
            actor=caseworker,
            ground="law_enforcement_statement",
            le_institution="Valsts policija",
            le_country="LV",
            le_number="VP-2026/118",
            le_date=days(5),
        )

    oksana = cases.get("oksana")
    if oksana is not None and not oksana.identifications.exists():
        # A third-country national (UA): returned once, reflection period ending in 3 days.
        _assistance(
            oksana,
            caseworker2,
            Kind.FIRST_MEETING,
            days(6),
            "Biedrība «Drošā osta»",
            "Vajadzības izvērtētas.",
            end=days(6),
        )
        _assistance(
            oksana,
            caseworker2,
            Kind.EMERGENCY_MEDICAL_CARE,
            days(5),
            "Rīgas Austrumu slimnīca",
            "Ambulatori.",
            end=days(5),
        )
        proposal = services.identification_propose(
            case=oksana,
            actor=caseworker2,
            ground="expert_commission_report",
            commission_date=days(3),
            commission_members=[{"name": "I. Liepa", "profession": "psihologs"}],
        )
        services.identification_return(
            identification=proposal,
            actor=coordinator,
            reason="Komisijas sastāvā jānorāda visi locekļi un viņu profesijas (vismaz trīs).",
        )
        if not ReflectionPeriod.objects.filter(case=oksana).exists():
            services.reflection_period_start(case=oksana, actor=caseworker2, start_date=days(26))

    marija = cases.get("marija")
    if marija is not None and not marija.identifications.exists():
        _approved(
            marija,
            proposer=caseworker,
            decider=coordinator,
            ground="criminal_procedure_decision",
            days_ago=55,
            today=today,
            cp_case_number="11816001026",
            cp_date=days(57),
            cp_body="Valsts policijas Galvenā kriminālpolicijas pārvalde",
        )
        _assistance(marija, caseworker, Kind.EDUCATION, days(40), "Rīgas 1. vidusskola", "Mācības turpinās.")
        _assistance(
            marija,
            caseworker,
            Kind.LEGAL_AID,
            days(50),
            "Zvērināts advokāts J. Bērziņš",
            "Pārstāvība kriminālprocesā.",
        )
        proceeding = services.proceeding_record(
            case=marija,
            actor=caseworker,
            case_number="11816001026",
            procedural_status="victim",
            body="Rīgas rajona tiesa",
        )
        services.hearing_record(
            proceeding=proceeding,
            actor=caseworker,
            date=days(-14),
            place="Rīgas rajona tiesa, 12. zāle",
            note="Nopratināšana ar skaņu un attēlu ierakstu.",
        )

    lan = cases.get("lan")
    if lan is not None and not lan.identifications.exists():
        _approved(
            lan,
            proposer=caseworker2,
            decider=coordinator,
            ground="law_enforcement_statement",
            days_ago=160,
            today=today,
            le_institution="Police of the Czech Republic",
            le_country="CZ",
            le_number="KRPA-77120",
            le_date=days(165),
        )
        _assistance(
            lan,
            caseworker2,
            Kind.RETURN_FROM_ABROAD,
            days(168),
            "Latvijas vēstniecība Čehijā",
            end=days(167),
            outcome="Atgriezās Rīgā.",
        )
        _assistance(
            lan,
            caseworker2,
            Kind.LABOUR_MARKET,
            days(30),
            "Nodarbinātības valsts aģentūra",
            "Reģistrēta NVA.",
        )
        services.residence_permit_save(
            case=lan,
            actor=caseworker2,
            travel_document_presented_on=days(150),
            travel_document_type="pase",
            travel_document_number="C1234567",
            application_submitted_on=days(148),
            decision="granted",
            decision_on=days(120),
            permit_number="RP-2026-004411",
            valid_from=days(120),
            valid_until=days(120) + datetime.timedelta(days=364),
        )

    roberts = cases.get("roberts")
    if roberts is not None and not roberts.identifications.exists():
        _approved(
            roberts,
            proposer=caseworker,
            decider=coordinator,
            ground="expert_commission_report",
            days_ago=230,
            today=today,
            commission_date=days(232),
            commission_members=[
                {"name": "A. Kalna", "profession": "sociālais darbinieks"},
                {"name": "M. Priede", "profession": "psihologs"},
                {"name": "K. Vanags", "profession": "jurists"},
            ],
        )
        # Claimed, and later awarded: the award is a correction of the claim's status and amount,
        # as the caseworker records it (docs/lifecycle.md).
        claim = _assistance(
            roberts,
            caseworker,
            Kind.COMPENSATION,
            days(200),
            "Juridiskās palīdzības administrācija",
            claim="Valsts kompensācija cietušajam",
            amount_eur=Decimal("3000.00"),
            compensation_status="claimed",
        )
        services.assistance_correct(
            entry=claim,
            actor=caseworker,
            reason="Kompensācija piešķirta, mazākā apmērā nekā pieprasīts.",
            **{
                **{name: getattr(claim, name) for name in ASSISTANCE_FIELDS},
                "amount_eur": Decimal("2500.00"),
                "compensation_status": "awarded",
            },
        )
        proceeding = services.proceeding_record(
            case=roberts,
            actor=caseworker,
            case_number="12812000925",
            procedural_status="witness",
            body="Valsts policija",
        )
        services.hearing_record(
            proceeding=proceeding,
            actor=caseworker,
            date=days(90),
            place="Valsts policija, Čiekurkalna 1. līnija",
        )
        _assistance(
            roberts,
            caseworker,
            Kind.WITNESS_PROTECTION,
            days(95),
            "Valsts policija",
            "Procesuālā aizsardzība piešķirta.",
        )

    ahmed = cases.get("ahmed")
    if ahmed is not None and not ahmed.identifications.exists():
        _approved(
            ahmed,
            proposer=caseworker,
            decider=coordinator,
            ground="criminal_procedure_decision",
            days_ago=290,
            today=today,
            cp_case_number="11517003425",
            cp_date=days(292),
            cp_body="Valsts robežsardzes Imigrācijas kontroles dienests",
        )
        _assistance(
            ahmed, caseworker, Kind.LEGAL_AID, days(280), "Zvērināta advokāte L. Krūze", "Konsultācijas."
        )
        _assistance(
            ahmed,
            caseworker2,
            Kind.LABOUR_MARKET,
            days(60),
            "Nodarbinātības valsts aģentūra",
            "Darba vieta atrasta.",
        )
        # At the point of the application: submitted, awaiting the decision.
        services.residence_permit_save(
            case=ahmed,
            actor=caseworker,
            travel_document_presented_on=days(20),
            travel_document_type="pase",
            travel_document_number="FA0987654",
            application_submitted_on=days(18),
        )

    elina = cases.get("elina")
    if elina is not None and not elina.identifications.exists():
        _approved(
            elina,
            proposer=users["caseworker"],
            decider=coordinator,
            ground="expert_commission_report",
            days_ago=395,
            today=today,
            outcome="not_identified",
            outcome_reason="Komisija nekonstatēja cilvēku tirdzniecības pazīmes.",
            commission_date=days(396),
            commission_members=[
                {"name": "A. Kalna", "profession": "sociālais darbinieks"},
                {"name": "M. Priede", "profession": "psihologs"},
            ],
        )
        # Not identified: the case stays in identification until the coordinator closes it.
        case_services.case_close(
            case=elina,
            actor=coordinator,
            reason="Nav pietiekamu pazīmju; persona atteicās no pakalpojumiem.",
        )

    inese = cases.get("inese")
    if inese is not None and not inese.identifications.exists():
        _approved(
            inese,
            proposer=caseworker,
            decider=coordinator,
            ground="criminal_procedure_decision",
            days_ago=410,
            today=today,
            cp_case_number="11816002025",
            cp_date=days(412),
            cp_body="Valsts policijas Galvenā kriminālpolicijas pārvalde",
        )
