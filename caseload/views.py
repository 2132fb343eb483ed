"""Thin views: selector -> form -> service -> response."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.middleware import passive_session
from cases.forms import add_service_errors

from . import permissions, selectors, services, sheets
from .forms import UploadForm


def _require(user) -> None:
    # Anyone else gets the same 404 as for a missing page: the import is the coordinators'.
    if not permissions.may_import(user):
        raise Http404


@require_http_methods(["GET", "POST"])
@login_required
def index(request):
    _require(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                run = services.import_upload(actor=request.user, upload=form.cleaned_data["file"])
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                if run.status == run.Status.FAILED:
                    messages.error(request, services.NOT_QUEUED)
                else:
                    messages.success(
                        request, _("The file is being checked; nothing is imported until you confirm.")
                    )
                return redirect("caseload:run", pk=run.pk)
        status = 400
    return render(
        request,
        "caseload/index.html",
        {"form": form, "runs": selectors.import_run_list_for_user(user=request.user)},
        status=status,
    )


@require_GET
@login_required
def template(request, fmt: str):
    _require(request.user)
    if fmt == "xlsx":
        content = sheets.template_xlsx()
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content = sheets.template_csv_zip()
        content_type = "application/zip"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="caseload-template.{fmt}"'
    return response


def _run_context(request, run) -> dict:
    done, total = services.import_run_progress(run=run)
    report = run.report or {}
    return {
        "run": run,
        "done": done,
        "total": total,
        "report": report,
        "problems": report.get("problems", []),
    }


@require_GET
@login_required
def run_detail(request, pk: int):
    run = selectors.import_run_get_for_user_or_404(user=request.user, pk=pk)
    return render(request, "caseload/run.html", _run_context(request, run))


@passive_session
@require_GET
@login_required
def run_progress(request, pk: int):
    run = selectors.import_run_get_for_user_or_404(user=request.user, pk=pk)
    return render(request, "caseload/_run_status.html", _run_context(request, run))


@require_POST
@login_required
def run_confirm(request, pk: int):
    run = selectors.import_run_get_for_user_or_404(user=request.user, pk=pk)
    try:
        run = services.import_run_confirm(run=run, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if run.status == run.Status.FAILED:
            messages.error(request, services.NOT_QUEUED)
        else:
            messages.success(request, _("The import has started; it is all or nothing."))
    return redirect("caseload:run", pk=run.pk)
