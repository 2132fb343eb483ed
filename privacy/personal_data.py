"""The privacy app's own records (cases/personal_data.py explains the registry)."""

from cases.personal_data import Rule, not_personal, register

from .models import Anonymisation, ErasureRequest, LegalHold, SubjectAccessExport

register(LegalHold, case_path="case", fields={"reason": Rule.REDACT, "lift_reason": Rule.REDACT})
register(ErasureRequest, case_path="case", fields={"reason": Rule.REDACT, "refusal_reason": Rule.REDACT})
register(SubjectAccessExport, case_path="case", fields={})
not_personal(Anonymisation, reason="the record that a case was anonymised: a rule and a date")
