from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReintegrationConfig(AppConfig):
    name = "reintegration"
    verbose_name = _("Reintegration")

    def ready(self):
        from cases.sections import register_audit_source

        from .models import AssessedNeed, Assistance, EmploymentMeasure, PartnerConsultation, PartnerReferral

        register_audit_source(model=PartnerReferral, case_path="case")
        register_audit_source(model=AssessedNeed, case_path="referral__case")
        register_audit_source(model=Assistance, case_path="referral__case")
        register_audit_source(model=EmploymentMeasure, case_path="referral__case")
        register_audit_source(model=PartnerConsultation, case_path="referral__case")
        from cases.sections import register_timeline_source

        from . import selectors as timeline_selectors

        register_timeline_source(key="reintegration", entries=timeline_selectors.case_timeline_entries)
        from cases.lifecycle import register_stage_evidence, register_stage_guard
        from cases.models import Case

        register_stage_evidence(
            key="referred_onward",
            stage=Case.Stage.REINTEGRATION,
            priority=20,
            case_ids=timeline_selectors.cases_referred_onward,
        )
        register_stage_guard(stage=Case.Stage.FOLLOW_UP, check=timeline_selectors.follow_up_refusal)
        from cases.demo import register_demo_loader
        from cases.sections import register_case_section, register_dashboard_panel, register_nav_item

        from . import demo, permissions, views

        register_case_section(
            key="reintegration",
            order=300,
            template="reintegration/_case_section.html",
            context=views.case_section_context,
        )
        register_dashboard_panel(
            key="reintegration",
            order=300,
            template="reintegration/_dashboard_panel.html",
            context=views.dashboard_panel_context,
        )
        register_nav_item(
            key="reintegration",
            order=300,
            label=_("Reintegration"),
            url_name="reintegration:list",
            visible=permissions.is_partner_user,
        )
        register_demo_loader(300, demo.load)

        from . import corrections

        corrections.register()
