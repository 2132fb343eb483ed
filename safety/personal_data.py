"""The safety app's records (cases/personal_data.py explains the registry)."""

from cases.personal_data import Rule, Withhold, register

from .models import ContactDisclosure, EmergencyAccess, RiskAssessment, RiskAssessmentFactor, SafetyMeasure

# Risk notes and the plan describe the exploiters and where the person hides: internal notes,
# withheld from a subject-access export (the export could reach the people it protects from).
register(
    RiskAssessment,
    case_path="case",
    fields={"notes": Rule.REDACT},
    withhold={"notes": Withhold.INTERNAL},
)
register(
    RiskAssessmentFactor,
    case_path="assessment__case",
    fields={"notes": Rule.REDACT},
    withhold={"notes": Withhold.INTERNAL},
)
register(
    SafetyMeasure,
    case_path="case",
    fields={"description": Rule.REDACT, "responsible": Rule.REDACT},
    withhold={"description": Withhold.INTERNAL},
)
register(
    ContactDisclosure,
    case_path="case",
    fields={"reason": Rule.REDACT},
    withhold={"reason": Withhold.INTERNAL},
)
register(
    EmergencyAccess, case_path="case", fields={"reason": Rule.REDACT}, withhold={"reason": Withhold.INTERNAL}
)
