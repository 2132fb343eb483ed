from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("<str:reference>/", views.case_detail, name="detail"),
    path("<str:reference>/assign/", views.case_assign, name="assign"),
    path("<str:reference>/unassign/", views.case_unassign, name="unassign"),
    path("<str:reference>/close/", views.case_close, name="close"),
    path("<str:reference>/accesses/", views.case_access_log, name="access_log"),
    path("<str:reference>/representatives/new/", views.representative_add, name="representative_add"),
    path(
        "<str:reference>/representatives/<int:pk>/end/", views.representative_end, name="representative_end"
    ),
]
