"""Thin views: selector -> permission -> form -> service -> redirect with a message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases import services as case_services
from cases.models import CaseAccess, Role
from cases.pages import form_page, page_memo, run_service
from cases.permissions import has_role

from . import permissions, selectors, services
from .forms import (
    AssistanceForm,
    HearingForm,
    IdentificationProposeForm,
    IdentificationReturnForm,
    ProceedingForm,
    ReflectionEndForm,
    ReflectionPeriodForm,
    ResidencePermitForm,
    members_text,
)
from .models import ALL_GROUND_FIELDS
from .permissions import Action


def _case(request, reference: str, action: str | None = None):
    case = selectors.services_case_for_user_or_404(user=request.user, reference=reference)
    if action is not None and not permissions.can(request.user, action, case):
        raise PermissionDenied
    return case


def _form_page(
    request,
    case,
    form,
    *,
    title: str,
    save,
    success: str,
    anchor: str,
    template="services/form.html",
    extra=None,
):
    return form_page(
        request,
        form=form,
        save=save,
        template=template,
        context={"case": case, "title": title, **(extra or {})},
        success=success,
        # Back to the section that was changed.
        done_url=f"{case.get_absolute_url()}#{anchor}",
    )


def _refusal_page(request, case, title, refusal):
    """The page of a step the case does not qualify for: the reason, and the way back."""
    return render(request, "services/refusal.html", {"case": case, "title": title, "refusal": refusal})


# --- the section on the case page -------------------------------------------------------------


def case_section_context(request, case) -> dict | None:
    user = request.user
    if not permissions.can(user, Action.VIEW, case):
        return None
    # The latest identifications, read once: the current one is among them.
    latest = list(selectors.identification_list(case=case)[:20])
    current = selectors.identification_current_of(latest)
    can_record = permissions.can(user, Action.RECORD, case)
    person = case.person
    awaiting = current is not None and current.status == current.Status.PROPOSED
    return {
        "case": case,
        "identification": current,
        "identifications": latest[:10],
        "can_propose": permissions.can(user, Action.PROPOSE_IDENTIFICATION, case)
        and case.victim_status == case.VictimStatus.PRESUMED
        and not awaiting,
        "can_review": awaiting
        and permissions.can(user, Action.DECIDE_IDENTIFICATION, case, identification=current),
        "is_own_proposal": awaiting and permissions.is_proposer(user, current),
        "can_record": can_record,
        "assistance": list(selectors.assistance_list(case=case)),
        "proceedings": list(selectors.proceeding_list(case=case)),
        # The entitlements section shows it too (rehabilitation): read once.
        "reflection": page_memo(
            request, f"reflection:{case.pk}", lambda: selectors.reflection_period_view(case=case)
        ),
        "permit": selectors.residence_permit_get(case=case),
        "is_tcn": person.is_third_country_national,
        "permit_offered": person.is_third_country_national is True
        and case.victim_status == case.VictimStatus.IDENTIFIED,
    }


def dashboard_panel_context(request) -> dict | None:
    if not has_role(request.user, Role.COORDINATOR):
        return None
    return {"awaiting": selectors.identifications_awaiting_review_for(user=request.user)}


def returned_panel_context(request) -> dict | None:
    returned = selectors.identifications_returned_to(user=request.user)
    if returned is None:
        return None
    return {"returned": returned}


# --- identification ---------------------------------------------------------------------------


def _initial_from_returned(case) -> dict:
    """A returned proposal is proposed again with what it had, so only the asked-for change is typed."""
    latest = selectors.identification_current(case=case)
    if latest is None or latest.status != latest.Status.RETURNED:
        return {}
    initial = {
        name: getattr(latest, name) for name in ("ground", "outcome", "outcome_reason", *ALL_GROUND_FIELDS)
    }
    initial["le_country"] = latest.le_country.code or ""
    initial["commission_members"] = members_text(latest.commission_members)
    return initial


@login_required
def identification_propose(request, reference: str):
    case = _case(request, reference, Action.PROPOSE_IDENTIFICATION)
    form = IdentificationProposeForm(request.POST or None, initial=_initial_from_returned(case))
    return _form_page(
        request,
        case,
        form,
        title=_("Propose the identification"),
        save=lambda: services.identification_propose(case=case, actor=request.user, **form.service_kwargs()),
        success=_("The identification was proposed; an NGO coordinator will review it."),
        template="services/identification_propose.html",
        anchor="identification-h",
    )


def _review_context(request, case, identification):
    return {
        "identification": identification,
        "is_own_proposal": permissions.is_proposer(request.user, identification),
        "can_decide": permissions.can(
            request.user, Action.DECIDE_IDENTIFICATION, case, identification=identification
        )
        and identification.status == identification.Status.PROPOSED,
    }


def _review_case(request, reference: str, pk: int):
    # Whoever may see the case may read the proposal; deciding is checked by the service.
    case = _case(request, reference)
    return case, selectors.identification_get_or_404(case=case, pk=pk)


@login_required
def identification_review(request, reference: str, pk: int):
    case, identification = _review_case(request, reference, pk)
    case_services.case_access_record(case=case, actor=request.user, kind=CaseAccess.Kind.VIEW)
    context = {
        "case": case,
        "return_form": IdentificationReturnForm(),
        **_review_context(request, case, identification),
    }
    return render(request, "services/identification_review.html", context)


@login_required
def identification_approve(request, reference: str, pk: int):
    """Approving is a legal decision: a page that shows the person, the indicators observed and
    the ground's document comes first, and only its own form approves."""
    case, identification = _review_case(request, reference, pk)
    review = _review_context(request, case, identification)
    confirmed = request.method == "POST" and request.POST.get("confirmed") == "yes"
    if not review["can_decide"] and request.method != "POST":
        return redirect("services:identification_review", reference=case.reference, pk=identification.pk)
    # Who may not decide is refused by the service, with its reason, confirmed or not.
    if review["can_decide"] and not confirmed:
        from referrals.selectors import referral_observations_for_case

        case_services.case_access_record(case=case, actor=request.user, kind=CaseAccess.Kind.VIEW)
        context = {
            "case": case,
            "person": case.person,
            "referral": referral_observations_for_case(case=case),
            **review,
        }
        return render(request, "services/identification_confirm.html", context)
    try:
        services.identification_approve(identification=identification, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        context = {
            "case": case,
            "return_form": IdentificationReturnForm(),
            **_review_context(request, case, identification),
        }
        return render(request, "services/identification_review.html", context, status=400)
    messages.success(request, _("The identification was approved."))
    return redirect(f"{case.get_absolute_url()}#identification-h")


@require_POST
@login_required
def identification_return(request, reference: str, pk: int):
    case, identification = _review_case(request, reference, pk)
    form = IdentificationReturnForm(request.POST)
    if form.is_valid() and run_service(
        form,
        lambda: services.identification_return(
            identification=identification, actor=request.user, reason=form.cleaned_data["reason"]
        ),
    ):
        messages.success(request, _("The proposal was returned to the caseworker."))
        return redirect(f"{case.get_absolute_url()}#identification-h")
    context = {"case": case, "return_form": form, **_review_context(request, case, identification)}
    return render(request, "services/identification_review.html", context, status=400)


# --- proceedings, assistance, reflection period, residence permit ------------------------------


@login_required
def proceeding_add(request, reference: str):
    case = _case(request, reference, Action.RECORD)
    form = ProceedingForm(request.POST or None)
    return _form_page(
        request,
        case,
        form,
        title=_("Record criminal proceedings"),
        save=lambda: services.proceeding_record(case=case, actor=request.user, **form.cleaned_data),
        success=_("The criminal proceedings were recorded."),
        anchor="proceedings-h",
    )


@login_required
def hearing_add(request, reference: str, pk: int):
    case = _case(request, reference, Action.RECORD)
    proceeding = selectors.proceeding_get_or_404(case=case, pk=pk)
    form = HearingForm(request.POST or None)
    return _form_page(
        request,
        case,
        form,
        title=_("Record a hearing in %(number)s") % {"number": proceeding.case_number},
        save=lambda: services.hearing_record(proceeding=proceeding, actor=request.user, **form.cleaned_data),
        success=_("The hearing was recorded."),
        anchor="proceedings-h",
    )


@login_required
def assistance_add(request, reference: str):
    case = _case(request, reference, Action.RECORD)
    form = AssistanceForm(request.POST or None)
    return _form_page(
        request,
        case,
        form,
        title=_("Record assistance"),
        save=lambda: services.assistance_record(case=case, actor=request.user, **form.cleaned_data),
        success=_("The assistance was recorded."),
        extra={"before_identification": [k.label for k in services.BEFORE_IDENTIFICATION]},
        template="services/assistance_form.html",
        anchor="assistance-h",
    )


@login_required
def reflection_period_start(request, reference: str):
    case = _case(request, reference, Action.RECORD)
    if request.method == "GET" and (refusal := services.reflection_period_refusal(case=case)):
        return _refusal_page(request, case, _("Start the reflection period"), refusal)
    form = ReflectionPeriodForm(request.POST or None)
    return _form_page(
        request,
        case,
        form,
        title=_("Start the reflection period"),
        save=lambda: services.reflection_period_start(case=case, actor=request.user, **form.cleaned_data),
        success=_("The reflection period was started."),
        anchor="tcn-h",
    )


@login_required
def reflection_period_end(request, reference: str):
    case = _case(request, reference, Action.RECORD)
    form = ReflectionEndForm(request.POST or None)
    return _form_page(
        request,
        case,
        form,
        title=_("End the reflection period early"),
        save=lambda: services.reflection_period_end(case=case, actor=request.user, **form.cleaned_data),
        success=_("The reflection period was ended early."),
        anchor="tcn-h",
    )


@login_required
def residence_permit_edit(request, reference: str):
    case = _case(request, reference, Action.RECORD)
    if request.method == "GET" and (refusal := services.residence_permit_refusal(case=case)):
        return _refusal_page(request, case, _("Residence permit"), refusal)
    permit = selectors.residence_permit_get(case=case)
    initial = {}
    if permit is not None:
        case_services.case_access_record(case=case, actor=request.user, kind=CaseAccess.Kind.VIEW)
        initial = {name: getattr(permit, name) for name in services.PERMIT_FIELDS}
    else:
        initial = {"travel_document_presented_on": timezone.localdate()}
    form = ResidencePermitForm(request.POST or None, initial=initial)
    return _form_page(
        request,
        case,
        form,
        title=_("Residence permit"),
        save=lambda: services.residence_permit_save(case=case, actor=request.user, **form.cleaned_data),
        success=_("The residence permit was recorded."),
        anchor="tcn-h",
    )
