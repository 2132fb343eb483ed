"""The health check for the load balancer, and the system status page of the administrator."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import permissions, selectors


@never_cache
@require_GET
def healthz(request):
    """200 when this web process reaches the database, 503 when not. No login, nothing else told."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
@login_required
def status(request):
    if not permissions.may_see_status(request.user):
        raise Http404
    return render(
        request,
        "operations/status.html",
        {
            "jobs": selectors.periodic_jobs(),
            "outbox": selectors.outbox_summary(),
            "failing": selectors.outbox_failing(),
        },
    )


def dashboard_panel_context(request) -> dict | None:
    if not permissions.may_see_stale_jobs(request.user):
        return None
    stale = selectors.stale_periodic_jobs()
    if not stale and not permissions.may_see_status(request.user):
        return None
    return {"stale_jobs": stale, "may_see_status": permissions.may_see_status(request.user)}
