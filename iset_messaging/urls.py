from django.contrib.auth import views as auth_views
from django.urls import include, path

from casework import views as casework_views
from casework.middleware import two_step_exempt
from iset_messaging.views import healthz

urlpatterns = [
    path("", casework_views.home, name="home"),
    path("login/", casework_views.LoginView.as_view(), name="login"),
    path("logout/", two_step_exempt(auth_views.LogoutView.as_view()), name="logout"),
    path("language/", casework_views.switch_language, name="switch_language"),
    path("healthz", two_step_exempt(healthz), name="healthz"),
    # Two-step verification, the account page and the session time-out (casework.views).
    path("account/", casework_views.account, name="account"),
    path("account/two-step/", casework_views.two_step_verify, name="two_step"),
    path("account/two-step/set-up/", casework_views.two_step_setup, name="two_step_setup"),
    path("account/session/", casework_views.session_status, name="session_status"),
    path("account/session/keep-alive/", casework_views.session_keep_alive, name="session_keep_alive"),
    # Password reset by e-mail: Django's views, with the project's templates and limits.
    path("password-reset/", two_step_exempt(casework_views.PasswordResetView.as_view()), name="password_reset"),
    path(
        "password-reset/sent/", two_step_exempt(casework_views.PasswordResetDoneView.as_view()), name="password_reset_done"
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        two_step_exempt(casework_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        two_step_exempt(casework_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    # Sign-in records and lockouts, for supervisors and admins (before the dashboard's own paths).
    path("dashboard/sign-ins/", casework_views.sign_ins, name="sign_ins"),
    path("dashboard/sign-ins/clear/", casework_views.sign_in_lockout_clear_view, name="sign_in_lockout_clear"),
    path("messages/", include("intake.urls.portal")),
    path("dashboard/", include("intake.urls.dashboard")),
    path("api/", include("intake.urls.api")),
    # Contact us, Privacy, Terms of use, Accessibility, Help, How to apply: open to anyone.
    path("", include("iset_messaging.pages")),
]

handler400 = "iset_messaging.views.bad_request"
handler403 = "iset_messaging.views.permission_denied"
handler404 = "iset_messaging.views.not_found"
handler500 = "iset_messaging.views.server_error"
