from django.urls import path

from cases.corrections import entry_urls

from . import views

app_name = "reintegration"

urlpatterns = [
    path("", views.partner_list, name="list"),
    path("<int:pk>/", views.partner_detail, name="detail"),
    path("<int:pk>/needs/new/", views.need_add, name="need_add"),
    path("<int:pk>/assistance/new/", views.assistance_add, name="assistance_add"),
    path("<int:pk>/measures/new/", views.measure_add, name="measure_add"),
    path("<int:pk>/complete/", views.complete, name="complete"),
    path("<int:pk>/consultations/new/", views.consultation_add, name="consultation_add"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/consent/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("cases/<str:reference>/refer/", views.refer, name="refer"),
    *entry_urls("needs", "municipal-assistance", "employment-measures", "partner-consultations"),
]
