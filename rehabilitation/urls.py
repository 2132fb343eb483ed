from django.urls import path

from cases.corrections import entry_urls

from . import views

app_name = "rehabilitation"

urlpatterns = [
    path("cases/<str:reference>/course/start/", views.course_start, name="course_start"),
    path("cases/<str:reference>/course/end/", views.course_end, name="course_end"),
    path("cases/<str:reference>/course/plan/", views.plan_edit, name="plan"),
    path("cases/<str:reference>/course/services/add/", views.course_service_add, name="service_add"),
    path(
        "cases/<str:reference>/course/material-assistance/add/",
        views.material_assistance_add,
        name="material_add",
    ),
    path(
        "cases/<str:reference>/post-course-consultations/add/",
        views.post_course_consultation_add,
        name="post_course_add",
    ),
    path("cases/<str:reference>/family-members/add/", views.family_member_add, name="family_member_add"),
    path(
        "cases/<str:reference>/family-consultations/add/",
        views.family_consultation_add,
        name="family_consultation_add",
    ),
    path("cases/<str:reference>/court-support/add/", views.court_support_add, name="court_support_add"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    *entry_urls(
        "court-support",
        "course-services",
        "material-assistance",
        "post-course-consultations",
        "family-consultations",
        "plans",
    ),
]
