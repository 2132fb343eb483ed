"""Every app's API under /api/v1/, on one router."""

from rest_framework.routers import DefaultRouter

from cases.api import CaseViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("cases", CaseViewSet, basename="case")

urlpatterns = router.urls
