"""The caseload import's models and personal data (cases/personal_data.py explains the registry)."""

from cases.personal_data import not_personal

from .models import ImportRun

not_personal(
    ImportRun,
    reason=(
        "a coordinator's import of their NGO's caseload: the uploaded file is deleted after the run "
        "(or after a day unconfirmed); the report keeps sheet, row, column and the forms' messages"
    ),
)
