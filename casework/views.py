from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import check_for_language
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from casework.access import staff_profile_of
from casework.forms import EmailAuthenticationForm


def landing_url_for(user):
    """Staff land on their work queue; applicants on their secure messages."""
    if staff_profile_of(user) is not None:
        return reverse("dashboard:queue")
    return reverse("portal:inbox")


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return landing_url_for(self.request.user)


def home(request):
    if request.user.is_authenticated:
        return HttpResponseRedirect(landing_url_for(request.user))
    return HttpResponseRedirect(reverse("login"))


@require_POST
def switch_language(request):
    """Django's set_language, plus: a signed-in user's choice is remembered on
    their account, so it follows them to other devices and to their e-mails."""
    response = set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language and check_for_language(language):
        if request.user.preferred_language != language:
            request.user.preferred_language = language
            request.user.save(update_fields=["preferred_language"])
    return response
