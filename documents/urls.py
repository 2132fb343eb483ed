from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("cases/<str:reference>/attach/", views.attach, name="attach"),
    path("cases/<str:reference>/papers/leaflet.pdf", views.paper, {"kind": "leaflet"}, name="paper_leaflet"),
    path("cases/<str:reference>/papers/consent.pdf", views.paper, {"kind": "consent"}, name="paper_consent"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/download/", views.download, name="download"),
    path("<int:pk>/replace/", views.replace, name="replace"),
    path("<int:pk>/remove/", views.remove, name="remove"),
    path("<int:pk>/share/", views.share, name="share"),
    path("<int:pk>/share/<int:referral_id>/revoke/", views.unshare, name="unshare"),
]
