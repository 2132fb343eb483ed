"""The security log: who logged in, failed, was locked out, verified a code, was refused, downloaded."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class SecurityEvent(models.Model):
    class Kind(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOCKOUT = "lockout", _("Locked out after repeated failures")
        UNLOCKED = "unlocked", _("Lockout released")
        LOGOUT = "logout", _("Logged out")
        SESSION_EXPIRED = "session_expired", _("Session ended after its time limit")
        OTP_ENROLLED = "otp_enrolled", _("Two-factor authentication set up")
        OTP_VERIFIED = "otp_verified", _("Two-factor code accepted")
        OTP_FAILED = "otp_failed", _("Two-factor code refused")
        RECOVERY_CODES_USED = "recovery_codes_used", _("Recovery code used")
        RECOVERY_CODES_RENEWED = "recovery_codes_renewed", _("Recovery codes renewed")
        OTP_RESET = "otp_reset", _("Two-factor authentication reset by an administrator")
        ACCESS_REFUSED = "access_refused", _("Access refused")
        DOWNLOAD = "download", _("Download")
        EMERGENCY_ACCESS = "emergency_access", _("Emergency access to a case")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        PASSWORD_RESET_SENT = "password_reset_sent", _("Password link sent")
        PASSWORD_SET = "password_set", _("Password set through a link")
        ROLE_REQUESTED = "role_requested", _("Role granted, awaiting approval")
        ROLE_APPROVED = "role_approved", _("Role approved")
        ROLE_REJECTED = "role_rejected", _("Role refused")
        ROLE_REVOKED = "role_revoked", _("Role revoked")
        API_TOKEN_ISSUED = "api_token_issued", _("API token issued")
        API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")
        API_TOKEN_USED = "api_token_used", _("API token used")
        API_TOKEN_REFUSED = "api_token_refused", _("API token refused")

    kind = models.CharField(_("event"), max_length=32, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="security_events",
    )
    # The account's username, or for a failed login naming no account "unknown:" and a keyed
    # hash of the text (a password typed into the username field must not be readable here).
    username = models.CharField(_("username"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    # The path only: a query string may carry search terms, and so personal data.
    path = models.CharField(_("path"), max_length=300, blank=True)
    # What was refused or downloaded, by model and reference, e.g. "cases.Case:NRM-2026-0001".
    target = models.CharField(_("object"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["-at"], name="securityevent_at_idx"),
            models.Index(fields=["kind", "-at"], name="securityevent_kind_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.username} {self.at:%Y-%m-%d %H:%M:%S}"


class ApiToken(models.Model):
    """A token another system uses for the API, only for a service account (docs/decisions.md).

    The key is shown once when it is issued; only its SHA-256 is kept (a random 256-bit secret
    needs no slow hash), found by its public prefix. A token expires, and its scope is read-only
    or the write endpoints it names (URL names of /api/v1/ routes).
    """

    class Scope(models.TextChoices):
        READ_ONLY = "read_only", _("Read only")
        WRITE = "write", _("Read, and write to the endpoints named")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("service account"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("what it is for"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    key_hash = models.CharField(max_length=64, editable=False)
    scope = models.CharField(_("scope"), max_length=12, choices=Scope.choices, default=Scope.READ_ONLY)
    write_endpoints = models.JSONField(_("write endpoints"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("issued at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")), name="apitoken_expires_after_issue"
            ),
            models.CheckConstraint(
                condition=~models.Q(scope="read_only") | models.Q(write_endpoints=[]),
                name="apitoken_read_only_writes_nothing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
