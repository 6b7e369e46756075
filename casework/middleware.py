from django.contrib.auth import logout
from django.http import HttpResponseRedirect, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

from casework import sessions, two_step
from common.http import is_api_request


class UserLanguageMiddleware:
    """A signed-in user's `preferred_language` decides the language of every page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.preferred_language != request.LANGUAGE_CODE:
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = user.preferred_language
        return self.get_response(request)


def reads_session_state_only(view):
    """Mark a view whose requests are not activity (the time-out warning's
    check of how long the session has left)."""
    view.reads_session_state_only = True
    return view


class SessionIdleTimeoutMiddleware:
    """Sign out a session that has been idle too long (casework.sessions).

    The request then goes on as an anonymous one: pages send the person to the
    sign-in page, which says why; the API answers 401."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and sessions.idle_seconds_left(request.session) <= 0:
            logout(request)
            request.session[sessions.ENDED_FOR_INACTIVITY_KEY] = True
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (
            request.user.is_authenticated
            and not getattr(view_func, "reads_session_state_only", False)
            and sessions.activity_is_stale(request.session)
        ):
            sessions.activity_mark(request.session)


def two_step_exempt(view):
    """Mark a view that a person may use before giving their code: the code
    step itself, signing out, the language switch, password reset."""
    view.two_step_exempt = True
    return view


class TwoStepRequiredMiddleware:
    """Until a person who must give a code (staff; applicants who turned it on)
    has given it, every page sends them to the code step and the API answers
    401: their password alone opens nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "two_step_exempt", False):
            return None
        if not two_step.required(request) or two_step.verified(request):
            return None
        if is_api_request(request):
            return JsonResponse(
                {
                    "error": "two_step_required",
                    "message": _("Enter the code from your authenticator app to finish signing in."),
                },
                status=401,
            )
        return HttpResponseRedirect(two_step.step_url(request.get_full_path()))


class SignedInNoStoreMiddleware:
    """Pages for a signed-in person hold personal data: no cache (browser,
    proxy, back button) keeps them. A response that chose its own caching
    (downloads, the API) keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store, private"
        return response
