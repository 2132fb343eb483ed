"""Every write of the accounts app: the security log, two-factor devices, lockout releases."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from typing import TYPE_CHECKING, Any, NoReturn

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.exceptions import APIException

from cases.models import User, UserRole
from cases.services import history_stamp

from . import permissions

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
from .models import SecurityEvent

RECOVERY_CODE_COUNT = 10
# Codes from the step before and after the current one still count: phone clocks drift.
TOTP_TOLERANCE = 1

CODE_WRONG = _(
    "That code is not right. Type the 6 digits your authenticator app shows now, or one of your recovery codes."
)
ENROL_CODE_WRONG = _(
    "That code is not right. Check that the app shows the account you just added, and type the 6 digits it shows now."
)
ALREADY_ENROLLED = _("Two-factor authentication is already set up for this account.")
FIRST_LOGIN_SUBJECT = _("Your account: set your password")
TOO_MANY_CODES = _("Too many wrong codes in a row. Wait %(seconds)s seconds, then try again.")


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: REMOTE_ADDR, or behind trusted proxies the address they saw.

    X-Forwarded-For is trusted only for as many hops as settings.TRUSTED_PROXY_COUNT says,
    counted from the right: anything further left was written by the client and can be forged.
    """
    if request is None:
        return None
    meta = request.META
    candidate = meta.get("REMOTE_ADDR") or ""
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count:
        hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= count:
            candidate = hops[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def typed_username_mark(typed: str | None) -> tuple[object | None, str]:
    """The account a typed username names, and what the logs may keep of the text.

    People type their password into the username field: the raw text must never be stored.
    A username that names an account is kept as that account's username (it is no secret); any
    other text becomes "unknown:" and a keyed hash, so repeated guesses of one string can still
    be counted and locked out, and nobody can read back what was typed.
    """
    text = typed if isinstance(typed, str) else ""
    user = get_user_model().objects.filter(username=text).first() if text else None
    if user is not None:
        return user, user.get_username()
    digest = hmac.new(settings.SECRET_KEY.encode(), text.encode("utf-8", "replace"), hashlib.sha256)
    return None, f"unknown:{digest.hexdigest()[:24]}"


def axes_username(request: HttpRequest | None, credentials: dict[str, Any] | None = None) -> str | None:
    """The username django-axes records (AXES_USERNAME_CALLABLE): an account's username, or a
    keyed hash of text that names no account (typed_username_mark)."""
    value = (credentials or {}).get("username") if credentials else None
    if value is None and request is not None:
        value = getattr(request, "POST", {}).get("username")
    if value is None:
        return None
    return typed_username_mark(value)[1]


def security_event_record(
    *,
    kind: str,
    request: HttpRequest | None = None,
    user: User | None = None,
    username: str = "",
    target: str = "",
) -> SecurityEvent:
    """Add one line to the security log; the PDF download and other apps call this too.

    The user defaults to the request's authenticated user; the path is stored without its
    query string (search terms there may be personal data).
    """
    if user is None and request is not None:
        request_user = getattr(request, "user", None)
        if isinstance(request_user, User) and request_user.is_authenticated:
            user = request_user
    user_id = getattr(user, "pk", None)
    if not username and user is not None:
        username = user.get_username()
    event = SecurityEvent(
        kind=kind,
        user_id=user_id,
        username=(username or "")[:150],
        ip_address=client_ip(request),
        path=(request.path if request is not None else "")[:300],
        target=(target or "")[:200],
    )
    # A failed login names the account tried, not who tried it: no history user for those.
    anonymous_kinds = (SecurityEvent.Kind.LOGIN_FAILED, SecurityEvent.Kind.LOCKOUT)
    history_stamp(event, actor=user if user_id and kind not in anonymous_kinds else None)
    event.save()
    return event


# --- two-factor -------------------------------------------------------------------------------


def totp_token_matches(*, key: str, token: str) -> int | None:
    """The time step a 6-digit code matches for a hex key, or None."""
    token = (token or "").strip().replace(" ", "")
    if not token.isdigit() or len(token) != 6:
        return None
    totp = TOTP(bytes.fromhex(key))
    if totp.verify(int(token), tolerance=TOTP_TOLERANCE):
        return int(totp.t())
    return None


def _new_recovery_codes(*, user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def totp_enrol(
    *, user: User, key: str, token: str, request: HttpRequest | None = None, replace: bool = False
) -> tuple[TOTPDevice, list[str]]:
    """Confirm a new authenticator app with a code from it; returns the device and recovery codes.

    The key lives in the session until the code proves the app has it: nothing is saved while
    the person is still scanning, and a GET never creates a device.
    """
    step = totp_token_matches(key=key, token=token)
    if step is None:
        security_event_record(kind=SecurityEvent.Kind.OTP_FAILED, request=request, user=user)
        raise ValidationError(ENROL_CODE_WRONG)
    return _totp_device_create(user=user, key=key, step=step, request=request, replace=replace)


@transaction.atomic
def _totp_device_create(
    *, user: User, key: str, step: int, request: HttpRequest | None, replace: bool = False
) -> tuple[TOTPDevice, list[str]]:
    # Locks the user's row: two enrolments racing in two tabs leave one device, not two.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    # A new authenticator replaces the old one only after the password and a current code from
    # it (accounts.views.two_factor); otherwise it is the first one.
    if not replace and TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError(ALREADY_ENROLLED)
    TOTPDevice.objects.filter(user=user).delete()
    # last_t: the code just used cannot be used again to verify.
    device = TOTPDevice.objects.create(user=user, name="authenticator", key=key, confirmed=True, last_t=step)
    codes = _new_recovery_codes(user=user)
    security_event_record(kind=SecurityEvent.Kind.OTP_ENROLLED, request=request, user=user)
    return device, codes


def otp_verify(*, user: User, token: str, request: HttpRequest | None = None) -> Device:
    """The device that accepts this code (an app code or a recovery code), or a ValidationError.

    Devices are locked for the check (django-otp's throttling and replay protection need it);
    a recovery code is used up by verify_token.
    """
    token = (token or "").strip().replace(" ", "").lower()
    wait = 0
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            allowed, info = device.verify_is_allowed()
            if not allowed:
                wait = max(wait, _seconds_left(info))
                continue
            if device.verify_token(token):
                kind = (
                    SecurityEvent.Kind.RECOVERY_CODES_USED
                    if isinstance(device, StaticDevice)
                    else SecurityEvent.Kind.OTP_VERIFIED
                )
                security_event_record(kind=kind, request=request, user=user)
                return device
    security_event_record(kind=SecurityEvent.Kind.OTP_FAILED, request=request, user=user)
    if wait:
        raise ValidationError(TOO_MANY_CODES % {"seconds": wait})
    raise ValidationError(CODE_WRONG)


def _seconds_left(info: dict[str, Any] | None) -> int:
    from django.utils import timezone

    locked_until = (info or {}).get("locked_until")
    if locked_until is None:
        return 1
    return max(int((locked_until - timezone.now()).total_seconds()) + 1, 1)


@transaction.atomic
def recovery_codes_renew(*, user: User, request: HttpRequest | None = None) -> list[str]:
    """New recovery codes; the old ones stop working."""
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise PermissionDenied
    codes = _new_recovery_codes(user=user)
    security_event_record(kind=SecurityEvent.Kind.RECOVERY_CODES_RENEWED, request=request, user=user)
    return codes


# --- lockouts ---------------------------------------------------------------------------------


@transaction.atomic
def lockout_release(*, attempt: AccessAttempt, actor: User, request: HttpRequest | None = None) -> None:
    """The system administrator unlocks one username at one address."""
    if not permissions.can_release_lockouts(actor):
        raise PermissionDenied
    username = attempt.username or ""
    AccessAttempt.objects.filter(pk=attempt.pk).delete()
    security_event_record(
        kind=SecurityEvent.Kind.UNLOCKED,
        request=request,
        user=actor,
        target=f"{username} @ {attempt.ip_address or '-'}"[:200],
    )


@transaction.atomic
def two_factor_reset(*, user: User, actor: User, request: HttpRequest | None = None) -> None:
    """The system administrator removes a user's authenticator and recovery codes (a lost phone):
    the user sets up a new one at their next login."""
    if not permissions.can_release_lockouts(actor):
        raise PermissionDenied
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    security_event_record(
        kind=SecurityEvent.Kind.OTP_RESET, request=request, user=actor, target=f"user:{user.username}"[:200]
    )
    _tell_national_coordinators(ACCOUNT_CHANGE_SUBJECT, OTP_RESET_MAIL, "accounts:security_log")


# --- passwords --------------------------------------------------------------------------------


def password_links_sent(*, email: str, request: HttpRequest | None = None) -> None:
    """Log a password link request by the accounts it goes to (never the address typed)."""
    for user in get_user_model().objects.filter(email__iexact=email, is_active=True):
        security_event_record(kind=SecurityEvent.Kind.PASSWORD_RESET_SENT, request=request, user=user)


def first_login_link_send(*, user: User, actor: User, request: HttpRequest | None = None) -> None:
    """A new account gets no password from anyone: its owner sets one through this link, which
    expires after settings.PASSWORD_RESET_TIMEOUT and works once."""
    from django.contrib.auth.tokens import default_token_generator
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    if not user.email:
        return
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    body = render_to_string("accounts/first_login_email.txt", {"link": settings.SITE_URL.rstrip("/") + path})
    send_mail(str(FIRST_LOGIN_SUBJECT), body, None, [user.email])
    security_event_record(
        kind=SecurityEvent.Kind.PASSWORD_RESET_SENT, request=request, user=actor, target=f"user:{user.pk}"
    )


# --- role grants: a second person approves ------------------------------------------------------

ROLE_APPROVE_OWN = _("Nobody approves a change to their own account, or one they asked for.")
ROLE_NOT_PENDING = _("This role change no longer awaits approval; reload the page.")


def role_grant_request(*, grant: UserRole, actor: User, request: HttpRequest | None = None) -> None:
    """A role that reads case files, granted through the admin, waits for approval."""

    if grant.role not in UserRole.PRIVILEGED:
        return
    grant.pending, grant.requested_by, grant.approved_by, grant.approved_at = True, actor, None, None
    history_stamp(grant, actor=actor)
    grant.save(update_fields=["pending", "requested_by", "approved_by", "approved_at"])
    grant.user.__dict__.pop("_roles_cache", None)
    security_event_record(
        kind=SecurityEvent.Kind.ROLE_REQUESTED,
        request=request,
        user=actor,
        target=f"user:{grant.user_id} role:{grant.role}",
    )
    _tell_national_coordinators()


def user_moved(*, user: User, actor: User, request: HttpRequest | None = None) -> None:
    """A user moved into another organisation: their roles that read case files wait for approval."""

    for grant in UserRole.objects.filter(user=user, role__in=UserRole.PRIVILEGED, pending=False):
        role_grant_request(grant=grant, actor=actor, request=request)


def role_revoked(*, user_id: int, role: str, actor: User, request: HttpRequest | None = None) -> None:
    security_event_record(
        kind=SecurityEvent.Kind.ROLE_REVOKED,
        request=request,
        user=actor,
        target=f"user:{user_id} role:{role}",
    )
    _tell_national_coordinators()


def _tell_national_coordinators(
    subject: Any = None, message: Any = None, url_name: str = "accounts:approvals"
) -> None:
    """An e-mail with a link and no personal data (no name, no username), once the change is
    committed: for every role grant, revocation and approval, password set, two-factor reset and
    API token issued."""
    from django.core.mail import send_mail
    from django.urls import reverse

    from cases.models import Role

    addresses = list(
        get_user_model()
        .objects.filter(
            is_active=True, role_grants__role=Role.NATIONAL_COORDINATOR, role_grants__pending=False
        )
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not addresses:
        return
    link = settings.SITE_URL.rstrip("/") + reverse(url_name)
    body = str(message or ROLE_CHANGE_MAIL) % {"link": link}
    title = str(subject or ROLE_CHANGE_SUBJECT)
    transaction.on_commit(lambda: send_mail(title, body, None, addresses, fail_silently=True))


ACCOUNT_CHANGE_SUBJECT = _("A change to an account of the case management system")
PASSWORD_SET_MAIL = _(
    "A password was set through a first-login or password-reset link. The security log has the "
    "details: %(link)s"
)
OTP_RESET_MAIL = _(
    "An administrator reset an account's two-factor authentication. The security log has the "
    "details: %(link)s"
)
API_TOKEN_MAIL = _("An API token was issued to a service account. The security log has the details: %(link)s")
ROLE_CHANGE_SUBJECT = _("A change of roles in the case management system")
ROLE_CHANGE_MAIL = _(
    "A role that reads case files was granted, revoked or moved to another organisation. "
    "The security log and the approvals page have the details: %(link)s"
)


def can_approve(*, actor: User, grant: UserRole) -> bool:
    """The national coordinator approves ministry roles; the NGO's coordinator its own staff.
    Nobody approves a change to their own account, or one they asked for."""
    from cases.models import Organisation, Role
    from cases.permissions import has_role

    if actor.pk in (grant.user_id, grant.requested_by_id):
        return False
    org = grant.user.organisation
    if (
        grant.role == Role.NATIONAL_COORDINATOR
        or (org and org.kind == Organisation.Kind.MINISTRY_INTERIOR)
        # A service account outside a mandated NGO has no coordinator of its own to approve it.
        or (
            grant.role == Role.SERVICE_ACCOUNT and (org is None or org.kind != Organisation.Kind.MANDATED_NGO)
        )
    ):
        return has_role(actor, Role.NATIONAL_COORDINATOR)
    return has_role(actor, Role.COORDINATOR) and org is not None and actor.organisation_id == org.pk


@transaction.atomic
def role_grant_approve(*, grant: UserRole, actor: User, request: HttpRequest | None = None) -> UserRole:
    from django.utils import timezone

    grant = (
        UserRole.objects.select_for_update(of=("self",)).select_related("user__organisation").get(pk=grant.pk)
    )
    if actor.pk in (grant.user_id, grant.requested_by_id):
        raise ValidationError(ROLE_APPROVE_OWN)
    if not can_approve(actor=actor, grant=grant):
        raise PermissionDenied
    if not grant.pending:
        raise ValidationError(ROLE_NOT_PENDING)
    grant.pending, grant.approved_by, grant.approved_at = False, actor, timezone.now()
    history_stamp(grant, actor=actor)
    grant.save(update_fields=["pending", "approved_by", "approved_at"])
    security_event_record(
        kind=SecurityEvent.Kind.ROLE_APPROVED,
        request=request,
        user=actor,
        target=f"user:{grant.user_id} role:{grant.role}",
    )
    _tell_national_coordinators()
    return grant


@transaction.atomic
def role_grant_reject(*, grant: UserRole, actor: User, request: HttpRequest | None = None) -> None:

    grant = UserRole.objects.select_for_update().get(pk=grant.pk)
    if not can_approve(actor=actor, grant=grant):
        raise PermissionDenied
    if not grant.pending:
        raise ValidationError(ROLE_NOT_PENDING)
    target = f"user:{grant.user_id} role:{grant.role}"
    history_stamp(grant, actor=actor)
    grant.delete()
    security_event_record(kind=SecurityEvent.Kind.ROLE_REJECTED, request=request, user=actor, target=target)


# --- API tokens: for service accounts only ------------------------------------------------------

TOKEN_NOT_FOR_PEOPLE = _(
    "API tokens are only for service accounts whose role is approved; people use the API through "
    "their session."
)
TOKEN_DAYS_RANGE = _("A token lasts from 1 to %(max)s days.")
TOKEN_NAME_REQUIRED = _("Say what the token is for.")
TOKEN_WRITE_NEEDS_ENDPOINTS = _("Name the write endpoints the token may use, or make it read-only.")
TOKEN_UNKNOWN_ENDPOINT = _("“%(name)s” is not an endpoint of the API.")
TOKEN_INVALID = _("The token is not valid.")
TOKEN_EXPIRED = _("The token has expired; ask for a new one.")
TOKEN_REVOKED = _("The token was revoked.")
TOKEN_READ_ONLY = _("This token is read-only.")
TOKEN_WRONG_SCOPE = _("This token may not write to this endpoint.")


def api_endpoint_names() -> frozenset[str]:
    """The URL names of every /api/v1/ route: what a token's write scope may name."""
    # Read from the URL resolver, not by importing the API's URL module: that would make accounts
    # (and the ground floor's admin through it) import every stage app's API.
    names: set[str] = set()
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and str(entry.pattern) == "api/v1/":
            names.update(p.name for p in entry.url_patterns if isinstance(p, URLPattern) and p.name)
    return frozenset(names)


def _token_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def is_service_account(user: User) -> bool:
    from cases.models import Role
    from cases.permissions import has_role

    return has_role(user, Role.SERVICE_ACCOUNT)


@transaction.atomic
def api_token_issue(
    *,
    user: User,
    actor: User,
    name: str,
    days: int,
    scope: str = "read_only",
    write_endpoints: list[str] | tuple[str, ...] = (),
    request: HttpRequest | None = None,
) -> tuple[Any, str]:
    """Issue a token to a service account; the key is returned once and never stored."""
    import secrets
    from datetime import timedelta

    from django.utils import timezone

    from .models import ApiToken

    if not permissions.can_issue_api_tokens(actor) or actor.pk == user.pk:
        raise PermissionDenied
    user.__dict__.pop("_roles_cache", None)
    errors: dict[str, Any] = {}
    if not user.is_active or not is_service_account(user):
        errors["user"] = TOKEN_NOT_FOR_PEOPLE
    name = (name or "").strip()
    if not name:
        errors["name"] = TOKEN_NAME_REQUIRED
    max_days = int(getattr(settings, "API_TOKEN_MAX_DAYS", 365))
    if not isinstance(days, int) or not 1 <= days <= max_days:
        errors["days"] = TOKEN_DAYS_RANGE % {"max": max_days}
    endpoints = list(dict.fromkeys(write_endpoints or ()))
    if scope == ApiToken.Scope.WRITE:
        known = api_endpoint_names()
        unknown = [e for e in endpoints if e not in known]
        if not endpoints:
            errors["write_endpoints"] = TOKEN_WRITE_NEEDS_ENDPOINTS
        elif unknown:
            errors["write_endpoints"] = TOKEN_UNKNOWN_ENDPOINT % {"name": unknown[0]}
    elif scope == ApiToken.Scope.READ_ONLY:
        endpoints = []
    else:
        errors["scope"] = TOKEN_WRITE_NEEDS_ENDPOINTS
    if errors:
        raise ValidationError(errors)
    prefix = secrets.token_hex(6)
    key = f"{prefix}.{secrets.token_urlsafe(32)}"
    now = timezone.now()
    token = ApiToken(
        user=user,
        name=name,
        prefix=prefix,
        key_hash=_token_hash(key),
        scope=scope,
        write_endpoints=endpoints,
        created_by=actor,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    history_stamp(token, actor=actor, reason=_("API token issued"))
    token.save()
    security_event_record(
        kind=SecurityEvent.Kind.API_TOKEN_ISSUED,
        request=request,
        user=actor,
        target=f"user:{user.pk} token:{token.pk}",
    )
    _tell_national_coordinators(ACCOUNT_CHANGE_SUBJECT, API_TOKEN_MAIL, "accounts:security_log")
    return token, key


@transaction.atomic
def api_token_revoke(*, token: Any, actor: User, request: HttpRequest | None = None) -> Any:
    from django.utils import timezone

    from .models import ApiToken

    if not permissions.can_issue_api_tokens(actor):
        raise PermissionDenied
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by = timezone.now(), actor
        history_stamp(token, actor=actor)
        token.save(update_fields=["revoked_at", "revoked_by"])
        security_event_record(
            kind=SecurityEvent.Kind.API_TOKEN_REVOKED, request=request, user=actor, target=f"token:{token.pk}"
        )
    return token


def api_token_use(*, key: str, request: HttpRequest, method: str, endpoint: str | None) -> tuple[User, Any]:
    """Check a presented token, and log its use (or its refusal) in the security log.

    Raises AuthenticationFailed for a token that does not authenticate (unknown, expired,
    revoked, not a service account's) and PermissionDenied for a write outside its scope.
    """
    from django.utils import timezone
    from rest_framework import exceptions

    from .models import ApiToken

    prefix = key.split(".", 1)[0] if "." in key else ""
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first() if prefix else None
    if token is None or not hmac.compare_digest(token.key_hash, _token_hash(key)):
        security_event_record(
            kind=SecurityEvent.Kind.API_TOKEN_REFUSED, request=request, target="token:unknown"
        )
        raise exceptions.AuthenticationFailed(TOKEN_INVALID)
    user, target = token.user, f"token:{token.pk}"

    def refuse(
        message: StrOrPromise, error: type[APIException] = exceptions.AuthenticationFailed
    ) -> NoReturn:
        security_event_record(
            kind=SecurityEvent.Kind.API_TOKEN_REFUSED, request=request, user=user, target=target
        )
        raise error(message)

    now = timezone.now()
    if token.revoked_at is not None:
        refuse(TOKEN_REVOKED)
    if token.expires_at <= now:
        refuse(TOKEN_EXPIRED)
    if not user.is_active or not is_service_account(user):
        refuse(TOKEN_NOT_FOR_PEOPLE)
    if method not in ("GET", "HEAD", "OPTIONS"):
        if token.scope != ApiToken.Scope.WRITE:
            refuse(TOKEN_READ_ONLY, exceptions.PermissionDenied)
        if endpoint not in token.write_endpoints:
            refuse(TOKEN_WRONG_SCOPE, exceptions.PermissionDenied)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # not history: a use, not a change
    security_event_record(kind=SecurityEvent.Kind.API_TOKEN_USED, request=request, user=user, target=target)
    return user, token


def password_set_record(*, user: User, request: HttpRequest | None = None) -> None:
    """A password set through a first-login or reset link: in the security log, and told to the
    national coordinators (without saying whose)."""
    security_event_record(kind=SecurityEvent.Kind.PASSWORD_SET, request=request, user=user)
    _tell_national_coordinators(ACCOUNT_CHANGE_SUBJECT, PASSWORD_SET_MAIL, "accounts:security_log")
