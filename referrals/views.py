"""Thin views: selector -> form -> service -> redirect with a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases import permissions as case_permissions
from cases.forms import add_service_errors as _errors_to_form
from cases.pagination import BoundedPaginator

from . import permissions, selectors, services
from .forms import AcceptForm, DeclineForm, ReferralForm
from .models import ReferralAccess
from .permissions import Action

PAGE_SIZE = 25
QUEUE_PAGE_SIZE = 50


@require_GET
@login_required
def referral_list(request):
    """What /referrals/ shows depends on the role: the intake queue, the organisation's
    referrals, or counts."""
    user = request.user
    if not permissions.can(user, Action.LIST):
        raise Http404
    context = {
        "can_create": permissions.can(user, Action.CREATE),
        "page": None,
        "queue": None,
        "counts": None,
    }
    if permissions.is_first_responder(user):
        context["page"] = Paginator(selectors.referral_list_for_organisation(user=user), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    if permissions.is_intake_coordinator(user):
        q, show = request.GET.get("q", "")[:100], request.GET.get("show", "")
        # A page of the queue at a time: a thousand waiting referrals are not one page
        # (docs/performance.md).
        queue_page = BoundedPaginator(
            selectors.referral_queue_for_user(user=user, q=q, show=show), QUEUE_PAGE_SIZE
        ).get_page(request.GET.get("queue_page"))
        context["queue"] = selectors.queue_row_facts(queue_page.object_list)
        context["queue_page"] = queue_page
        query = request.GET.copy()
        query.pop("queue_page", None)
        context["queue_query"] = query.urlencode()
        context["queue_q"], context["queue_show"] = q, show if show in selectors.QUEUE_FILTERS else ""
        context["anonymous"] = list(selectors.referral_anonymous_for_user(user=user))
        context["decided"] = list(selectors.referral_decided_for_user(user=user))
    # The counts show only where there is no intake queue (templates/referrals/referral_list.html).
    if permissions.can(user, Action.VIEW_COUNTS) and context["queue"] is None:
        context["counts"] = selectors.referral_counts_for_user(user=user)
    shown = [
        *(context["page"].object_list if context["page"] else []),
        *(context["queue"] or []),
        *context.get("anonymous", []),
        *context.get("decided", []),
    ]
    services.referral_access_record_many(
        referral_ids=[r.pk for r in shown], actor=user, kind=ReferralAccess.Kind.LIST
    )
    return render(request, "referrals/referral_list.html", context)


def _save(request, form, referral=None):
    """Save a draft or submit; returns a redirect, or None with the errors on the bound form."""
    if not form.is_valid():
        return None
    action = request.POST.get("action")
    try:
        if action == "submit":
            referral = services.referral_submit(actor=request.user, data=form.cleaned_data, referral=referral)
        elif action == "draft":
            referral = services.referral_save_draft(
                actor=request.user, data=form.cleaned_data, referral=referral
            )
        else:
            # "Continue": the answers are checked on their own page before they are sent.
            referral = services.referral_save_for_check(
                actor=request.user, data=form.cleaned_data, referral=referral
            )
            return redirect("referrals:check", pk=referral.pk)
    except ValidationError as error:
        _errors_to_form(form, error)
        return None
    if action == "draft":
        messages.success(request, _("Draft saved. You can finish it later from Referrals."))
        return redirect("referrals:edit", pk=referral.pk)
    return _sent(request, referral)


def _sent(request, referral):
    if referral.is_anonymous:
        messages.success(request, _("The anonymous notification was sent to the mandated NGO."))
    else:
        messages.success(request, _("The referral was sent. The mandated NGO will decide on the intake."))
    return redirect(referral)


@login_required
def referral_new(request):
    if not permissions.can(request.user, Action.CREATE):
        raise PermissionDenied(services.NOT_A_FIRST_RESPONDER)
    form = ReferralForm(request.POST or None)
    if request.method == "POST":
        response = _save(request, form)
        if response is not None:
            return response
    status = 400 if request.method == "POST" else 200
    return render(request, "referrals/referral_form.html", {"form": form, "referral": None}, status=status)


@login_required
def referral_edit(request, pk: int):
    referral = selectors.referral_get_for_user_or_404(user=request.user, pk=pk)
    if not permissions.can(request.user, Action.EDIT_DRAFT, referral):
        raise Http404
    if request.method == "POST":
        form = ReferralForm(request.POST)
        response = _save(request, form, referral=referral)
        if response is not None:
            return response
        status = 400
    else:
        form = ReferralForm(initial=ReferralForm.initial_from(referral))
        status = 200
        services.referral_access_record_many(
            referral_ids=[referral.pk], actor=request.user, kind=ReferralAccess.Kind.VIEW
        )
    return render(
        request, "referrals/referral_form.html", {"form": form, "referral": referral}, status=status
    )


@login_required
def referral_check(request, pk: int):
    """Check your answers: every answer with a link to change it, then send."""
    referral = selectors.referral_get_for_user_or_404(user=request.user, pk=pk)
    if not permissions.can(request.user, Action.EDIT_DRAFT, referral):
        raise Http404
    status = 200
    if request.method == "POST":
        try:
            referral = services.referral_submit(actor=request.user, referral=referral)
        except ValidationError as error:
            # Only if the draft changed since it was checked: back to the form, with the errors.
            form = ReferralForm(ReferralForm.data_from(referral))
            form.is_valid()
            _errors_to_form(form, error)
            return render(
                request, "referrals/referral_form.html", {"form": form, "referral": referral}, status=400
            )
        return _sent(request, referral)
    form = ReferralForm(initial=ReferralForm.initial_from(referral))
    services.referral_access_record_many(
        referral_ids=[referral.pk], actor=request.user, kind=ReferralAccess.Kind.VIEW
    )
    return render(
        request,
        "referrals/referral_check.html",
        {"referral": referral, "sections": form.answers(), "edit_url": reverse("referrals:edit", args=[pk])},
        status=status,
    )


def _exact_match(duplicates):
    """The one person with the same name and date of birth, proposed for attaching."""
    exact = [d for d in duplicates if d.same_name and d.same_date_of_birth]
    return exact[0] if len(exact) == 1 else None


def _detail(request, referral, *, accept_form=None, decline_form=None, status=200):
    user = request.user
    can_decide = permissions.can(user, Action.DECIDE, referral)
    duplicates = selectors.referral_possible_duplicates(referral=referral, user=user) if can_decide else []
    exact = _exact_match(duplicates)
    if can_decide and accept_form is None:
        accept_form = AcceptForm(
            caseworkers=selectors.caseworkers_for_intake(user=user),
            people=[d.person for d in duplicates],
            proposed=exact.person if exact else None,
        )
    # The case behind an accepted referral: only for who may open it (never the referrer).
    case = referral.case if referral.case_id else None
    show_case = case is not None and case_permissions.can(user, case_permissions.Action.VIEW_CASE, case)
    context = {
        "referral": referral,
        "can_edit": permissions.can(user, Action.EDIT_DRAFT, referral),
        "can_decide": can_decide,
        "is_coordinator": permissions.is_intake_coordinator(user),
        "duplicates": duplicates,
        "exact_match": exact,
        "accept_form": accept_form,
        "decline_form": decline_form or (DeclineForm() if can_decide else None),
        "case": case if show_case else None,
    }
    return render(request, "referrals/referral_detail.html", context, status=status)


@require_GET
@login_required
def referral_detail(request, pk: int):
    referral = selectors.referral_get_for_user_or_404(user=request.user, pk=pk)
    services.referral_access_record_many(
        referral_ids=[referral.pk], actor=request.user, kind=ReferralAccess.Kind.VIEW
    )
    return _detail(request, referral)


def _refuse(request, referral, error: ValidationError):
    messages.error(request, " ".join(error.messages))
    return redirect(referral)


@require_POST
@login_required
def referral_accept(request, pk: int):
    user = request.user
    referral = selectors.referral_get_for_user_or_404(user=user, pk=pk)
    if not permissions.is_intake_coordinator(user):
        raise PermissionDenied
    duplicates = selectors.referral_possible_duplicates(referral=referral, user=user)
    exact = _exact_match(duplicates)
    form = AcceptForm(
        request.POST,
        caseworkers=selectors.caseworkers_for_intake(user=user),
        people=[d.person for d in duplicates],
        proposed=exact.person if exact else None,
    )
    if form.is_valid():
        try:
            referral = services.referral_accept(
                referral=referral,
                actor=user,
                caseworker=form.cleaned_data["caseworker"],
                person_id=form.cleaned_data["person"],
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return _refuse(request, referral, error)
            _errors_to_form(form, error)
        else:
            messages.success(
                request,
                _("Accepted. Case %(reference)s is open and assigned to %(name)s.")
                % {
                    "reference": referral.case.reference,
                    "name": form.cleaned_data["caseworker"].display_name,
                },
            )
            return redirect(referral.case)
    return _detail(request, referral, accept_form=form, status=400)


@require_POST
@login_required
def referral_decline(request, pk: int):
    user = request.user
    referral = selectors.referral_get_for_user_or_404(user=user, pk=pk)
    if not permissions.is_intake_coordinator(user):
        raise PermissionDenied
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.referral_decline(referral=referral, actor=user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return _refuse(request, referral, error)
            _errors_to_form(form, error)
        else:
            messages.success(request, _("The referral was declined. The referrer sees your reason."))
            return redirect("referrals:list")
    return _detail(request, referral, decline_form=form, status=400)
