from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and security")

    def ready(self):
        from cases.sections import register_nav_item

        from . import permissions, receivers

        receivers.connect()
        register_nav_item(
            key="security_log", order=900, label=_("Security log"), url_name="accounts:security_log",
            visible=permissions.can_read_security_log,
        )
        register_nav_item(
            key="lockouts", order=910, label=_("Lockouts"), url_name="accounts:lockouts",
            visible=permissions.can_release_lockouts,
        )
