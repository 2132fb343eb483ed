"""What each app holds about a person: the registry of personal data, field by field.

Every app declares, in its own ``personal_data.py`` (found by ``autodiscover``), for every model
with text (or other personal) fields: how the model hangs off a case, which fields identify the
person or carry free text and what anonymising them means, and which fields are another
person's details or internal notes (withheld from a subject-access export). A model without
personal data says so with ``not_personal``. The anonymiser, the subject-access export and the
record of processing (the privacy app) walk this registry; a test fails for any model with text
fields that is not in it, so a new model cannot be forgotten.

The registry lives on the ground floor so that every app can declare without importing the
floors above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from django.db import models
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

# What stays of a free-text field that may not be empty: a dash, in every language.
REDACTED = "—"


class Rule(StrEnum):
    BLANK = "blank"  # "" (names, contacts: "unknown" afterwards)
    REDACT = "redact"  # REDACTED (free text that a constraint may require)
    NULL = "null"  # NULL (a date of birth, a document number that may be empty)
    MONTH = "month"  # the date kept to its month (statistics count by month)
    EMPTY_LIST = "empty_list"  # [] (a JSON list of names)


class Withhold(StrEnum):
    THIRD_PARTY = "third_party"
    INTERNAL = "internal"


WITHHOLD_NOTES = {
    Withhold.THIRD_PARTY: _("Withheld: another person's details."),
    Withhold.INTERNAL: _("Withheld: an internal note of the staff or a partner."),
}


@dataclass
class Entry:
    model: type[models.Model]
    # The ORM path from this model to its case ("case", "course__case"); "" for the case itself;
    # None for a model that does not hang off a case (the person, staff data, exports).
    case_path: str | None
    fields: dict[str, Rule] = field(default_factory=dict)
    withhold: dict[str, Withhold] = field(default_factory=dict)
    # A model of the data subject reached through the cases (the person).
    subject: bool = False
    # Why a model with text fields holds no personal data of a data subject.
    not_personal: str = ""
    # Called with the live queryset of rows being anonymised, before the fields are cleared
    # (e.g. to delete stored files).
    on_anonymise: Callable[[models.QuerySet], None] | None = None
    label: object = ""

    @property
    def is_personal(self) -> bool:
        return not self.not_personal


_registry: dict[type[models.Model], Entry] = {}
_discovered = False


def register(
    model,
    *,
    case_path: str | None,
    fields: dict[str, Rule],
    withhold: dict[str, Withhold] | None = None,
    subject: bool = False,
    on_anonymise=None,
) -> None:
    for name in [*fields, *(withhold or {})]:
        model._meta.get_field(name)  # a typo fails at start-up, not during an erasure
    from .models import Correctable

    if issubclass(model, Correctable):
        # The reason an entry was voided is free text like the entry's own (cases.corrections).
        fields = {"void_reason": Rule.REDACT, **fields}
    _registry[model] = Entry(
        model,
        case_path,
        dict(fields),
        dict(withhold or {}),
        subject=subject,
        on_anonymise=on_anonymise,
        label=model._meta.verbose_name_plural,
    )


def not_personal(model, *, reason: str) -> None:
    _registry[model] = Entry(model, None, not_personal=reason, label=model._meta.verbose_name_plural)


def entries() -> list[Entry]:
    global _discovered
    if not _discovered:
        autodiscover_modules("personal_data")
        _discovered = True
    return list(_registry.values())


def entry_for(model) -> Entry | None:
    entries()
    return _registry.get(model)


# --- the ground floor's own declarations ------------------------------------------------------


def _declare() -> None:
    from .models import (
        Alert,
        Case,
        CaseAccess,
        CaseAssignment,
        CaseTransfer,
        EntryCorrection,
        FigureSnapshot,
        LegalRepresentative,
        Organisation,
        Person,
        StageChange,
        TrainingRecord,
        User,
        UserRole,
    )

    register(
        Person,
        case_path=None,
        subject=True,
        fields={
            "given_name": Rule.BLANK,
            "family_name": Rule.BLANK,
            "other_names": Rule.BLANK,
            "search_name": Rule.BLANK,
            "date_of_birth": Rule.NULL,
            "languages": Rule.BLANK,
            "phone": Rule.BLANK,
            "email": Rule.BLANK,
            "address": Rule.BLANK,
            "safe_contact_instructions": Rule.BLANK,
            # The id in the system the NGO imported from (docs/import.md) would link the person
            # back to that system's records.
            "external_id": Rule.BLANK,
        },
    )
    register(
        Case,
        case_path="",
        fields={"close_reason": Rule.REDACT, "opened_on": Rule.MONTH, "external_id": Rule.BLANK},
    )
    # A minor's representative: another person's details, withheld from the subject's export.
    register(
        LegalRepresentative,
        case_path="case",
        fields={
            "name": Rule.REDACT,
            "contact": Rule.BLANK,
            "decision_number": Rule.REDACT,
            "decision_date": Rule.MONTH,
            "end_reason": Rule.REDACT,
        },
        withhold={"name": Withhold.THIRD_PARTY, "contact": Withhold.THIRD_PARTY},
    )
    not_personal(Organisation, reason="organisations, not people")
    not_personal(User, reason="staff accounts: the controller's own users, not data subjects")
    not_personal(UserRole, reason="staff roles")
    not_personal(TrainingRecord, reason="staff training")
    not_personal(FigureSnapshot, reason="precomputed aggregate figures, suppressed as published")
    # The stage history and hand-overs keep the statistics' dates; their free-text reasons may name
    # the person or what happened to them.
    register(StageChange, case_path="case", fields={"reason": Rule.REDACT})
    register(CaseTransfer, case_path="case", fields={"reason": Rule.REDACT, "decline_reason": Rule.REDACT})
    for model in (CaseAssignment, CaseAccess, Alert):
        # Codes and dates only; kept as the record of who worked on and read the file.
        register(model, case_path="case", fields={})
    # Why an entry was corrected or voided: free text written about the person's case.
    register(EntryCorrection, case_path="case", fields={"reason": Rule.REDACT})


_declare()
