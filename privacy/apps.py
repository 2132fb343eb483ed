from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from cases.sections import register_audit_source

        from .models import ErasureRequest, LegalHold, SubjectAccessExport

        register_audit_source(model=ErasureRequest, case_path="case")
        register_audit_source(model=LegalHold, case_path="case")
        register_audit_source(model=SubjectAccessExport, case_path="case")
        from . import panels

        panels.register()
