from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("transfers/", views.transfers_incoming, name="transfers"),
    path("transfers/<int:pk>/accept/", views.transfer_accept, name="transfer_accept"),
    path("transfers/<int:pk>/decline/", views.transfer_decline, name="transfer_decline"),
    path("<str:reference>/", views.case_detail, name="detail"),
    path("<str:reference>/assign/", views.case_assign, name="assign"),
    path("<str:reference>/unassign/", views.case_unassign, name="unassign"),
    path("<str:reference>/close/", views.case_close, name="close"),
    path("<str:reference>/person/", views.person_correct, name="person_correct"),
    path("<str:reference>/stage/", views.case_move_stage, name="move_stage"),
    path("<str:reference>/reopen/", views.case_reopen, name="reopen"),
    path("<str:reference>/transfer/", views.case_transfer, name="transfer"),
    path("<str:reference>/transfer/cancel/", views.case_transfer_cancel, name="transfer_cancel"),
    path("<str:reference>/accesses/", views.case_access_log, name="access_log"),
    path("<str:reference>/representatives/new/", views.representative_add, name="representative_add"),
    path(
        "<str:reference>/representatives/<int:pk>/end/", views.representative_end, name="representative_end"
    ),
]
