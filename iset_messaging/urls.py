from django.contrib.auth import views as auth_views
from django.urls import include, path

from casework import views as casework_views
from iset_messaging.views import healthz

urlpatterns = [
    path("", casework_views.home, name="home"),
    path("login/", casework_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", casework_views.switch_language, name="switch_language"),
    path("healthz", healthz, name="healthz"),
    path("messages/", include("intake.urls.portal")),
    path("dashboard/", include("intake.urls.dashboard")),
    path("api/", include("intake.urls.api")),
    # Contact us, Privacy, Terms of use, Accessibility, Help, How to apply: open to anyone.
    path("", include("iset_messaging.pages")),
]

handler404 = "iset_messaging.views.not_found"
handler500 = "iset_messaging.views.server_error"
