from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("Services")

    def ready(self):
        from cases.sections import register_audit_source

        from .models import (
            AssistanceRecord,
            CriminalProceeding,
            Hearing,
            Identification,
            ReflectionPeriod,
            ResidencePermit,
        )

        register_audit_source(model=AssistanceRecord, case_path="case")
        register_audit_source(model=CriminalProceeding, case_path="case")
        register_audit_source(model=Identification, case_path="case")
        register_audit_source(model=ReflectionPeriod, case_path="case")
        register_audit_source(model=ResidencePermit, case_path="case")
        register_audit_source(model=Hearing, case_path="proceeding__case")
        from cases.sections import register_timeline_source

        from . import selectors as timeline_selectors

        register_timeline_source(key="services", entries=timeline_selectors.case_timeline_entries)
        from cases.lifecycle import register_stage_evidence, register_status_evidence
        from cases.models import Case

        register_status_evidence(
            key="identified",
            status=Case.VictimStatus.IDENTIFIED,
            priority=20,
            case_ids=timeline_selectors.cases_identified,
        )
        register_status_evidence(
            key="not_identified",
            status=Case.VictimStatus.NOT_IDENTIFIED,
            priority=10,
            case_ids=timeline_selectors.cases_not_identified,
        )
        register_stage_evidence(
            key="identified",
            stage=Case.Stage.REHABILITATION,
            priority=10,
            case_ids=timeline_selectors.cases_identified,
        )
        from cases.demo import register_demo_loader
        from cases.sections import register_case_section, register_dashboard_panel

        from . import demo, views

        register_case_section(
            key="services",
            order=20,
            template="services/_case_section.html",
            context=views.case_section_context,
        )
        register_dashboard_panel(
            key="identifications_awaiting_review",
            order=20,
            template="services/_dashboard_panel.html",
            context=views.dashboard_panel_context,
        )
        register_dashboard_panel(
            key="identifications_returned",
            order=21,
            template="services/_returned_panel.html",
            context=views.returned_panel_context,
        )
        register_demo_loader(20, demo.load)

        from . import corrections

        corrections.register()
        from cases.corrections import register_person_check

        from .services import person_check

        register_person_check(person_check)
