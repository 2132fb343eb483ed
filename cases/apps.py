from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from . import dates, history, views
        from .models import (
            Alert,
            Case,
            CaseAssignment,
            CaseTransfer,
            EntryCorrection,
            LegalRepresentative,
            Person,
            StageChange,
        )
        from .sections import register_audit_source, register_case_section

        register_audit_source(model=Case, case_path="self", label=_("Case"))
        register_audit_source(model=Person, case_path="person", label=_("Person"))
        register_audit_source(model=CaseAssignment, case_path="case", label=_("Assignment"))
        register_audit_source(model=Alert, case_path="case", label=_("Alert"))
        register_audit_source(model=LegalRepresentative, case_path="case", label=_("Legal representative"))
        register_audit_source(model=StageChange, case_path="case", label=_("Stage change"))
        register_audit_source(model=CaseTransfer, case_path="case", label=_("Case transfer"))
        register_audit_source(model=EntryCorrection, case_path="case", label=_("Correction of an entry"))
        register_case_section(
            key="legal_representatives",
            order=50,
            template="cases/_legal_representatives.html",
            context=views.representatives_section_context,
        )

        # The snapshot kinds of this app register themselves (docs/performance.md).
        from . import snapshots  # noqa: F401

        # Every date field, whichever app declares it, refuses dates that cannot be true.
        dates.install()
        # Model.history without a new manager class on every read (cases/history.py).
        history.install()
