"""Drafts in the pages that write messages (issue 16): the "Save draft" and
"Discard draft" buttons of every compose and reply form, a restored draft
filling the form, and the endpoint the page's script saves to every few
seconds. The caller has reached the conversation through its access rule."""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from intake.selectors import application_id_writable
from intake.services.drafts import draft_discard, draft_of, draft_save

DRAFT_FIELD = "draft"  # the name of the buttons: "save" or "discard"


def draft_action(request, application_id):
    """The response to a "Save draft" or "Discard draft" press (back to the
    same page, what was typed kept), or None for a send."""
    action = request.POST.get(DRAFT_FIELD)
    if action == "save":
        draft = draft_save(
            user=request.user,
            application_id=application_id,
            subject=request.POST.get("subject", ""),
            body=request.POST.get("body", ""),
        )
        if draft is None:
            messages.info(request, _("There was nothing to save."))
        else:
            messages.success(
                request,
                _("Your draft was saved at %(time)s. It is kept until you send or discard it.")
                % {"time": formats.time_format(timezone.localtime(draft.updated_at), "TIME_FORMAT")},
            )
        return HttpResponseRedirect(request.get_full_path())
    if action == "discard":
        draft_discard(user=request.user, application_id=application_id)
        messages.success(request, _("Your draft was discarded."))
        return HttpResponseRedirect(request.get_full_path())
    return None


def restored(request, application_id, initial):
    """(initial, draft): the form's initial values with the saved draft's text
    over them, and the draft (None when there is none)."""
    draft = draft_of(request.user, application_id)
    if draft is None:
        return initial, None
    return {**initial, "subject": draft.subject, "body": draft.body}, draft


@require_POST
def draft_autosave(request):
    """What the page's script posts every few seconds while someone writes:
    the draft of the conversation the form is about (`application`, empty for
    a new message without one chosen). JSON; the same access as the page."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "unauthenticated", "message": _("Sign in first.")}, status=401)
    try:
        application_id = application_id_writable(request.user, request.POST.get("application", ""))
    except Http404:
        return JsonResponse({"error": "not_found", "message": _("Not found.")}, status=404)
    draft = draft_save(
        user=request.user,
        application_id=application_id,
        subject=request.POST.get("subject", ""),
        body=request.POST.get("body", ""),
    )
    if draft is None:
        return JsonResponse({"saved": False})
    return JsonResponse(
        {
            "saved": True,
            "updated_at": draft.updated_at.isoformat(),
            "message": _("Draft saved at %(time)s.")
            % {"time": formats.time_format(timezone.localtime(draft.updated_at), "TIME_FORMAT")},
        }
    )
