"""The partners' records in cases.corrections: each kind with this app's selector, permission,
form, serializer and services (docs/decisions.md, "Corrections and voids"). A partner corrects its
own part; the NGO and the partner both correct the consultations they hold."""

from __future__ import annotations

from functools import partial

from django.urls import reverse

from cases.corrections import CorrectableKind, register_correctable

from . import api, forms, permissions, selectors, services
from .models import AssessedNeed, Assistance, EmploymentMeasure, PartnerConsultation


def _can_write(user, entry) -> bool:
    _checked, action, _names = services.CORRECTABLE[type(entry)]
    return permissions.can(user, action, referral=entry.referral)


def _done(entry, user) -> str:
    if permissions.can(user, permissions.Action.NARROW_VIEW, referral=entry.referral):
        return reverse("reintegration:detail", kwargs={"pk": entry.referral_id})
    return entry.referral.case.get_absolute_url() + "#reintegration-h"


def _from_api(entry, data: dict) -> dict:
    # A record stays on its referral: a correction changes what was recorded, not where.
    return {k: v for k, v in data.items() if k != "referral_id"}


def register() -> None:
    for slug, model, form, serializer in (
        ("needs", AssessedNeed, forms.NeedForm, api.ReintegrationNeedSerializer),
        ("municipal-assistance", Assistance, forms.AssistanceForm, api.ReintegrationAssistanceSerializer),
        ("employment-measures", EmploymentMeasure, forms.MeasureForm, api.EmploymentMeasureSerializer),
        (
            "partner-consultations",
            PartnerConsultation,
            forms.ConsultationForm,
            api.PartnerConsultationSerializer,
        ),
    ):
        names = services.CORRECTABLE[model][2]
        register_correctable(
            CorrectableKind(
                slug=slug,
                model=model,
                namespace="reintegration",
                get_for_user_or_404=partial(selectors.record_get_for_user_or_404, model=model),
                can_write=_can_write,
                case_of=lambda entry: entry.referral.case,
                form_class=form,
                initial=lambda e, names=names: {name: getattr(e, name) for name in names},
                correct=services.record_correct,
                void=services.record_void,
                serializer_class=serializer,
                done_url=_done,
                from_api=_from_api,
            )
        )
