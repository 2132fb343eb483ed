"""Session limits and two-factor enforcement, on every request.

SessionSecurityMiddleware: a session ends 12 hours after the login however active it is
(settings.SESSION_ABSOLUTE_SECONDS; the 30 idle minutes are Django's SESSION_COOKIE_AGE), records
views that refuse with PermissionDenied, and holds the current request for the security log's
signal receivers (a selector that refuses an object has no request to hand).

IdleSessionMiddleware: a request renews the session's idle limit (SESSION_COOKIE_AGE) when the
last renewal is SESSION_RENEW_SECONDS old or more, so a session ends between 29 and 30 idle
minutes after its last request; a background poll (passive_session) never renews it.

NoStoreMiddleware: no response of the project's own is kept by a browser or proxy cache.

TwoFactorRequiredMiddleware: when settings.OTP_REQUIRED, a logged-in user who has not yet given
a code this session reaches only the login, logout, language and two-factor pages: the others
send them to enrolment (no authenticator yet) or verification.
"""

from __future__ import annotations

import time
from contextvars import ContextVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

LOGIN_AT_SESSION_KEY = "accounts_login_at"
RENEWED_AT_SESSION_KEY = "accounts_renewed_at"
SESSION_EXPIRED_FLAG = "_accounts_session_expired"
SESSION_ENDED = _("Your session ended: sessions last at most 12 hours. Log in again to continue.")
TWO_FACTOR_REQUIRED = _("Give your two-factor code first: log in through the login page.")

_current_request: ContextVar = ContextVar("accounts_current_request", default=None)

# The pages a logged-in user reaches before giving their two-factor code.
TWO_FACTOR_EXEMPT_VIEWS = frozenset(
    {"login", "logout", "set_language", "accounts:otp_enrol", "accounts:otp_verify", "admin:logout"}
)


def current_request():
    """The request being handled on this thread or task, or None (a Celery task, a command)."""
    return _current_request.get()


def passive_session(view):
    """Mark a view a page polls in the background (a progress bar): answering it neither saves
    nor renews the session, so a tab left open still ends after the idle limit."""
    view.passive_session = True
    return view


class IdleSessionMiddleware(SessionMiddleware):
    """Django's session middleware, which saves a session only when it changed, plus the renewal
    of the idle limit: saving a session moves its expiry SESSION_COOKIE_AGE ahead, and a request
    saves it when its last renewal is SESSION_RENEW_SECONDS old (SESSION_SAVE_EVERY_REQUEST would
    write and commit on every request, and renew the session on every background poll)."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        request._passive_session = getattr(view_func, "passive_session", False)

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if (
            session is not None
            and settings.SESSION_COOKIE_NAME in request.COOKIES
            and not getattr(request, "_passive_session", False)
        ):
            renewed = session.get(RENEWED_AT_SESSION_KEY)
            now = time.time()
            if not session.is_empty() and (
                renewed is None or now - float(renewed) >= settings.SESSION_RENEW_SECONDS
            ):
                session[RENEWED_AT_SESSION_KEY] = now
        return super().process_response(request, response)


class NoStoreMiddleware:
    """Cache-Control: no-store on every response the project itself makes (pages, API, PDFs,
    exports, error pages): a browser's disk cache or a shared proxy must keep no copy of a case
    file. Static files are served above this middleware and stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response


class SessionSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            self._end_old_session(request)
            return self.get_response(request)
        finally:
            _current_request.reset(token)

    @staticmethod
    def _end_old_session(request) -> None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return
        started = request.session.get(LOGIN_AT_SESSION_KEY)
        now = time.time()
        if started is None:
            # A session from before this limit existed: the limit starts now.
            request.session[LOGIN_AT_SESSION_KEY] = now
            return
        if now - float(started) > settings.SESSION_ABSOLUTE_SECONDS:
            setattr(request, SESSION_EXPIRED_FLAG, True)
            # logout() flushes the session server-side and sends user_logged_out (the log).
            logout(request)
            messages.info(request, SESSION_ENDED)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied) and request.user.is_authenticated:
            from .models import SecurityEvent
            from .services import security_event_record

            security_event_record(kind=SecurityEvent.Kind.ACCESS_REFUSED, request=request)
        return None


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.OTP_REQUIRED:
            return None
        user = request.user
        if not user.is_authenticated:
            return None
        is_verified = getattr(user, "is_verified", None)
        if is_verified is not None and is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in TWO_FACTOR_EXEMPT_VIEWS:
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": str(TWO_FACTOR_REQUIRED)}, status=403)
        from django_otp import user_has_device

        target = "accounts:otp_verify" if user_has_device(user, confirmed=True) else "accounts:otp_enrol"
        next_url = request.get_full_path() if request.method == "GET" else reverse("dashboard")
        return redirect_to_login(next_url, reverse(target))
