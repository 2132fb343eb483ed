"""Assistance, proceedings and hearings in cases.corrections: each kind with this app's selector,
permission, form, serializer and services (docs/decisions.md, "Corrections and voids")."""

from __future__ import annotations

from functools import partial

from cases.corrections import CorrectableKind, register_correctable

from . import api, forms, permissions, selectors, services
from .models import AssistanceRecord, CriminalProceeding, Hearing
from .permissions import Action

# What a correction of an assistance record carries: every field of its form.
ASSISTANCE_FIELDS = (
    "kind",
    "started_on",
    "ended_on",
    "arranged_by",
    "outcome",
    "claim",
    "amount_eur",
    "compensation_status",
)


def _case_of(entry):
    return entry.proceeding.case if isinstance(entry, Hearing) else entry.case


def _can_write(user, entry) -> bool:
    return permissions.can(user, Action.RECORD, _case_of(entry))


def _kind(slug, model, *, form, fields, correct, void, serializer, anchor) -> CorrectableKind:
    return CorrectableKind(
        slug=slug,
        model=model,
        namespace="services",
        get_for_user_or_404=partial(selectors.entry_get_for_user_or_404, model=model),
        can_write=_can_write,
        case_of=_case_of,
        form_class=form,
        initial=lambda e: {name: getattr(e, name) for name in fields},
        correct=correct,
        void=void,
        serializer_class=serializer,
        done_url=lambda entry, user: _case_of(entry).get_absolute_url() + anchor,
    )


def register() -> None:
    for kind in (
        _kind(
            "assistance",
            AssistanceRecord,
            form=forms.AssistanceForm,
            fields=ASSISTANCE_FIELDS,
            correct=services.assistance_correct,
            void=services.assistance_void,
            serializer=api.AssistanceSerializer,
            anchor="#assistance-h",
        ),
        _kind(
            "proceedings",
            CriminalProceeding,
            form=forms.ProceedingForm,
            fields=("case_number", "procedural_status", "body", "note"),
            correct=services.proceeding_correct,
            void=services.proceeding_void,
            serializer=api.ProceedingSerializer,
            anchor="#proceedings-h",
        ),
        _kind(
            "hearings",
            Hearing,
            form=forms.HearingForm,
            fields=("date", "place", "note"),
            correct=services.hearing_correct,
            void=services.hearing_void,
            serializer=api.HearingSerializer,
            anchor="#proceedings-h",
        ),
    ):
        register_correctable(kind)
