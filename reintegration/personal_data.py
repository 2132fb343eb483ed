"""The personal data of stage 3 (cases/personal_data.py explains the registry)."""

from cases.personal_data import Rule, Withhold, register

from .models import AssessedNeed, Assistance, EmploymentMeasure, PartnerConsultation, PartnerReferral

register(
    PartnerReferral,
    case_path="case",
    fields={
        "needs_note": Rule.REDACT,
        "withdraw_reason": Rule.REDACT,
        "outcome": Rule.REDACT,
        "consent_covers": Rule.REDACT,
        "other_basis": Rule.REDACT,
        "consent_given_on": Rule.MONTH,
        "consent_withdrawn_on": Rule.MONTH,
    },
)
register(AssessedNeed, case_path="referral__case", fields={"description": Rule.REDACT})
register(Assistance, case_path="referral__case", fields={"description": Rule.REDACT})
register(
    EmploymentMeasure,
    case_path="referral__case",
    fields={"course": Rule.REDACT, "provider": Rule.REDACT, "employer": Rule.REDACT, "outcome": Rule.REDACT},
)
register(
    PartnerConsultation,
    case_path="referral__case",
    fields={"participants": Rule.REDACT, "topic": Rule.REDACT, "recommendations": Rule.REDACT},
    withhold={
        "participants": Withhold.THIRD_PARTY,
        "topic": Withhold.INTERNAL,
        "recommendations": Withhold.INTERNAL,
    },
)
