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
