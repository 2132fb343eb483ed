from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseloadConfig(AppConfig):
    name = "caseload"
    verbose_name = _("Caseload import")

    def ready(self):
        from cases.sections import register_nav_item

        from . import permissions

        register_nav_item(
            key="caseload",
            order=900,
            label=_("Import a caseload"),
            url_name="caseload:index",
            visible=permissions.may_import,
        )
