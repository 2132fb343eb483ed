"""Every app's API under /api/v1/, on one router."""

from rest_framework.routers import DefaultRouter

from cases.api import CaseViewSet, TransferViewSet
from referrals.api import ReferralViewSet
from reintegration import api as reintegration_api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
# The API speaks JSON only: no ".json" twin of every route (custom actions without a format
# argument answered those with a 500; found by the security sweep).
router.include_format_suffixes = False
router.register("cases", CaseViewSet, basename="case")
router.register("transfers", TransferViewSet, basename="transfer")
router.register("referrals", ReferralViewSet, basename="referral")

from services import api as services_api  # noqa: E402

_CASE = r"cases/(?P<reference>[A-Za-z0-9-]+)"
router.register(f"{_CASE}/identification", services_api.IdentificationViewSet, basename="case-identification")
router.register(f"{_CASE}/assistance", services_api.AssistanceViewSet, basename="case-assistance")
router.register(f"{_CASE}/proceedings", services_api.ProceedingViewSet, basename="case-proceeding")
router.register(
    f"{_CASE}/reflection-period", services_api.ReflectionPeriodViewSet, basename="case-reflection-period"
)
router.register(
    f"{_CASE}/residence-permit", services_api.ResidencePermitViewSet, basename="case-residence-permit"
)

router.register(
    "reintegration/referrals", reintegration_api.ReferralViewSet, basename="reintegration-referral"
)
router.register(
    "reintegration/assessments", reintegration_api.NeedViewSet, basename="reintegration-assessment"
)
router.register(
    "reintegration/assistance", reintegration_api.AssistanceViewSet, basename="reintegration-assistance"
)
router.register(
    "reintegration/employment-measures", reintegration_api.MeasureViewSet, basename="reintegration-measure"
)
router.register(
    "reintegration/consultations",
    reintegration_api.ConsultationViewSet,
    basename="reintegration-consultation",
)

from rehabilitation import api as rehabilitation_api  # noqa: E402

router.register(f"{_CASE}/course", rehabilitation_api.CourseViewSet, basename="case-course")
router.register(
    f"{_CASE}/course-services", rehabilitation_api.CourseServiceViewSet, basename="case-course-service"
)
router.register(
    f"{_CASE}/material-assistance",
    rehabilitation_api.MaterialAssistanceViewSet,
    basename="case-material-assistance",
)
router.register(
    f"{_CASE}/post-course-consultations",
    rehabilitation_api.PostCourseConsultationViewSet,
    basename="case-post-course-consultation",
)
router.register(
    f"{_CASE}/family-members", rehabilitation_api.FamilyMemberViewSet, basename="case-family-member"
)
router.register(
    f"{_CASE}/family-consultations",
    rehabilitation_api.FamilyConsultationViewSet,
    basename="case-family-consultation",
)
router.register(
    f"{_CASE}/court-support", rehabilitation_api.CourtSupportViewSet, basename="case-court-support"
)

from monitoring import api as monitoring_api  # noqa: E402

router.register("monitoring/figures", monitoring_api.FiguresViewSet, basename="monitoring-figures")
router.register(f"{_CASE}/audit-trail", monitoring_api.AuditTrailViewSet, basename="case-audit-trail")

from documents import api as documents_api  # noqa: E402

router.register(f"{_CASE}/documents", documents_api.CaseDocumentViewSet, basename="case-document")
router.register("documents", documents_api.DocumentViewSet, basename="document")

from cases import corrections_api  # noqa: E402

# Corrections and voids of every stage's entries: /api/v1/entries/<kind>/<pk>/correct/ and void/.
corrections_api.register_routes(router)

urlpatterns = router.urls
