from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")

    def ready(self):
        from cases.sections import register_audit_source

        from .models import Referral

        register_audit_source(model=Referral, case_path="case")
        from cases.demo import register_demo_loader
        from cases.sections import register_dashboard_panel, register_nav_item

        from . import panels
        from .demo import load_referrals

        register_nav_item(
            key="referrals",
            order=20,
            label=_("Referrals"),
            url_name="referrals:list",
            visible=panels.nav_visible,
        )
        register_dashboard_panel(
            key="referrals_mine", order=10, template="referrals/panel_mine.html", context=panels.mine
        )
        register_dashboard_panel(
            key="referrals_intake", order=11, template="referrals/panel_intake.html", context=panels.intake
        )
        register_dashboard_panel(
            key="referrals_counts", order=12, template="referrals/panel_counts.html", context=panels.counts
        )
        register_demo_loader(10, load_referrals)

        from cases.snapshots import register_snapshot

        from . import selectors

        # The same national counts for every scope: computed once per refresh, for the country.
        register_snapshot(
            kind=selectors.COUNTS_SNAPSHOT,
            produce=lambda org_id: (
                selectors.referral_counts_compute() if org_id is None else {},
                None,
                None,
            ),
        )
