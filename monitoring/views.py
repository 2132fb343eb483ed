"""Thin views: selector -> form -> service -> response."""

import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.middleware import passive_session
from cases import selectors as case_selectors

from . import permissions, selectors, services, statistics
from .forms import ExportRequestForm, PeriodForm, default_period
from .permissions import Action


def _require(user, action: str) -> None:
    if not permissions.can(user, action):
        raise Http404


def _period(request):
    form = PeriodForm(request.GET if "from" in request.GET or "to" in request.GET else None)
    if form.is_bound and form.is_valid():
        return form, statistics.Period(form.cleaned_data["from"], form.cleaned_data["to"])
    start, end = default_period()
    if not form.is_bound:
        form = PeriodForm(initial={"from": start, "to": end})
    return form, statistics.Period(start, end)


# --- one summary ------------------------------------------------------------------------------


@require_GET
@login_required
def case_summary_pdf(request, reference: str):
    case = selectors.summary_case_get_for_user_or_404(user=request.user, reference=reference)
    content = services.summary_pdf_download(case=case, actor=request.user, request=request)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{services.summary_filename(case)}"'
    response["Cache-Control"] = "no-store"
    return response


# --- monitoring -------------------------------------------------------------------------------


@require_GET
@login_required
def monitoring_index(request):
    _require(request.user, Action.VIEW_MONITORING)
    form, period = _period(request)
    figures, computed_at = statistics.figures_precomputed_for_user(user=request.user, period=period)
    query = f"from={period.start:%Y-%m-%d}&to={period.end:%Y-%m-%d}"
    return render(
        request,
        "monitoring/index.html",
        {
            "form": form,
            "figures": figures,
            "computed_at": computed_at,
            "csv_url": f"{reverse('monitoring:export_csv')}?{query}",
            "csv_semicolon_url": f"{reverse('monitoring:export_csv')}?{query}&sep=semicolon",
            "is_national": permissions.can(request.user, Action.VIEW_AUDIT_TRAIL),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@require_GET
@login_required
def export_csv(request):
    _require(request.user, Action.VIEW_MONITORING)
    form, period = _period(request)
    if form.is_bound and not form.is_valid():
        errors = " ".join(str(e) for errs in form.errors.values() for e in errs)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="nrm-victims-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv"'
    )
    response["Cache-Control"] = "no-store"
    if request.GET.get("sep") == "semicolon":
        # The form a spreadsheet set to Latvian (or most of Europe) opens without an import
        # dialog: semicolons between the columns, and a byte-order mark that says UTF-8.
        response.write("\ufeff")
        writer = csv.writer(response, delimiter=";")
    else:
        writer = csv.writer(response)
    writer.writerow(statistics.EUROSTAT_HEADER)
    rows, _computed_at = statistics.eurostat_rows_precomputed_for_user(user=request.user, period=period)
    writer.writerows(rows)
    return response


# --- bulk exports -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def export_list(request):
    _require(request.user, Action.EXPORT_SUMMARIES)
    form = ExportRequestForm(request.POST or request.GET or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            export = services.summary_export_request(
                actor=request.user, filters=form.cleaned_data, language=getattr(request, "LANGUAGE_CODE", "")
            )
        except ValidationError as error:
            form.add_error(None, error)
            status = 400
        else:
            if export.status == export.Status.FAILED:
                messages.error(request, services.EXPORT_NOT_QUEUED)
            else:
                messages.success(
                    request, _("The summaries are being prepared; the file appears below when it is ready.")
                )
            return redirect(reverse("monitoring:exports") + f"#export-{export.pk}")
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "monitoring/exports.html",
        {"form": form, "exports": selectors.export_list_for_user(user=request.user)},
        status=status,
    )


@passive_session
@require_GET
@login_required
def export_progress(request, pk: int):
    export = selectors.export_get_for_user_or_404(user=request.user, pk=pk)
    return render(request, "monitoring/_export_progress.html", {"export": export})


@require_GET
@login_required
def export_download(request, pk: int):
    export = selectors.export_get_for_user_or_404(user=request.user, pk=pk)
    try:
        handle = services.summary_export_open(export=export, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("monitoring:exports")
    response = FileResponse(
        handle, as_attachment=True, filename=f"case-summaries-{export.pk}.zip", content_type="application/zip"
    )
    response["Cache-Control"] = "no-store"
    return response


# --- who saw what -----------------------------------------------------------------------------


AUDIT_PAGE_SIZE = 50


@require_GET
@login_required
def case_audit(request, reference: str):
    case = case_selectors.case_get_for_user_or_404(user=request.user, reference=reference)
    kind = request.GET.get("kind", "")
    if kind not in selectors.AUDIT_KINDS:
        kind = ""
    # Paged by the database: a page reads its own rows, whatever the length of the trail.
    page = selectors.case_audit_page(
        user=request.user, case=case, kind=kind, page=request.GET.get("page"), per_page=AUDIT_PAGE_SIZE
    )
    context = {"case": case, "page": page, "entries": page.object_list, "kind": kind}
    if kind:
        context["query"] = urlencode({"kind": kind})
    return render(request, "monitoring/case_audit.html", context)


# --- parts of other pages ---------------------------------------------------------------------


def case_section_context(request, case) -> dict | None:
    user = request.user
    can_pdf = permissions.can(user, Action.DOWNLOAD_SUMMARY, case)
    can_audit = permissions.can(user, Action.VIEW_AUDIT_TRAIL, case)
    if not (can_pdf or can_audit):
        return None
    return {"case": case, "can_pdf": can_pdf, "can_audit": can_audit}


def dashboard_panel_context(request) -> dict | None:
    user = request.user
    # Headline figures on the national coordinator's dashboard; the NGO's are a click away.
    if not permissions.can(user, Action.VIEW_AUDIT_TRAIL):
        return None
    start, end = default_period()
    figures, computed_at = statistics.figures_precomputed_for_user(
        user=user, period=statistics.Period(start, end)
    )
    return {
        "figures": figures,
        "computed_at": computed_at,
        "is_national": permissions.can(user, Action.VIEW_AUDIT_TRAIL),
    }
