"""What every app's form pages share: GET shows the form; POST saves through the service, or
shows the form again with a 400 and the service's messages on their fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .forms import add_service_errors


def page_memo[T](request: HttpRequest, key: str, compute: Callable[[], T]) -> T:
    """A read several sections of one page show (the case page's reflection period: the
    services section and the entitlements), computed once per request, whichever section asks
    first. Kept on the request: nothing outlives the page (docs/performance.md, "The case page")."""
    memo: dict[str, Any] = request.__dict__.setdefault("_page_memo", {})
    if key not in memo:
        memo[key] = compute()
    value: T = memo[key]
    return value


def run_service(form: forms.Form, save: Callable[[], object]) -> bool:
    """Call a service; on its ValidationError put the messages on the form and say False."""
    try:
        save()
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    return True


def form_page(
    request: HttpRequest,
    *,
    form: forms.Form,
    save: Callable[[], object],
    template: str,
    context: dict[str, Any],
    success: str,
    done_url: str,
) -> HttpResponse:
    """The whole life of a one-form page. `save` runs only for a valid POST; on success the user
    is redirected to `done_url` with the `success` message."""
    if request.method == "POST" and form.is_valid() and run_service(form, save):
        messages.success(request, success)
        return redirect(done_url)
    return render(
        request, template, {"form": form, **context}, status=400 if request.method == "POST" else 200
    )
