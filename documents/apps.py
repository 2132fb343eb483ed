from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    """The papers a case rests on (encrypted at rest) and the papers given to the victim."""

    name = "documents"
    verbose_name = _("Documents")

    def ready(self):
        from cases.demo import register_demo_loader
        from cases.sections import register_case_section

        from . import demo, views

        register_case_section(
            key="documents",
            order=30,
            template="documents/_case_section.html",
            context=views.case_section_context,
        )
        register_demo_loader(450, demo.load)
