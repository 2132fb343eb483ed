from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from accounts import views as accounts_views
from cases import views as case_views
from monitoring import views as monitoring_views
from operations import views as operations_views
from privacy import views as privacy_views

urlpatterns = [
    path("", case_views.dashboard, name="dashboard"),
    path("healthz", operations_views.healthz, name="healthz"),
    path("operations/", include("operations.urls")),
    path("caseload/", include("caseload.urls")),
    path("accounts/login/", accounts_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("cases/<str:reference>/summary.pdf", monitoring_views.case_summary_pdf, name="case_summary_pdf"),
    path("cases/", include("cases.urls")),
    path("monitoring/processing/", privacy_views.processing, name="processing_record"),
    path("monitoring/", include("monitoring.urls")),
    path("privacy/", include("privacy.urls")),
    path("referrals/", include("referrals.urls")),
    path("services/", include("services.urls")),
    path("rehabilitation/", include("rehabilitation.urls")),
    path("reintegration/", include("reintegration.urls")),
    path("safety/", include("safety.urls")),
    path("documents/", include("documents.urls")),
    path("security/", include("accounts.urls")),
    path("api/v1/", include("trafficking_cms.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("admin/", admin.site.urls),
]
