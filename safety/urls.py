from django.urls import path

from . import views

app_name = "safety"

urlpatterns = [
    path("cases/<str:reference>/risk/assess/", views.assess, name="assess"),
    path("cases/<str:reference>/plan/add/", views.measure_add, name="measure_add"),
    path("cases/<str:reference>/plan/<int:pk>/edit/", views.measure_edit, name="measure_edit"),
    path("cases/<str:reference>/safe-contact/", views.instructions, name="instructions"),
    path("cases/<str:reference>/contact-disclosures/add/", views.disclose, name="disclose"),
    path("cases/<str:reference>/contact-disclosures/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("cases/<str:reference>/emergency-access/", views.emergency_access, name="emergency_access"),
]
