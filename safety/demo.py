"""Demo data: a high-risk case in reintegration (referred to Rīga) with its safety plan and
safe-contact instructions, and a medium-risk case due for review; built through the services.

Idempotent: a case that already has an assessment is left as it is.
"""

from __future__ import annotations

import datetime

from cases.models import RiskLevel

from . import jobs, services
from .models import RiskAssessment, RiskFactor, SafetyMeasure


def load(state: dict) -> None:
    cases, users, today = state["cases"], state["users"], state["today"]
    caseworker = users["caseworker"]
    day = datetime.timedelta(days=1)

    roberts = cases.get("roberts")
    if roberts is not None and roberts.is_open and not RiskAssessment.objects.filter(case=roberts).exists():
        services.risk_assessment_record(
            case=roberts,
            actor=caseworker,
            assessed_on=today - 5 * day,
            level=RiskLevel.HIGH,
            next_review_on=today + 25 * day,
            notes="The recruiter has asked former co-workers where Roberts lives now.",
            factors={
                RiskFactor.EXPLOITER_CONTACT: (True, "Messages from the recruiter's brother last week."),
                RiskFactor.THREATS: (True, "Threatened to 'collect the debt' from his mother."),
                RiskFactor.DEBTS: (True, "A claimed debt of 3 000 EUR for travel and lodging."),
                RiskFactor.KNOWN_ADDRESS: (True, "The registered address is known to the exploiters."),
                RiskFactor.TESTIMONY: (True, "Witness in the criminal proceedings."),
            },
        )
        if not SafetyMeasure.objects.filter(case=roberts).exists():
            for kind, description, responsible, due in (
                (
                    SafetyMeasure.Kind.SAFE_ACCOMMODATION,
                    "Stays in the NGO's shelter flat until the hearing.",
                    "Anna Kalniņa (caseworker)",
                    today + 10 * day,
                ),
                (
                    SafetyMeasure.Kind.CODE_WORD,
                    "Code word agreed with the caseworker for calls in danger.",
                    "Roberts himself",
                    None,
                ),
                (
                    SafetyMeasure.Kind.SPECIAL_PROTECTION,
                    "Request special protection of a person who testifies.",
                    "The NGO's lawyer",
                    today + 7 * day,
                ),
            ):
                services.safety_measure_add(
                    case=roberts,
                    actor=caseworker,
                    kind=kind,
                    description=description,
                    responsible=responsible,
                    due_on=due,
                )
        services.safe_contact_instructions_set(
            case=roberts,
            actor=caseworker,
            instructions="Never write to the registered address. Call only through the caseworker; "
            "no calls before 18:00.",
        )

    aija = cases.get("aija")
    if aija is not None and aija.is_open and not RiskAssessment.objects.filter(case=aija).exists():
        services.risk_assessment_record(
            case=aija,
            actor=caseworker,
            assessed_on=today - 40 * day,
            level=RiskLevel.MEDIUM,
            next_review_on=today - 10 * day,
            factors={RiskFactor.DOCUMENTS_HELD: (True, "Passport still with the former employer.")},
        )

    # The alerts the daily job raises for them (an overdue review), as the other stages' demo does.
    jobs.raise_safety_alerts(today=today)
