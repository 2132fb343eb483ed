from django.urls import path

from cases.corrections import entry_urls

from . import views

app_name = "services"

urlpatterns = [
    path(
        "cases/<str:reference>/identification/propose/",
        views.identification_propose,
        name="identification_propose",
    ),
    path(
        "cases/<str:reference>/identification/<int:pk>/",
        views.identification_review,
        name="identification_review",
    ),
    path(
        "cases/<str:reference>/identification/<int:pk>/approve/",
        views.identification_approve,
        name="identification_approve",
    ),
    path(
        "cases/<str:reference>/identification/<int:pk>/return/",
        views.identification_return,
        name="identification_return",
    ),
    path("cases/<str:reference>/proceedings/add/", views.proceeding_add, name="proceeding_add"),
    path("cases/<str:reference>/proceedings/<int:pk>/hearings/add/", views.hearing_add, name="hearing_add"),
    path("cases/<str:reference>/assistance/add/", views.assistance_add, name="assistance_add"),
    path(
        "cases/<str:reference>/reflection-period/start/",
        views.reflection_period_start,
        name="reflection_period_start",
    ),
    path(
        "cases/<str:reference>/reflection-period/end/",
        views.reflection_period_end,
        name="reflection_period_end",
    ),
    path("cases/<str:reference>/residence-permit/", views.residence_permit_edit, name="residence_permit"),
    *entry_urls("assistance", "proceedings", "hearings"),
]
