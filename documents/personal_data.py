"""The documents' personal data (cases/personal_data.py explains the registry).

The files themselves are the most personal data of all: anonymising or erasing a case destroys
their encrypted bytes and wrapped keys (on_anonymise), and the titles and reasons are cleared.
"""

from cases.personal_data import Rule, register

from .models import Document, DocumentShare
from .services import documents_destroy_for_anonymisation

register(
    Document,
    case_path="case",
    fields={"title": Rule.REDACT, "removal_reason": Rule.REDACT},
    on_anonymise=documents_destroy_for_anonymisation,
)
register(DocumentShare, case_path="document__case", fields={})
