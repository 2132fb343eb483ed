from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "operations"
    verbose_name = _("Operations")

    def ready(self):
        from cases.sections import register_dashboard_panel, register_nav_item

        from . import permissions, signals, views

        signals.connect()
        register_nav_item(
            key="operations",
            order=950,
            label=_("System status"),
            url_name="operations:status",
            visible=permissions.may_see_status,
        )
        register_dashboard_panel(
            key="operations",
            order=50,
            template="operations/_dashboard_panel.html",
            context=views.dashboard_panel_context,
        )
