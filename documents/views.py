"""Thin views: selector -> permission -> form -> service -> redirect with a message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.pages import run_service
from reintegration import selectors as reintegration_selectors

from . import papers, permissions, records, selectors, services
from .forms import DocumentForm, PaperLanguageForm, RemoveForm, ReplaceForm, ShareForm
from .models import RecordKind
from .permissions import Action


def file_response(document, data: bytes) -> HttpResponse:
    """The decrypted file as an attachment the browser keeps nowhere (no-store)."""
    response = HttpResponse(data, content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.download_name}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- the section on the case page -------------------------------------------------------------


def case_section_context(request, case) -> dict | None:
    user = request.user
    if not permissions.can(user, Action.VIEW, case):
        return None
    documents = list(selectors.document_list(case=case))
    labels = {(kind, pk): label for kind, pk, label in records.case_records(case)} if documents else {}
    for document in documents:
        document.record_label = labels.get((document.record_kind, document.record_id), "")
    may_print = permissions.can(user, Action.PRINT_PAPERS, case)
    return {
        "case": case,
        "documents": documents,
        "can_attach": permissions.can(user, Action.ATTACH, case),
        "can_print": may_print,
        "paper_form": PaperLanguageForm(initial={"language": papers.language_for(case.person.languages)})
        if may_print
        else None,
    }


# --- attach, download, history, replace, remove, share ----------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def attach(request, reference: str):
    case = selectors.documents_case_for_user_or_404(user=request.user, reference=reference)
    if not permissions.can(request.user, Action.ATTACH, case):
        raise PermissionDenied
    choices = records.record_choices(case)
    initial = {"record": request.GET.get("record", RecordKind.CASE)}
    if initial["record"] == RecordKind.CONSENT:
        initial["doc_type"] = "consent"
    form = (
        DocumentForm(request.POST, request.FILES, record_choices=choices)
        if request.method == "POST"
        else DocumentForm(initial=initial, record_choices=choices)
    )

    def save():
        kind, record_id = records.parse_record(form.cleaned_data["record"])
        return services.document_attach(
            case=case,
            actor=request.user,
            upload=form.cleaned_data["file"],
            doc_type=form.cleaned_data["doc_type"],
            title=form.cleaned_data["title"],
            document_date=form.cleaned_data["document_date"],
            record_kind=kind,
            record_id=record_id,
        )

    if request.method == "POST" and form.is_valid() and run_service(form, save):
        messages.success(request, _("The document was attached."))
        return redirect(request.POST.get("next") if _safe_next(request) else case.get_absolute_url())
    context = {
        "case": case,
        "form": form,
        "title": _("Attach a document"),
        "next": request.GET.get("next", ""),
    }
    return render(request, "documents/form.html", context, status=400 if request.method == "POST" else 200)


def _safe_next(request) -> bool:
    """Back to a page of the same case (the review page), never elsewhere."""
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    return bool(target) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})


@require_GET
@login_required
def download(request, pk: int):
    document = selectors.document_get_for_user_or_404(user=request.user, pk=pk)
    data = services.document_read(document=document, actor=request.user)
    return file_response(document, data)


def _detail_context(request, document, **forms) -> dict:
    case = document.case
    may_change = document.is_active and permissions.can(request.user, Action.CHANGE, case)
    may_share = document.is_active and permissions.can(request.user, Action.SHARE, case)
    shares = list(document.shares.filter(revoked_at__isnull=True).select_related("referral__partner"))
    return {
        "case": case,
        "document": document,
        "versions": selectors.document_versions(document=document),
        "history": list(document.history.select_related("history_user").order_by("-history_date")[:50]),
        "shares": shares,
        "may_share": may_share,
        "replace_form": ReplaceForm() if may_change else None,
        "remove_form": RemoveForm() if may_change else None,
        "share_form": _share_form(document, shares) if may_share else None,
        **forms,
    }


@require_GET
@login_required
def detail(request, pk: int):
    document = selectors.document_history_get_for_user_or_404(user=request.user, pk=pk)
    return render(request, "documents/detail.html", _detail_context(request, document))


def _share_form(document, shares, data=None):
    shared = {s.referral_id for s in shares}
    referrals = [
        r
        for r in reintegration_selectors.case_referrals(case=document.case)
        if r.is_active and r.pk not in shared
    ]
    return ShareForm(data, referrals=referrals) if referrals else None


def _document_for_change(request, pk: int, action: str):
    document = selectors.document_history_get_for_user_or_404(user=request.user, pk=pk)
    if not permissions.can(request.user, action, document.case):
        raise PermissionDenied
    return document


def _detail_again(request, document, **forms):
    return render(request, "documents/detail.html", _detail_context(request, document, **forms), status=400)


@require_POST
@login_required
def replace(request, pk: int):
    document = _document_for_change(request, pk, Action.CHANGE)
    form = ReplaceForm(request.POST, request.FILES)

    def save():
        return services.document_replace(
            document=document,
            actor=request.user,
            upload=form.cleaned_data["file"],
            reason=form.cleaned_data["reason"],
            title=form.cleaned_data["title"],
        )

    if form.is_valid() and run_service(form, save):
        messages.success(request, _("The document was replaced; the earlier version is in its history."))
        return redirect(document.case.get_absolute_url())
    return _detail_again(request, document, replace_form=form)


@require_POST
@login_required
def remove(request, pk: int):
    document = _document_for_change(request, pk, Action.CHANGE)
    form = RemoveForm(request.POST)

    def save():
        return services.document_remove(
            document=document, actor=request.user, reason=form.cleaned_data["reason"]
        )

    if form.is_valid() and run_service(form, save):
        messages.success(request, _("The document was removed."))
        return redirect(document.case.get_absolute_url())
    return _detail_again(request, document, remove_form=form)


@require_POST
@login_required
def share(request, pk: int):
    document = _document_for_change(request, pk, Action.SHARE)
    shares = list(document.shares.filter(revoked_at__isnull=True))
    form = _share_form(document, shares, request.POST)
    if form is None:
        raise Http404

    def save():
        referral = form.referrals[form.cleaned_data["referral"]]
        return services.document_share(document=document, referral=referral, actor=request.user)

    if form.is_valid() and run_service(form, save):
        messages.success(request, _("The document is shared with the partner."))
        return redirect("documents:detail", pk=document.pk)
    return _detail_again(request, document, share_form=form)


@require_POST
@login_required
def unshare(request, pk: int, referral_id: int):
    document = _document_for_change(request, pk, Action.SHARE)
    share = (
        document.shares.filter(referral_id=referral_id, revoked_at__isnull=True)
        .select_related("referral")
        .first()
    )
    if share is None:
        raise Http404
    services.document_unshare(document=document, referral=share.referral, actor=request.user)
    messages.success(request, _("The document is no longer shared with the partner."))
    return redirect("documents:detail", pk=document.pk)


# --- the papers for the victim ----------------------------------------------------------------


@require_GET
@login_required
def paper(request, reference: str, kind: str):
    case = selectors.documents_case_for_user_or_404(user=request.user, reference=reference)
    if kind not in papers.PAPERS:
        raise Http404
    if not permissions.can(request.user, Action.PRINT_PAPERS, case):
        raise PermissionDenied
    form = PaperLanguageForm(request.GET)
    language = (
        form.cleaned_data["language"] if form.is_valid() else papers.language_for(case.person.languages)
    )
    pdf = papers.render_paper(kind, case=case, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{kind}-{case.reference}-{language}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
