"""The personal data of stage 2 (cases/personal_data.py explains the registry)."""

from cases.personal_data import Rule, Withhold, register

from .models import (
    AssistanceRecord,
    CriminalProceeding,
    Hearing,
    Identification,
    ReflectionPeriod,
    ResidencePermit,
)

register(
    Identification,
    case_path="case",
    fields={
        "outcome_reason": Rule.REDACT,
        "return_reason": Rule.REDACT,
        "cp_case_number": Rule.REDACT,
        "le_number": Rule.REDACT,
        "commission_members": Rule.EMPTY_LIST,
    },
    withhold={"commission_members": Withhold.THIRD_PARTY},
)
register(
    CriminalProceeding,
    case_path="case",
    fields={"case_number": Rule.REDACT, "note": Rule.REDACT},
    withhold={"note": Withhold.INTERNAL},
)
register(
    Hearing,
    case_path="proceeding__case",
    fields={"place": Rule.REDACT, "note": Rule.REDACT},
    withhold={"note": Withhold.INTERNAL},
)
register(
    AssistanceRecord,
    case_path="case",
    fields={"arranged_by": Rule.REDACT, "outcome": Rule.REDACT, "claim": Rule.REDACT},
)
register(ReflectionPeriod, case_path="case", fields={})
register(
    ResidencePermit,
    case_path="case",
    fields={"travel_document_number": Rule.REDACT, "permit_number": Rule.REDACT},
)
