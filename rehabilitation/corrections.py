"""The course's, consultations' and court support's entries in cases.corrections: each kind with
this app's selector, permission, form, serializer and services (docs/decisions.md, "Corrections
and voids")."""

from __future__ import annotations

from functools import partial

from cases.corrections import CorrectableKind, register_correctable

from . import api, forms, permissions, selectors, services
from .models import (
    CourseService,
    CourtSupportEntry,
    FamilyConsultation,
    MaterialAssistance,
    PostCourseConsultation,
    RehabilitationPlan,
)
from .permissions import Action


def _case_of(entry):
    return entry.case if hasattr(entry, "case_id") else entry.course.case


def _can_write(user, entry) -> bool:
    return permissions.can(user, Action.RECORD, _case_of(entry))


def _done(anchor: str):
    return lambda entry, user: _case_of(entry).get_absolute_url() + anchor


def _family_from_api(entry, data: dict) -> dict:
    if "family_member_id" not in data:
        return data
    data = dict(data)
    member = selectors.family_members(case=_case_of(entry)).filter(pk=data.pop("family_member_id")).first()
    if member is None:
        from django.core.exceptions import ValidationError

        raise ValidationError({"family_member": services.FAMILY_MEMBER_NOT_OF_CASE})
    return {**data, "family_member": member}


def _plan_from_api(entry, data: dict) -> dict:
    # The serializer reads the counts into the model's names; the service takes the form's.
    return {name.removeprefix("planned_"): value for name, value in data.items()}


def _plan_initial(plan: RehabilitationPlan) -> dict:
    return {
        "goals": plan.goals,
        **{services.PLAN_FORM_FIELDS[kind]: count for kind, count in plan.planned().items()},
    }


def _kind(slug, model, *, form, fields, correct, void, serializer, anchor, **extra) -> CorrectableKind:
    return CorrectableKind(
        slug=slug,
        model=model,
        namespace="rehabilitation",
        get_for_user_or_404=partial(selectors.entry_get_for_user_or_404, model=model),
        can_write=_can_write,
        case_of=_case_of,
        form_class=form,
        initial=lambda e: {name: getattr(e, name) for name in fields},
        correct=correct,
        void=void,
        serializer_class=serializer,
        done_url=_done(anchor),
        **extra,
    )


def register() -> None:
    for kind in (
        _kind(
            "course-services",
            CourseService,
            form=forms.CourseServiceForm,
            fields=("date", "specialist", "hours", "notes"),
            correct=services.course_service_correct,
            void=services.course_service_void,
            serializer=api.CourseServiceSerializer,
            anchor="#course-h",
        ),
        _kind(
            "material-assistance",
            MaterialAssistance,
            form=forms.MaterialAssistanceForm,
            fields=("date", "description", "amount_eur"),
            correct=services.material_assistance_correct,
            void=services.material_assistance_void,
            serializer=api.MaterialAssistanceSerializer,
            anchor="#course-h",
        ),
        _kind(
            "post-course-consultations",
            PostCourseConsultation,
            form=forms.PostCourseConsultationForm,
            fields=("date", "specialist", "notes"),
            correct=services.post_course_consultation_correct,
            void=services.post_course_consultation_void,
            serializer=api.PostCourseConsultationSerializer,
            anchor="#course-h",
        ),
        _kind(
            "family-consultations",
            FamilyConsultation,
            form=forms.FamilyConsultationForm,
            fields=("family_member", "date", "specialist", "notes"),
            correct=services.family_consultation_correct,
            void=services.family_consultation_void,
            serializer=api.FamilyConsultationSerializer,
            anchor="#family-h",
            form_kwargs=lambda e: {"members": selectors.family_members(case=_case_of(e))},
            from_api=_family_from_api,
        ),
    ):
        register_correctable(kind)
    register_correctable(
        CorrectableKind(
            slug="plans",
            model=RehabilitationPlan,
            namespace="rehabilitation",
            get_for_user_or_404=partial(selectors.entry_get_for_user_or_404, model=RehabilitationPlan),
            can_write=_can_write,
            case_of=_case_of,
            form_class=forms.PlanForm,
            initial=_plan_initial,
            correct=services.plan_correct,
            void=services.plan_void,
            serializer_class=api.PlanSerializer,
            done_url=_done("#course-h"),
            from_api=_plan_from_api,
        )
    )
    register_correctable(
        CorrectableKind(
            slug="court-support",
            model=CourtSupportEntry,
            namespace="rehabilitation",
            get_for_user_or_404=partial(selectors.entry_get_for_user_or_404, model=CourtSupportEntry),
            can_write=_can_write,
            case_of=_case_of,
            form_class=forms.CourtSupportForm,
            initial=lambda e: {"date": e.date, "hours": e.hours, "activity": e.activity},
            correct=services.court_support_correct,
            void=services.court_support_void,
            serializer_class=api.CourtSupportSerializer,
            done_url=_done("#court-h"),
        )
    )
