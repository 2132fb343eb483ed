"""Thin views: login, two-factor enrolment and verification, the security log, lockouts."""

from __future__ import annotations

import base64
import io
import time

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from . import permissions, selectors, services
from .forms import (
    CodeForm,
    LoginForm,
    PasswordChangeWithCodeForm,
    ReauthForm,
    SecurityLogFilterForm,
    TwoFactorResetForm,
    VerifyForm,
)

LOCKED_OUT = _(
    "Too many failed logins for this username from your address. Try again in %(minutes)s minutes, "
    "or ask your system administrator to unlock it."
)
LOCKOUT_RELEASED = _("%(username)s can log in again from %(address)s.")
TWO_FACTOR_RESET_DONE = _(
    "Two-factor authentication of %(username)s was reset; they set it up again at their next login."
)
PASSWORD_CHANGED = _("Your password was changed.")
ROLE_APPROVED = _("The role is approved and takes effect at once.")
ROLE_REJECTED = _("The role was refused and removed.")
PASSWORD_SET = _("Your password is set. Log in with it now.")
NO_SUCH_USER = _("No user has this username. Check the spelling in the user list.")
ENROL_KEY_SESSION_KEY = "accounts_totp_key"
# Set when the password and a current code were given to replace the authenticator; its time.
REPLACE_SESSION_KEY = "accounts_totp_replace"
REPLACE_WINDOW_SECONDS = 600
LOG_PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["otp_required"] = settings.OTP_REQUIRED
        context["failure_limit"] = settings.AXES_FAILURE_LIMIT
        context["cooloff_minutes"] = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        return context


