from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("Services")

    def ready(self):
        from cases.demo import register_demo_loader
        from cases.sections import register_case_section

        from . import demo, views

        register_case_section(
            key="services", order=20, template="services/_case_section.html", context=views.case_section_context
        )
        register_demo_loader(20, demo.load)
