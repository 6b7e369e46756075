"""Nothing typed is lost to an ended session (issue 16).

A message form posted after its writer's session ended (idle time-out, the
absolute lifetime, a sign-out in another tab) is not sent: the person is
anonymous now. Instead of the sign-in page alone, what they typed is kept in
their new, anonymous session (casework.sessions.KEPT_TEXT_KEY) and the sign-in
page says so; when they sign in, it becomes their draft of that conversation
(intake.services.drafts), through the same access rule as the form's own page,
and the form they come back to holds it.

The middleware sits after CSRF's: only a form this site served is kept."""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from casework.models import Case
from casework.sessions import KEPT_TEXT_KEY
from intake.models import Message
from intake.selectors import application_id_writable
from intake.services.drafts import draft_save

# The pages whose forms write a message, and the URL argument that names the conversation.
FORM_VIEWS = {
    "portal:compose": None,
    "portal:conversation": "application_id",
    "portal:message_detail": "message_id",
    "dashboard:case_detail": "case_id",
    "dashboard:message_detail": "case_id",
    "dashboard:application_detail": "application_id",
}


class KeepTypedTextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or request.user.is_authenticated:
            return None
        match = request.resolver_match
        view = match.view_name if match is not None else ""
        if view not in FORM_VIEWS:
            return None
        subject = request.POST.get("subject", "")
        body = request.POST.get("body", "")
        if not (subject.strip() or body.strip()):
            return None
        argument = FORM_VIEWS[view]
        request.session[KEPT_TEXT_KEY] = {
            "view": view,
            "id": int(view_kwargs[argument]) if argument else None,
            "application": request.POST.get("application", ""),
            "subject": subject,
            "body": body,
        }
        # The sign-in page, then back to the form, as login_required would send them.
        return redirect_to_login(request.path)


def kept_text_to_draft(sender, request, user, **kwargs):
    """On sign-in (user_logged_in): the kept text becomes the person's draft of
    the conversation the form was about, if they may write in it; else it goes."""
    if request is None or not hasattr(request, "session"):
        return
    kept = request.session.pop(KEPT_TEXT_KEY, None)
    if not isinstance(kept, dict):
        return
    try:
        application_id = application_id_writable(user, _application_value(kept))
    except Http404:
        return
    draft_save(
        user=user,
        application_id=application_id,
        subject=str(kept.get("subject", "")),
        body=str(kept.get("body", "")),
    )


def _application_value(kept):
    """The application the kept form was about, as the form would have given it ("" for none)."""
    view, object_id = kept.get("view"), kept.get("id")
    if view == "portal:compose":
        return str(kept.get("application", ""))
    if view in ("portal:conversation", "dashboard:application_detail"):
        return str(object_id)
    if view == "portal:message_detail":
        found = Message.objects.filter(pk=object_id).values_list("application_id", flat=True).first()
    elif view in ("dashboard:case_detail", "dashboard:message_detail"):
        found = Case.objects.filter(pk=object_id).values_list("application_id", flat=True).first()
    else:
        raise Http404
    if found is None:
        raise Http404
    return str(found)
