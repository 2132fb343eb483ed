"""Thin views: selector -> form -> service -> redirect with a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import permissions, selectors, services
from .forms import (
    AssignCaseworkerForm,
    CaseFilterForm,
    CloseCaseForm,
    EndLegalRepresentativeForm,
    LegalRepresentativeForm,
    MoveStageForm,
    ReopenCaseForm,
    TransferAcceptForm,
    TransferDeclineForm,
    TransferProposeForm,
    UnassignCaseworkerForm,
)
from .forms import add_service_errors as _errors_to_form
from .models import CaseAccess, LegalRepresentative, Role
from .pages import form_page
from .pagination import BoundedPaginator, window
from .permissions import Action
from .sections import case_sections, dashboard_panels, restricted_case_url

PAGE_SIZE = 25


@require_GET
@login_required
def dashboard(request):
    user = request.user
    context = {
        "stage_counts": None,
        "stage_counts_at": None,
        "my_cases": None,
        "unassigned": None,
        "panels": dashboard_panels(request),
    }
    if permissions.can(user, Action.LIST_CASES):
        counts, context["stage_counts_at"] = selectors.case_stage_counts_precomputed_for_user(user=user)
        context["stage_counts"] = [
            (stage, label, counts.get(stage, 0)) for stage, label in selectors.Case.Stage.choices
        ]
    if permissions.has_role(user, Role.CASEWORKER):
        context["my_cases"] = list(selectors.cases_assigned_to(user=user))
    if permissions.has_role(user, Role.COORDINATOR):
        context["unassigned"] = list(selectors.cases_without_caseworker(user=user))
        context["incoming_transfers"] = selectors.transfers_incoming_for_user(user=user).count()
    shown = [c.pk for c in (context["my_cases"] or []) + (context["unassigned"] or [])]
    services.case_access_record_many(case_ids=shown, actor=user, kind=CaseAccess.Kind.LIST)
    return render(request, "cases/dashboard.html", context)


@require_GET
@login_required
def case_list(request):
    if not permissions.can(request.user, Action.LIST_CASES):
        raise Http404
    form = CaseFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    cases = selectors.case_list_for_user(
        user=request.user,
        search=filters.get("q", ""),
        stage=filters.get("stage", ""),
        status=filters.get("status", ""),
    )
    page = BoundedPaginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    services.case_access_record_many(
        case_ids=[c.pk for c in page.object_list], actor=request.user, kind=CaseAccess.Kind.LIST
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = (
        "cases/_case_table.html"
        if request.htmx and request.htmx.target == "case-results"
        else "cases/case_list.html"
    )
    return render(request, template, context)


@require_GET
@login_required
def case_detail(request, reference: str):
    try:
        case = selectors.case_get_for_user_or_404(user=request.user, reference=reference)
    except Http404:
        # A high-risk case its coordinator is not named on: the way in is an emergency access.
        restricted = selectors.case_restricted_for_user(user=request.user, reference=reference)
        url = restricted_case_url(reference) if restricted else None
        if url is None:
            raise
        return redirect(url)
    services.case_access_record(case=case, actor=request.user, kind=CaseAccess.Kind.VIEW)
    user = request.user
    can_assign = permissions.can(user, Action.ASSIGN_CASEWORKER, case)
    # Read once for the timeline and the open transfer.
    transfers = selectors.case_transfers(case=case)
    context = {
        "case": case,
        "person": case.person,
        "contact": selectors.person_contact_for_user(user=user, case=case),
        "sections": case_sections(request, case),
        # 20 entries at a time, newest first (cases.pagination.window).
        "timeline": window(
            request,
            selectors.case_timeline(case=case, transfers=transfers),
            param="timeline_page",
            anchor="timeline-h",
        ),
        "can_assign": can_assign,
        "can_close": permissions.can(user, Action.CLOSE_CASE, case),
        "can_correct_person": permissions.can(user, Action.CHANGE_CASE, case),
        "can_move_stage": permissions.can(user, Action.MOVE_STAGE, case),
        "can_reopen": permissions.can(user, Action.REOPEN_CASE, case),
        "can_transfer": permissions.can(user, Action.TRANSFER_CASE, case),
        "open_transfer": selectors.transfer_open_of(transfers),
        "can_view_access_log": permissions.can(user, Action.VIEW_ACCESS_LOG, case),
        "assign_form": AssignCaseworkerForm(caseworkers=selectors.caseworkers_assignable_to(case=case))
        if can_assign
        else None,
        "close_form": CloseCaseForm(),
    }
    return render(request, "cases/case_detail.html", context)


def _case_for_action(request, reference: str):
    return selectors.case_get_for_user_or_404(user=request.user, reference=reference)


@require_POST
@login_required
def case_assign(request, reference: str):
    case = _case_for_action(request, reference)
    if not permissions.can(request.user, Action.ASSIGN_CASEWORKER, case):
        raise PermissionDenied
    form = AssignCaseworkerForm(request.POST, caseworkers=selectors.caseworkers_assignable_to(case=case))
    if form.is_valid():
        try:
            services.case_assign_caseworker(
                case=case, caseworker=form.cleaned_data["caseworker"], actor=request.user
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is now assigned to the case.")
                % {"name": form.cleaned_data["caseworker"].display_name},
            )
            return redirect(case)
    for error in form.errors.get("caseworker", []) + form.non_field_errors():
        messages.error(request, error)
    return redirect(case)


@require_POST
@login_required
def case_unassign(request, reference: str):
    case = _case_for_action(request, reference)
    if not permissions.can(request.user, Action.ASSIGN_CASEWORKER, case):
        raise PermissionDenied
    form = UnassignCaseworkerForm(request.POST)
    if form.is_valid():
        try:
            services.case_unassign_caseworker(
                case=case, caseworker=form.cleaned_data["caseworker"], actor=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The caseworker was unassigned."))
    else:
        messages.error(request, _("Choose the caseworker to unassign."))
    return redirect(case)


@login_required
def case_close(request, reference: str):
    case = _case_for_action(request, reference)
    if not permissions.can(request.user, Action.CLOSE_CASE, case):
        raise PermissionDenied
    form = CloseCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_close(case=case, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("The case was closed."))
            return redirect(case)
    return render(
        request,
        "cases/case_close.html",
        {"case": case, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@login_required
def case_access_log(request, reference: str):
    case = _case_for_action(request, reference)
    accesses = selectors.case_access_list_for_user(user=request.user, case=case)
    page = Paginator(accesses, 50).get_page(request.GET.get("page"))
    return render(request, "cases/case_access_log.html", {"case": case, "page": page})


# --- a minor's legal representative -----------------------------------------------------------


def representatives_section_context(request, case) -> dict | None:
    """The legal representatives on the case page: for a minor, or once any is recorded."""
    if not permissions.can(request.user, Action.VIEW_CASE, case):
        return None
    representatives = selectors.case_legal_representatives(case=case)
    minor = case.person.is_minor
    if not minor and not representatives:
        return None
    return {
        "case": case,
        "representatives": representatives,
        "minor": minor,
        "missing": bool(minor) and not any(r.is_current for r in representatives),
        "may_act": permissions.can(request.user, Action.CHANGE_CASE, case),
    }


def _case_to_change(request, reference: str):
    case = selectors.case_get_for_user_or_404(user=request.user, reference=reference)
    if not permissions.can(request.user, Action.CHANGE_CASE, case):
        raise PermissionDenied
    return case


@login_required
def representative_add(request, reference: str):
    case = _case_to_change(request, reference)
    return form_page(
        request,
        form=(form := LegalRepresentativeForm(request.POST or None)),
        save=lambda: services.legal_representative_add(case=case, actor=request.user, **form.cleaned_data),
        template="cases/form_page.html",
        context={
            "case": case,
            "title": _("Record a legal representative"),
            "submit": _("Record"),
            "cancel_url": case.get_absolute_url(),
        },
        success=_("The legal representative was recorded."),
        done_url=case.get_absolute_url(),
    )


@login_required
def representative_end(request, reference: str, pk: int):
    case = _case_to_change(request, reference)
    representative = LegalRepresentative.objects.filter(case=case, pk=pk).first()
    if representative is None:
        raise Http404
    return form_page(
        request,
        form=(form := EndLegalRepresentativeForm(request.POST or None)),
        save=lambda: services.legal_representative_end(
            representative=representative, actor=request.user, **form.cleaned_data
        ),
        template="cases/form_page.html",
        context={
            "case": case,
            "title": _("End a legal representative's part"),
            "intro": str(representative),
            "submit": _("End"),
            "danger": True,
            "cancel_url": case.get_absolute_url(),
        },
        success=_("The legal representative's part was ended."),
        done_url=case.get_absolute_url(),
    )


def _form_page(request, template: str, context: dict, form) -> object:
    return render(
        request, template, {**context, "form": form}, status=400 if request.method == "POST" else 200
    )


@login_required
def case_move_stage(request, reference: str):
    """A coordinator moves the case by hand, with a reason (docs/lifecycle.md)."""
    case = _case_for_action(request, reference)
    if not permissions.can(request.user, Action.MOVE_STAGE, case):
        raise PermissionDenied
    form = MoveStageForm(request.POST or None, stages=services.stages_reachable_by_hand(case))
    if request.method == "POST" and form.is_valid():
        try:
            services.case_move_to_stage(
                case=case,
                stage=form.cleaned_data["stage"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("The case was moved."))
            return redirect(case)
    return _form_page(request, "cases/case_stage.html", {"case": case}, form)


@login_required
def case_reopen(request, reference: str):
    case = _case_for_action(request, reference)
    if not permissions.can(request.user, Action.REOPEN_CASE, case):
        raise PermissionDenied
    form = ReopenCaseForm(
        request.POST or None, caseworkers=selectors.caseworkers_of(organisation_id=case.organisation_id)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.case_reopen(
                case=case,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                caseworker=form.cleaned_data["caseworker"],
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("The case was reopened."))
            return redirect(case)
    return _form_page(request, "cases/case_reopen.html", {"case": case}, form)


@login_required
def case_transfer(request, reference: str):
    """The sending coordinator proposes to hand the case to another mandated NGO."""
    case = _case_for_action(request, reference)
    if not permissions.can(request.user, Action.TRANSFER_CASE, case):
        raise PermissionDenied
    form = TransferProposeForm(request.POST or None, organisations=selectors.transfer_targets(case=case))
    if request.method == "POST" and form.is_valid():
        try:
            services.case_transfer_propose(
                case=case,
                to_organisation=form.cleaned_data["organisation"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("The transfer was proposed; the other NGO's coordinator answers it."))
            return redirect(case)
    return _form_page(
        request,
        "cases/case_transfer.html",
        {"case": case, "open_transfer": selectors.transfer_open_for_case(case=case)},
        form,
    )


@require_POST
@login_required
def case_transfer_cancel(request, reference: str):
    case = _case_for_action(request, reference)
    transfer = selectors.transfer_open_for_case(case=case)
    if transfer is None:
        raise Http404
    try:
        services.case_transfer_cancel(transfer=transfer, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The transfer was cancelled."))
    return redirect(case)


@login_required
@require_GET
def transfers_incoming(request):
    """The transfers awaiting the answer of the coordinator's NGO."""
    if not permissions.has_role(request.user, Role.COORDINATOR):
        raise Http404
    transfers = list(selectors.transfers_incoming_for_user(user=request.user))
    caseworkers = selectors.caseworkers_of(organisation_id=request.user.organisation_id)
    rows = [
        (
            t,
            TransferAcceptForm(caseworkers=caseworkers, prefix=f"a{t.pk}"),
            TransferDeclineForm(prefix=f"d{t.pk}"),
        )
        for t in transfers
    ]
    return render(request, "cases/transfers.html", {"rows": rows})


