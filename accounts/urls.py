from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/enrol/", views.otp_enrol, name="otp_enrol"),
    path("two-factor/verify/", views.otp_verify, name="otp_verify"),
    path("log/", views.security_log, name="security_log"),
    path("lockouts/", views.lockouts, name="lockouts"),
    path("lockouts/<int:pk>/unlock/", views.lockout_release, name="lockout_release"),
    path("two-factor/reset/", views.two_factor_reset, name="two_factor_reset"),
    path("approvals/", views.approvals, name="approvals"),
    path(
        "approvals/<int:pk>/approve/", views.approval_decide, {"decision": "approve"}, name="approval_approve"
    ),
    path("approvals/<int:pk>/refuse/", views.approval_decide, {"decision": "refuse"}, name="approval_refuse"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.password_reset_sent, name="password_reset_sent"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
]
