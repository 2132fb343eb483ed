"""The monitoring app's models and personal data (cases/personal_data.py explains the registry)."""

from cases.personal_data import not_personal

from .models import SummaryExport

not_personal(
    SummaryExport,
    reason="a coordinator's bulk export of PDF summaries: the request and its file are deleted after a day",
)
