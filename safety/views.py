"""Thin views: selector -> form -> service -> redirect with a message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases import permissions as case_permissions
from cases import selectors as case_selectors
from cases.forms import add_service_errors as _errors_to_form

from . import permissions, selectors, services
from .forms import (
    DisclosureForm,
    EmergencyAccessForm,
    InstructionsForm,
    RiskAssessmentForm,
    SafetyMeasureEditForm,
    SafetyMeasureForm,
)
from .models import ContactDisclosure
from .permissions import Action


def case_section_context(request, case) -> dict | None:
    user = request.user
    if not permissions.can(user, Action.VIEW_SECTION, case):
        return None
    assessments = list(selectors.risk_assessment_list(case=case)[:10])
    can_plan = permissions.can(user, Action.PLAN, case)
    return {
        "case": case,
        "latest": assessments[0] if assessments else None,
        "earlier": assessments[1:],
        "measures": list(selectors.safety_measure_list(case=case)),
        "plan_details": permissions.can(user, Action.VIEW_PLAN_DETAILS, case),
        "can_assess": permissions.can(user, Action.ASSESS, case),
        "can_plan": can_plan and case.risk_level in ("medium", "high"),
        "can_set_instructions": permissions.can(user, Action.SET_INSTRUCTIONS, case),
        "can_disclose": permissions.can(user, Action.DISCLOSE_CONTACT, case),
        "disclosures": list(selectors.contact_disclosure_list(case=case))
        if case_permissions.is_high_risk(case)
        else [],
        "emergency": selectors.emergency_access_current(user=user, case=case)
        if case_permissions.is_high_risk(case)
        else None,
    }


def _case_for(request, reference: str, action: str):
    case = case_selectors.case_get_for_user_or_404(user=request.user, reference=reference)
    if not permissions.can(request.user, action, case):
        raise PermissionDenied
    return case


def _form_page(request, *, case, form, save, title: str, submit: str, success: str, intro: str = ""):
    if request.method == "POST" and form.is_valid():
        try:
            save(form)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, success)
            return redirect(case.get_absolute_url() + "#safety-h")
    return render(
        request,
        "safety/form_page.html",
        {
            "case": case,
            "form": form,
            "title": title,
            "submit": submit,
            "intro": intro,
            "cancel_url": case.get_absolute_url(),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def assess(request, reference: str):
    case = _case_for(request, reference, Action.ASSESS)
    return _form_page(
        request,
        case=case,
        form=RiskAssessmentForm(request.POST or None),
        save=lambda form: services.risk_assessment_record(
            case=case, actor=request.user, **form.service_kwargs()
        ),
        title=_("Risk assessment"),
        submit=_("Record the assessment"),
        success=_("The risk assessment was recorded."),
        intro=_(
            "Tick each risk factor that is present and note what is known; then give the level and the date of the next review."
        ),
    )


@login_required
def measure_add(request, reference: str):
    case = _case_for(request, reference, Action.PLAN)
    return _form_page(
        request,
        case=case,
        form=SafetyMeasureForm(request.POST or None),
        save=lambda form: services.safety_measure_add(case=case, actor=request.user, **form.cleaned_data),
        title=_("Add a measure to the safety plan"),
        submit=_("Add the measure"),
        success=_("The measure was added to the safety plan."),
    )


@login_required
def measure_edit(request, reference: str, pk: int):
    case = _case_for(request, reference, Action.PLAN)
    measure = selectors.safety_measure_get_or_404(case=case, pk=pk)
    form = SafetyMeasureEditForm(request.POST or None, instance=measure)

    def save(form):
        data = dict(form.cleaned_data.items())
        # The form's instance was changed by validation; the service re-reads the row.
        services.safety_measure_update(measure=measure, actor=request.user, **data)

    return _form_page(
        request,
        case=case,
        form=form,
        save=save,
        title=_("Change a measure of the safety plan"),
        submit=_("Save the measure"),
        success=_("The measure was saved."),
    )


@login_required
def instructions(request, reference: str):
    case = _case_for(request, reference, Action.SET_INSTRUCTIONS)
    form = InstructionsForm(
        request.POST or None, initial={"instructions": case.person.safe_contact_instructions}
    )
    return _form_page(
        request,
        case=case,
        form=form,
        save=lambda form: services.safe_contact_instructions_set(
            case=case, actor=request.user, instructions=form.cleaned_data["instructions"]
        ),
        title=_("Safe-contact instructions"),
        submit=_("Save the instructions"),
        success=_("The safe-contact instructions were saved."),
    )


@login_required
def disclose(request, reference: str):
    case = _case_for(request, reference, Action.DISCLOSE_CONTACT)
    form = DisclosureForm(request.POST or None, partners=selectors.partner_organisations())
    return _form_page(
        request,
        case=case,
        form=form,
        save=lambda form: services.contact_disclose(case=case, actor=request.user, **form.cleaned_data),
        title=_("Give a partner the contact details"),
        submit=_("Give the contact details"),
        success=_("The partner now sees the contact details; the reason is recorded."),
        intro=_(
            "This case is assessed as high risk: its phone, e-mail and address are withheld from partners unless you give them here."
        ),
    )


@require_POST
@login_required
def revoke(request, reference: str, pk: int):
    case = _case_for(request, reference, Action.DISCLOSE_CONTACT)
    disclosure = ContactDisclosure.objects.filter(case=case, pk=pk).first()
    if disclosure is None:
        raise Http404
    services.contact_disclosure_revoke(disclosure=disclosure, actor=request.user)
    messages.success(request, _("The partner no longer sees the contact details."))
    return redirect(case.get_absolute_url() + "#safety-h")


@login_required
def emergency_access(request, reference: str):
    case = case_selectors.case_restricted_for_user(user=request.user, reference=reference)
    if case is None:
        raise Http404
    form = EmergencyAccessForm(request.POST or None)
    hours = services.emergency_access_hours()
    if request.method == "POST" and form.is_valid():
        try:
            services.emergency_access_open(
                case=case, actor=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.warning(
                request, _("Emergency access opened for %(hours)s hours; it is recorded.") % {"hours": hours}
            )
            return redirect(case)
    return render(
        request,
        "safety/emergency_access.html",
        {"case": case, "form": form, "hours": hours},
        status=400 if request.method == "POST" else 200,
    )
