"""Signal receivers that feed the security log; connected in AccountsConfig.ready()."""

from __future__ import annotations

import time

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from cases.signals import access_refused

from .middleware import LOGIN_AT_SESSION_KEY, SESSION_EXPIRED_FLAG, current_request
from .models import SecurityEvent
from .services import security_event_record, typed_username_mark


def on_logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        # The start of the 12-hour limit (SessionSecurityMiddleware).
        request.session[LOGIN_AT_SESSION_KEY] = time.time()
    security_event_record(kind=SecurityEvent.Kind.LOGIN, request=request, user=user)


def on_logged_out(sender, request, user, **kwargs):
    kind = (
        SecurityEvent.Kind.SESSION_EXPIRED
        if getattr(request, SESSION_EXPIRED_FLAG, False)
        else SecurityEvent.Kind.LOGOUT
    )
    security_event_record(kind=kind, request=request, user=user if getattr(user, "pk", None) else None)


def on_login_failed(sender, credentials, request=None, **kwargs):
    # Django has masked the password; the username field may still hold one (typed_username_mark).
    account, mark = typed_username_mark((credentials or {}).get("username"))
    security_event_record(kind=SecurityEvent.Kind.LOGIN_FAILED, request=request, user=account, username=mark)


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    # axes hands over what AXES_USERNAME_CALLABLE made of the text: already a mark.
    mark = str(username or "")
    account = None if mark.startswith("unknown:") else typed_username_mark(mark)[0]
    security_event_record(kind=SecurityEvent.Kind.LOCKOUT, request=request, user=account, username=mark)


def on_access_refused(sender, user=None, target="", **kwargs):
    security_event_record(
        kind=SecurityEvent.Kind.ACCESS_REFUSED, request=current_request(), user=user, target=target
    )


def connect() -> None:
    user_logged_in.connect(on_logged_in, dispatch_uid="accounts_logged_in")
    user_logged_out.connect(on_logged_out, dispatch_uid="accounts_logged_out")
    user_login_failed.connect(on_login_failed, dispatch_uid="accounts_login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="accounts_locked_out")
    access_refused.connect(on_access_refused, dispatch_uid="accounts_access_refused")
