from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("", views.monitoring_index, name="index"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("summaries/", views.export_list, name="exports"),
    path("summaries/<int:pk>/progress/", views.export_progress, name="export_progress"),
    path("summaries/<int:pk>/download/", views.export_download, name="export_download"),
    path("cases/<str:reference>/audit/", views.case_audit, name="case_audit"),
]
