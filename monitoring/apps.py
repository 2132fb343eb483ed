from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self):
        from cases.sections import register_case_section, register_dashboard_panel, register_nav_item

        from . import permissions, statistics, views

        # The figures and the CSV of the default period, precomputed (docs/performance.md).
        statistics.register_snapshots()

        register_nav_item(
            key="monitoring",
            order=900,
            label=_("Monitoring"),
            url_name="monitoring:index",
            visible=permissions.may_monitor,
        )
        register_dashboard_panel(
            key="monitoring",
            order=900,
            template="monitoring/_dashboard_panel.html",
            context=views.dashboard_panel_context,
        )
        register_case_section(
            key="monitoring",
            order=990,
            template="monitoring/_case_section.html",
            context=views.case_section_context,
        )
