from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    """The papers a case rests on (encrypted at rest) and the papers given to the victim."""

    name = "documents"
    verbose_name = _("Documents")

    def ready(self):
        from cases.demo import register_demo_loader
        from cases.sections import register_audit_source, register_case_section

        from . import demo, views
        from .models import Document, DocumentShare

        # Every change of a document and of its shares is on the case's audit trail.
        register_audit_source(model=Document, case_path="case")
        register_audit_source(model=DocumentShare, case_path="document__case")

        register_case_section(
            key="documents",
            order=30,
            template="documents/_case_section.html",
            context=views.case_section_context,
        )
        register_demo_loader(450, demo.load)