def lockout(request, original_response=None, credentials=None):
    """django-axes' lockout response (AXES_LOCKOUT_CALLABLE): a page that says what to do."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "accounts/lockout.html",
        {"message": LOCKED_OUT % {"minutes": minutes}},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return settings.LOGIN_REDIRECT_URL


def _qr_data_uri(config_url: str) -> str:
    # An <img> with an SVG data URI: the strict CSP allows img-src data:, and nothing inline runs.
    buffer = io.BytesIO()
    segno.make(config_url, error="m").save(
        buffer, kind="svg", xmldecl=False, scale=4, border=2, dark="#000", light="#fff"
    )
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
@require_http_methods(["GET", "POST"])
def otp_enrol(request):
    user = request.user
    if not settings.OTP_REQUIRED:
        return redirect(settings.LOGIN_REDIRECT_URL)
    replace = _replace_allowed(request)
    if user_has_device(user, confirmed=True) and not replace:
        return redirect(_next_url(request)) if user.is_verified() else redirect("accounts:otp_verify")
    key = request.session.get(ENROL_KEY_SESSION_KEY)
    if not key:
        key = random_hex(20)
        request.session[ENROL_KEY_SESSION_KEY] = key
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.totp_enrol(
                user=user, key=key, token=form.cleaned_data["token"], request=request, replace=replace
            )
        except ValidationError as error:
            form.add_error("token", error)
        else:
            request.session.pop(ENROL_KEY_SESSION_KEY, None)
            request.session.pop(REPLACE_SESSION_KEY, None)
            django_otp.login(request, device)
            # Shown once, in this response; they are stored only as used-once tokens.
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": _next_url(request), "first_time": True},
            )
    device = TOTPDevice(user=user, key=key, name="authenticator")
    secret = base64.b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "qr": _qr_data_uri(device.config_url),
        "secret": _grouped(secret),
        "next": _next_url(request),
    }
    return render(
        request, "accounts/otp_enrol.html", context, status=400 if request.method == "POST" else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    user = request.user
    if not settings.OTP_REQUIRED:
        return redirect(settings.LOGIN_REDIRECT_URL)
    if not user_has_device(user, confirmed=True):
        return redirect("accounts:otp_enrol")
    if user.is_verified():
        return redirect(_next_url(request))
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.otp_verify(user=user, token=form.cleaned_data["token"], request=request)
        except ValidationError as error:
            form.add_error("token", error)
        else:
            django_otp.login(request, device)
            remaining = device.token_set.count() if hasattr(device, "token_set") else None
            if remaining is not None:
                messages.warning(
                    request,
                    _(
                        "You used a recovery code; %(n)s remain. Make new ones under Two-factor authentication."
                    )
                    % {"n": remaining},
                )
            return redirect(_next_url(request))
    return render(
        request,
        "accounts/otp_verify.html",
        {"form": form, "next": _next_url(request)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """Two-factor status, and new recovery codes on request (POST)."""
    user = request.user
    enrolled = user_has_device(user, confirmed=True)
    form = ReauthForm(user, request.POST or None)
    if request.method == "POST":
        if not enrolled:
            raise Http404
        if form.is_valid() and request.POST.get("action") == "new_authenticator":
            # The password and a current code from the old app first: a thief with only the
            # session cannot move the second factor to their own phone.
            request.session[REPLACE_SESSION_KEY] = int(time.time())
            request.session.pop(ENROL_KEY_SESSION_KEY, None)
            return redirect("accounts:otp_enrol")
        if form.is_valid():
            codes = services.recovery_codes_renew(user=user, request=request)
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": settings.LOGIN_REDIRECT_URL, "first_time": False},
            )
    return render(
        request,
        "accounts/two_factor.html",
        {"enrolled": enrolled, "otp_required": settings.OTP_REQUIRED, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@login_required
def security_log(request):
    form = SecurityLogFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.security_event_list_for_user(
        user=request.user,
        kind=filters.get("kind", ""),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    page = Paginator(events, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "accounts/security_log.html", {"form": form, "page": page, "query": query.urlencode()}
    )


@require_GET
@login_required
def lockouts(request):
    attempts = selectors.lockout_list_for_user(user=request.user)
    return render(
        request,
        "accounts/lockouts.html",
        {"attempts": attempts, "limit": settings.AXES_FAILURE_LIMIT, "reset_form": TwoFactorResetForm()},
    )


@require_POST
@login_required
def two_factor_reset(request):
    attempts = selectors.lockout_list_for_user(user=request.user)  # 404 for everyone but the administrator
    form = TwoFactorResetForm(request.POST)
    if form.is_valid():
        target = selectors.user_get_for_reset(username=form.cleaned_data["username"])
        if target is None:
            form.add_error("username", NO_SUCH_USER)
        else:
            services.two_factor_reset(user=target, actor=request.user, request=request)
            messages.success(request, TWO_FACTOR_RESET_DONE % {"username": target.username})
            return redirect("accounts:lockouts")
    context = {"attempts": attempts, "limit": settings.AXES_FAILURE_LIMIT, "reset_form": form}
    return render(request, "accounts/lockouts.html", context, status=400)


@require_POST
@login_required
def lockout_release(request, pk: int):
    attempt = selectors.lockout_get_for_user_or_404(user=request.user, pk=pk)
    services.lockout_release(attempt=attempt, actor=request.user, request=request)
    messages.success(
        request, LOCKOUT_RELEASED % {"username": attempt.username, "address": attempt.ip_address or "-"}
    )
    return redirect("accounts:lockouts")


# --- passwords: users set their own ----------------------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    """The current password and, with two-factor on, a current code first."""

    form_class = PasswordChangeWithCodeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("dashboard")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.security_event_record(
            kind=services.SecurityEvent.Kind.PASSWORD_CHANGED, request=self.request, user=self.request.user
        )
        messages.success(self.request, PASSWORD_CHANGED)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """A link by e-mail; the page says the same whether or not the address has an account."""

    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_sent")

    def form_valid(self, form):
        services.password_links_sent(email=form.cleaned_data["email"], request=self.request)
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("login")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_set_record(user=form.user, request=self.request)
        messages.success(self.request, PASSWORD_SET)
        return response


def password_reset_sent(request):
    return render(request, "accounts/password_reset_sent.html")


# --- role grants awaiting a second person ------------------------------------------------------


@require_GET
@login_required
def approvals(request):
    grants = selectors.pending_grant_list_for_user(user=request.user)
    return render(request, "accounts/approvals.html", {"grants": grants})


@require_POST
@login_required
def approval_decide(request, pk: int, decision: str):
    grant = selectors.pending_grant_get_for_user_or_404(user=request.user, pk=pk)
    try:
        if decision == "approve":
            services.role_grant_approve(grant=grant, actor=request.user, request=request)
            messages.success(request, ROLE_APPROVED)
        else:
            services.role_grant_reject(grant=grant, actor=request.user, request=request)
            messages.success(request, ROLE_REJECTED)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("accounts:approvals")


__all__ = ["LoginView", "lockout", "permissions"]


def _replace_allowed(request) -> bool:
    """The password and a current code were given for a new authenticator, minutes ago."""
    given = request.session.get(REPLACE_SESSION_KEY)
    return isinstance(given, int) and 0 <= time.time() - given <= REPLACE_WINDOW_SECONDS
