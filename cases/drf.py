"""What every app's API shares: the exception handler and the case-by-reference mixin.

A service raises Django's `ValidationError` (or `PermissionDenied`) and knows nothing of HTTP;
the one exception handler below, set as `REST_FRAMEWORK["EXCEPTION_HANDLER"]`, turns it into the
400 (or 403) the API returns, with the same messages the forms show. No view wraps its service
calls. See docs/architecture.md, "The API".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from .models import Case, CaseAccess
from .services import case_access_record

# The read-only fields of a correctable entry (cases.models.Correctable) in every app's serializer.
VOID_FIELDS = ["voided_at", "void_reason", "corrected_at"]


def validation_detail(error: DjangoValidationError) -> Any:
    """A Django ValidationError as DRF's error body: messages keyed by field, errors of no field
    under "non_field_errors"."""
    detail = serializers.as_serializer_error(error)
    if NON_FIELD_ERRORS in detail:
        detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
    return detail


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """A service's ValidationError is a 400 with its messages; its PermissionDenied a 403 with its
    message (when it gave one); Http404 a 404. Everything else as DRF does it."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_detail(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc.args[0]) if exc.args else None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)


class CaseNestedMixin:
    """For viewsets under /api/v1/cases/<reference>/...: the case from the URL, scoped to the user
    by the app's own selector (a 404 when missing or out of scope), read once per request.

    Subclasses set `case_selector` to their app's `<app>_case_for_user_or_404`.
    """

    pagination_class = None
    case_selector: Callable[..., Case]
    request: Any
    kwargs: dict[str, Any]

    def get_case(self) -> Case:
        if not hasattr(self, "_case"):
            self._case = type(self).case_selector(user=self.request.user, reference=self.kwargs["reference"])
        return self._case

    def record_read(self) -> None:
        """Log the read of the case's data in the case's access log."""
        case_access_record(case=self.get_case(), actor=self.request.user, kind=CaseAccess.Kind.API)
