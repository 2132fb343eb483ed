"""Thin views: selector -> form -> service -> redirect + message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.forms import add_service_errors

from . import permissions, selectors, services
from .forms import ErasureDecideForm, ErasureProposeForm, LegalHoldForm, LiftHoldForm
from .models import ErasureRequest, LegalHold
from .permissions import Action


def _page(request, case, *, status=200, **forms):
    context = selectors.privacy_section(user=request.user, case=case)
    context.update(
        {
            "hold_form": forms.get("hold_form") or LegalHoldForm(),
            "lift_form": forms.get("lift_form") or LiftHoldForm(),
            "erasure_form": forms.get("erasure_form") or ErasureProposeForm(),
            "decide_form": forms.get("decide_form") or ErasureDecideForm(),
        }
    )
    return render(request, "privacy/case_privacy.html", context, status=status)


@require_GET
@login_required
def case_privacy(request, reference: str):
    case = selectors.case_get_for_user_or_404(user=request.user, reference=reference)
    return _page(request, case)


def _manage(request, reference):
    return selectors.case_get_for_user_or_404(user=request.user, reference=reference, action=Action.MANAGE)


@require_POST
@login_required
def hold_place(request, reference: str):
    case = _manage(request, reference)
    form = LegalHoldForm(request.POST)
    if form.is_valid():
        try:
            services.legal_hold_place(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The legal hold is in place: the case will not be anonymised."))
            return redirect("privacy:case", reference=case.reference)
    return _page(request, case, status=400, hold_form=form)


@require_POST
@login_required
def hold_lift(request, reference: str, pk: int):
    case = _manage(request, reference)
    hold = LegalHold.objects.filter(case=case, pk=pk).first()
    if hold is None:
        raise Http404
    form = LiftHoldForm(request.POST)
    if form.is_valid():
        try:
            services.legal_hold_lift(hold=hold, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The legal hold is lifted."))
            return redirect("privacy:case", reference=case.reference)
    return _page(request, case, status=400, lift_form=form)


@require_POST
@login_required
def erasure_propose(request, reference: str):
    case = _manage(request, reference)
    form = ErasureProposeForm(request.POST)
    if form.is_valid():
        try:
            services.erasure_propose(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The erasure request now waits for a second coordinator."))
            return redirect("privacy:case", reference=case.reference)
    return _page(request, case, status=400, erasure_form=form)


@require_POST
@login_required
def erasure_decide(request, reference: str, pk: int):
    case = _manage(request, reference)
    erasure = ErasureRequest.objects.filter(case=case, pk=pk).first()
    if erasure is None:
        raise Http404
    form = ErasureDecideForm(request.POST)
    if form.is_valid():
        try:
            done = services.erasure_decide(
                erasure=erasure,
                actor=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                refusal_reason=form.cleaned_data["refusal_reason"],
            )
        except PermissionDenied as error:
            form.add_error(None, str(error) or _("You may not decide this request."))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if done.status == ErasureRequest.Status.DONE:
                messages.success(request, _("The case has been anonymised."))
            else:
                messages.warning(request, done.refusal_reason)
            return redirect("privacy:case", reference=case.reference)
    return _page(request, case, status=400, decide_form=form)


@require_GET
@login_required
def subject_access(request, reference: str, fmt: str):
    case = selectors.case_get_for_user_or_404(
        user=request.user, reference=reference, action=Action.EXPORT_SUBJECT_ACCESS
    )
    language = request.GET.get("lang", "lv")
    if language not in services.LANGUAGES:
        return HttpResponse(
            _("Choose Latvian or English."), status=400, content_type="text/plain; charset=utf-8"
        )
    if fmt == "pdf":
        content = services.subject_access_pdf(
            case=case, actor=request.user, language=language, request=request
        )
        response = HttpResponse(content, content_type="application/pdf")
    else:
        content = services.subject_access_json(
            case=case, actor=request.user, language=language, request=request
        )
        response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{case.reference}-subject-access-{language}.{fmt}"'
    )
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET"])
@login_required
def processing(request):
    if not permissions.can(request.user, Action.VIEW_PROCESSING):
        raise Http404
    return render(request, "privacy/processing.html", {"record": selectors.processing_record()})
