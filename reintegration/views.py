"""Thin views: selector -> form -> service -> redirect with a message."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from cases import selectors as case_selectors
from cases.models import CaseAccess
from cases.pages import form_page
from cases.services import case_access_record, case_access_record_many

from . import permissions, selectors, services
from .forms import (
    AssistanceForm,
    CompleteForm,
    ConsentWithdrawForm,
    ConsultationForm,
    MeasureForm,
    NeedForm,
    ReferForm,
    WithdrawForm,
)
from .permissions import Action

PAGE_SIZE = 25


def _form_page(request, *, form, save, context: dict, success: str, done_url: str):
    return form_page(
        request,
        form=form,
        save=lambda: save(form.cleaned_data),
        template="reintegration/form_page.html",
        context={"cancel_url": done_url, **context},
        success=success,
        done_url=done_url,
    )


def _narrow_url(referral) -> str:
    return reverse("reintegration:detail", kwargs={"pk": referral.pk})


# --- the partner's pages ----------------------------------------------------------------------


@require_GET
@login_required
def partner_list(request):
    if not permissions.can(request.user, Action.LIST_PARTNER_CASES):
        raise Http404
    referrals = selectors.partner_referral_list_for_user(user=request.user)
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    case_access_record_many(
        case_ids=[r.case_id for r in page.object_list], actor=request.user, kind=CaseAccess.Kind.NARROW
    )
    return render(request, "reintegration/partner_list.html", {"page": page, "query": ""})


@require_GET
@login_required
def partner_detail(request, pk: int):
    referral = selectors.partner_referral_get_or_404(user=request.user, pk=pk)
    case_access_record(case=referral.case, actor=request.user, kind=CaseAccess.Kind.NARROW)
    context = {
        "referral": referral,
        "case": referral.case,
        "person": referral.case.person,
        "contact": case_selectors.person_contact_for_user(user=request.user, case=referral.case),
        "permit": selectors.residence_permit_info(case=referral.case) if referral.is_employment else None,
        # Who may correct or void which rows (cases.corrections): whoever may record them.
        "can_municipal": permissions.can(request.user, Action.RECORD_MUNICIPAL, referral=referral),
        "can_employment": permissions.can(request.user, Action.RECORD_EMPLOYMENT, referral=referral),
        "can_consult": permissions.can(request.user, Action.LOG_CONSULTATION, referral=referral),
    }
    return render(request, "reintegration/partner_detail.html", context)


def _partner_referral_for(request, pk: int, action: str):
    referral = selectors.partner_referral_get_or_404(user=request.user, pk=pk)
    if not permissions.can(request.user, action, referral=referral):
        raise PermissionDenied
    return referral


@login_required
def need_add(request, pk: int):
    referral = _partner_referral_for(request, pk, Action.RECORD_MUNICIPAL)
    return _form_page(
        request,
        form=NeedForm(request.POST or None),
        save=lambda data: services.need_record(referral=referral, actor=request.user, **data),
        context={"referral": referral, "title": _("Record an assessed need"), "submit": _("Record the need")},
        success=_("The need was recorded."),
        done_url=f"{_narrow_url(referral)}#part-h",
    )


@login_required
def assistance_add(request, pk: int):
    referral = _partner_referral_for(request, pk, Action.RECORD_MUNICIPAL)
    return _form_page(
        request,
        form=AssistanceForm(request.POST or None),
        save=lambda data: services.assistance_record(referral=referral, actor=request.user, **data),
        context={
            "referral": referral,
            "title": _("Record assistance granted"),
            "submit": _("Record the assistance"),
        },
        success=_("The assistance was recorded."),
        done_url=f"{_narrow_url(referral)}#part-h",
    )


@login_required
def measure_add(request, pk: int):
    referral = _partner_referral_for(request, pk, Action.RECORD_EMPLOYMENT)
    return _form_page(
        request,
        form=MeasureForm(request.POST or None),
        save=lambda data: services.measure_record(referral=referral, actor=request.user, **data),
        context={
            "referral": referral,
            "title": _("Record an employment measure"),
            "submit": _("Record the measure"),
        },
        success=_("The measure was recorded."),
        done_url=f"{_narrow_url(referral)}#part-h",
    )


@login_required
def complete(request, pk: int):
    referral = _partner_referral_for(request, pk, Action.COMPLETE)
    return _form_page(
        request,
        form=CompleteForm(request.POST or None),
        save=lambda data: services.referral_complete(referral=referral, actor=request.user, **data),
        context={
            "referral": referral,
            "title": _("Close your part"),
            "submit": _("Close our part"),
            "danger": True,
        },
        success=_("Your part is closed. The case is no longer open to your organisation."),
        done_url=reverse("reintegration:list"),
    )


# --- the NGO's pages --------------------------------------------------------------------------


@login_required
def refer(request, reference: str):
    case = case_selectors.case_get_for_user_or_404(user=request.user, reference=reference)
    if not permissions.can(request.user, Action.REFER, case=case):
        raise PermissionDenied
    partners = selectors.partner_organisations()
    return _form_page(
        request,
        form=ReferForm(request.POST or None, partners=partners),
        save=lambda data: services.referral_create(case=case, actor=request.user, **data),
        context={
            "case": case,
            "title": _("Refer the case onward"),
            "submit": _("Refer"),
            "intro": gettext_lazy(
                "The partner's social workers or employment officers will see the person's name, age, sex, contact and languages, your note, and their own records; nothing else of the case."
            ),
        },
        success=_("The case was referred."),
        done_url=f"{case.get_absolute_url()}#reintegration-h",
    )


@login_required
def withdraw(request, pk: int):
    referral = selectors.referral_get_for_user_or_404(user=request.user, pk=pk)
    if not permissions.can(request.user, Action.WITHDRAW, referral=referral):
        raise PermissionDenied
    return _form_page(
        request,
        form=WithdrawForm(request.POST or None),
        save=lambda data: services.referral_withdraw(referral=referral, actor=request.user, **data),
        context={
            "case": referral.case,
            "referral": referral,
            "title": _("Withdraw the referral"),
            "submit": _("Withdraw"),
            "danger": True,
            "intro": gettext_lazy("The partner loses access to the case at once."),
        },
        success=_("The referral was withdrawn."),
        done_url=f"{referral.case.get_absolute_url()}#reintegration-h",
    )


@login_required
def consent_withdraw(request, pk: int):
    referral = selectors.referral_get_for_user_or_404(user=request.user, pk=pk)
    if not permissions.can(request.user, Action.WITHDRAW_CONSENT, referral=referral):
        raise PermissionDenied
    return _form_page(
        request,
        form=ConsentWithdrawForm(request.POST or None),
        save=lambda data: services.referral_consent_withdraw(referral=referral, actor=request.user, **data),
        context={
            "case": referral.case,
            "referral": referral,
            "title": _("Record that the person withdrew their consent"),
            "submit": _("Record the withdrawal"),
            "danger": True,
            "intro": gettext_lazy(
                "The referral rests on this consent: an active referral ends, and the partner loses access to the case at once."
            ),
        },
        success=_("The withdrawal of consent was recorded; the partner no longer sees the case."),
        done_url=f"{referral.case.get_absolute_url()}#reintegration-h",
    )


@login_required
def consultation_add(request, pk: int):
    referral = selectors.referral_get_for_user_or_404(user=request.user, pk=pk)
    if not permissions.can(request.user, Action.LOG_CONSULTATION, referral=referral):
        raise PermissionDenied
    partner_side = selectors.is_partner_viewer(user=request.user, referral=referral)
    context = {"referral": referral, "title": _("Log a consultation"), "submit": _("Log the consultation")}
    if not partner_side:
        context["case"] = referral.case
    return _form_page(
        request,
        form=ConsultationForm(request.POST or None),
        save=lambda data: services.consultation_record(referral=referral, actor=request.user, **data),
        context=context,
        success=_("The consultation was logged."),
        done_url=f"{_narrow_url(referral)}#part-h"
        if partner_side
        else f"{referral.case.get_absolute_url()}#reintegration-h",
    )


# --- parts of pages composed elsewhere (registered in apps.py) ---------------------------------


def case_section_context(request, case) -> dict | None:
    """The NGO-side section of the full case page; absent for anyone who cannot view the case."""
    user = request.user
    if not permissions.can(user, Action.VIEW_SECTION, case=case):
        return None
    # One check for the whole section: the same answer holds for every referral of the case.
    may_act = permissions.can(user, Action.REFER, case=case)
    return {"case": case, "referrals": selectors.case_referrals(case=case), "may_act": may_act}


def dashboard_panel_context(request) -> dict | None:
    if not permissions.can(request.user, Action.LIST_PARTNER_CASES):
        return None
    return {"referrals": list(selectors.partner_referral_list_for_user(user=request.user)[:20])}
