from django.urls import path

from . import views

app_name = "caseload"

urlpatterns = [
    path("", views.index, name="index"),
    path("template.xlsx", views.template, {"fmt": "xlsx"}, name="template_xlsx"),
    path("template.zip", views.template, {"fmt": "zip"}, name="template_zip"),
    path("<int:pk>/", views.run_detail, name="run"),
    path("<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("<int:pk>/confirm/", views.run_confirm, name="run_confirm"),
]
