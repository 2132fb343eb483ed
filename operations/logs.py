"""Request ids on every log line, and no e-mail address in any.

The id comes from the reverse proxy's X-Request-ID header when it is a plain token, else a new
one; it is sent back in the response, so a user's report ("request 3f2a...") leads to its lines.
A Celery task's lines carry the task's id instead.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

_TOKEN = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
HEADER = "X-Request-ID"


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(HEADER, "")
        request_id = given if _TOKEN.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class RedactFilter(logging.Filter):
    """Masks e-mail addresses in the message and its arguments (a safety net, not a licence)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "@" in message:
            record.msg = _EMAIL.sub("[e-mail]", message)
            record.args = None
        return True


def task_request_id(task_id: str | None) -> None:
    """Called when a Celery task starts: its lines carry its id."""
    request_id_var.set(task_id or "-")
