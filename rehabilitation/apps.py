from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RehabilitationConfig(AppConfig):
    """The state-paid course of social rehabilitation and its limits.

    A separate app from services/: services/ holds identification and assistance (issue 4),
    rehabilitation/ the course, consultations, court support and the jobs that enforce the limits.
    """

    name = "rehabilitation"
    verbose_name = _("Rehabilitation")

    def ready(self):
        from cases.sections import register_audit_source

        from .models import (
            CourseService,
            CourtSupportEntry,
            FamilyConsultation,
            FamilyMember,
            MaterialAssistance,
            PostCourseConsultation,
            RehabilitationCourse,
            RehabilitationPlan,
        )

        register_audit_source(model=CourtSupportEntry, case_path="case")
        register_audit_source(model=FamilyConsultation, case_path="case")
        register_audit_source(model=FamilyMember, case_path="case")
        register_audit_source(model=RehabilitationCourse, case_path="case")
        register_audit_source(model=CourseService, case_path="course__case")
        register_audit_source(model=MaterialAssistance, case_path="course__case")
        register_audit_source(model=PostCourseConsultation, case_path="course__case")
        register_audit_source(model=RehabilitationPlan, case_path="course__case")
        from cases.sections import register_timeline_source

        from . import selectors as timeline_selectors

        register_timeline_source(key="rehabilitation", entries=timeline_selectors.case_timeline_entries)
        from cases.lifecycle import register_stage_guard
        from cases.models import Case

        register_stage_guard(stage=Case.Stage.FOLLOW_UP, check=timeline_selectors.follow_up_refusal)
        from cases.demo import register_demo_loader
        from cases.sections import register_case_api_extra, register_case_section, register_dashboard_panel

        from . import api, demo, views

        register_case_section(
            key="rehabilitation",
            order=30,
            template="rehabilitation/_case_section.html",
            context=views.case_section_context,
        )
        register_case_section(
            key="entitlements",
            order=6,
            template="rehabilitation/_entitlements_section.html",
            context=views.entitlements_section_context,
        )
        register_case_section(
            key="alerts",
            order=5,
            template="rehabilitation/_alerts_section.html",
            context=views.alerts_section_context,
        )
        register_dashboard_panel(
            key="alerts",
            order=5,
            template="rehabilitation/_alerts_panel.html",
            context=views.alerts_panel_context,
        )
        register_case_api_extra(key="entitlements", field=api.entitlements_field)
        register_demo_loader(30, demo.load)

        from . import corrections

        corrections.register()
        from cases.corrections import register_person_check

        from .services import person_check

        register_person_check(person_check)
