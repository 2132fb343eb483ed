from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("cases/<str:reference>/", views.case_privacy, name="case"),
    path("cases/<str:reference>/holds/", views.hold_place, name="hold_place"),
    path("cases/<str:reference>/holds/<int:pk>/lift/", views.hold_lift, name="hold_lift"),
    path("cases/<str:reference>/erasure/", views.erasure_propose, name="erasure_propose"),
    path("cases/<str:reference>/erasure/<int:pk>/decide/", views.erasure_decide, name="erasure_decide"),
    path(
        "cases/<str:reference>/subject-access.pdf",
        views.subject_access,
        {"fmt": "pdf"},
        name="subject_access_pdf",
    ),
    path(
        "cases/<str:reference>/subject-access.json",
        views.subject_access,
        {"fmt": "json"},
        name="subject_access_json",
    ),
]
