from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    """Risk assessment, the safety plan, safe contact and emergency access to high-risk cases."""

    name = "safety"
    verbose_name = _("Safety")

    def ready(self):
        from cases.sections import register_audit_source

        from .models import (
            ContactDisclosure,
            EmergencyAccess,
            RiskAssessment,
            RiskAssessmentFactor,
            SafetyMeasure,
        )

        register_audit_source(model=ContactDisclosure, case_path="case")
        register_audit_source(model=EmergencyAccess, case_path="case")
        register_audit_source(model=RiskAssessment, case_path="case")
        register_audit_source(model=SafetyMeasure, case_path="case")
        register_audit_source(model=RiskAssessmentFactor, case_path="assessment__case")
        from django.urls import reverse

        from cases import permissions as case_permissions
        from cases.demo import register_demo_loader
        from cases.sections import register_case_section, register_restricted_case_page

        from . import demo, selectors, views

        case_permissions.register_grant_check(kind="emergency", check=selectors.emergency_access_active)
        case_permissions.register_grant_check(kind="contact", check=selectors.contact_disclosed_to)
        register_restricted_case_page(
            url=lambda reference: reverse("safety:emergency_access", kwargs={"reference": reference})
        )
        register_case_section(
            key="safety", order=4, template="safety/_case_section.html", context=views.case_section_context
        )
        register_demo_loader(400, demo.load)