@require_POST
@login_required
def transfer_accept(request, pk: int):
    transfer = selectors.transfer_incoming_for_user_or_404(user=request.user, pk=pk)
    form = TransferAcceptForm(
        request.POST,
        caseworkers=selectors.caseworkers_of(organisation_id=request.user.organisation_id),
        prefix=f"a{transfer.pk}",
    )
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("cases:transfers")
    try:
        services.case_transfer_accept(
            transfer=transfer, actor=request.user, caseworker=form.cleaned_data["caseworker"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("cases:transfers")
    messages.success(request, _("The case was transferred to your NGO."))
    return redirect(transfer.case)


@require_POST
@login_required
def transfer_decline(request, pk: int):
    transfer = selectors.transfer_incoming_for_user_or_404(user=request.user, pk=pk)
    form = TransferDeclineForm(request.POST, prefix=f"d{transfer.pk}")
    form.is_valid()
    try:
        services.case_transfer_decline(
            transfer=transfer, actor=request.user, reason=form.cleaned_data.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The transfer was declined."))
    return redirect("cases:transfers")


@login_required
def person_correct(request, reference: str):
    """Correct the person's details with a reason (the caseworker or the coordinator)."""
    from .forms import PersonCorrectForm
    from .pages import form_page

    case = _case_for_action(request, reference)
    if not permissions.can(request.user, Action.CHANGE_CASE, case):
        raise PermissionDenied
    form = PersonCorrectForm(request.POST or None, initial=PersonCorrectForm.initial_for(case.person))
    return form_page(
        request,
        form=form,
        save=lambda: services.person_correct(
            case=case, actor=request.user, reason=form.cleaned_data["reason"], **form.service_kwargs()
        ),
        template="cases/person_correct.html",
        context={"case": case, "person": case.person},
        success=_("The person's details were corrected; the history keeps the earlier ones."),
        done_url=case.get_absolute_url() + "#person-h",
    )
