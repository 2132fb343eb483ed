from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and security")

    def ready(self):
        from cases.sections import register_nav_item

        from . import permissions, receivers

        receivers.connect()
        _unregister_device_admins()
        register_nav_item(
            key="security_log",
            order=900,
            label=_("Security log"),
            url_name="accounts:security_log",
            visible=permissions.can_read_security_log,
        )
        register_nav_item(
            key="two_factor",
            order=990,
            label=_("Two-factor"),
            url_name="accounts:two_factor",
            visible=permissions.uses_two_factor,
        )
        register_nav_item(
            key="approvals",
            order=905,
            label=_("Approvals"),
            url_name="accounts:approvals",
            visible=permissions.can_approve_roles,
        )
        register_nav_item(
            key="password",
            order=995,
            label=_("Password"),
            url_name="accounts:password_change",
            visible=permissions.is_logged_in,
        )
        register_nav_item(
            key="lockouts",
            order=910,
            label=_("Lockouts"),
            url_name="accounts:lockouts",
            visible=permissions.can_release_lockouts,
        )


def _unregister_device_admins() -> None:
    """django-otp's admin shows a device's secret and QR code: whoever sees it can clone the
    authenticator. Nobody manages devices there; the system administrator resets a user's
    two-factor from the lockouts page instead."""
    from django.contrib import admin
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for model in (TOTPDevice, StaticDevice):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
