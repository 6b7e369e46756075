"""The applicant portal: inbox of conversations, one conversation (with its
reply form), one message shown in its conversation, compose.

Thin views: access and routing belong to the selectors and the service; a
DomainError from the service goes back to the form, next to its field. Pages
answer GET, HEAD and (where they have a form) POST; only GET marks anything read.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from casework.access import application_for_applicant, applications_for_applicant
from common.errors import AlreadySent, DomainError
from common.ids import id_or_404
from common.ratelimit import rate_limit
from intake import presenters
from intake.forms.portal import ComposeForm, ReplyForm
from intake.models import Conversation, Message
from intake.selectors import (
    applicant_conversations,
    applicant_message,
    application_case_id,
    conversation_messages,
    message_attachments,
)
from intake.services.read_state import message_mark_read, messages_mark_read
from intake.services.sending import message_send_from_applicant
from intake.uploads import files_dropped
from intake.views.drafting import draft_action, restored

INBOX_PAGE_SIZE = 25
CONVERSATION_PAGE_SIZE = 20
# How many earlier messages MessageDetails shows above the message itself.
EARLIER_SHOWN = 10


@login_required
@require_safe
def inbox(request):
    applications = list(applications_for_applicant(request.user))
    chosen = None
    if request.GET.get("application"):
        chosen = application_for_applicant(request.user, id_or_404(request.GET["application"]))
    page = Paginator(applicant_conversations(request.user, chosen), INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "applications": applications, "chosen": chosen, "can_write": bool(applications)}
    return render(request, "portal/inbox.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def conversation(request, application_id):
    """Everything written about one application, oldest first, the newest page
    first shown; opening it marks the staff messages shown as read."""
    application = application_for_applicant(request.user, application_id)
    thread = conversation_messages(request.user, application.pk, application_case_id(application))
    reply_action = reverse("portal:conversation", args=[application.pk])
    draft = None
    if request.method == "POST":
        saved = draft_action(request, application.pk)
        if saved is not None:
            return saved
        form = ReplyForm(request.POST, request.FILES, dropped_files=files_dropped(request))
        sent = _send(request, form, application=application, reply_to=_answered(thread), landing=reply_action)
        if sent is not None:
            return sent
    else:
        form = None
    # Page 1 holds the newest messages; each page reads oldest first.
    page = Paginator(thread.reverse(), CONVERSATION_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)[::-1]
    if form is None:
        if request.method == "GET":
            messages_mark_read(messages=shown, reader=request.user)
        newest = shown[-1] if shown and page.number == 1 else None
        initial, draft = restored(request, application.pk, {"subject": presenters.reply_subject(newest) if newest else ""})
        form = ReplyForm(initial=initial)
    context = {
        "application": application,
        "page": page,
        "thread": shown,
        "form": form,
        "reply_action": reply_action,
        "answered_before": _answered_before(application.pk),
        "draft": draft,
    }
    return render(request, "portal/conversation.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def message_detail(request, message_id):
    """MessageDetails: one message with its booking reference, shown in its
    conversation (the messages before it above, later ones counted and linked)."""
    # Annotated by messages_annotated (tracking_id, conversation_id, ...), which the type checker cannot see.
    message: Any = applicant_message(request.user, message_id)
    draft = None
    if request.method == "POST":
        saved = draft_action(request, message.conversation_id)
        if saved is not None:
            return saved
        form = ReplyForm(request.POST, request.FILES, dropped_files=files_dropped(request))
        sent = _send(request, form, reply_to=message)
        if sent is not None:
            return sent
    else:
        if request.method == "GET":
            message_mark_read(message=message, reader=request.user)
        initial, draft = restored(request, message.conversation_id, {"subject": presenters.reply_subject(message)})
        form = ReplyForm(initial=initial)
    # The message and the ones before it, newest first, in one query (and one
    # for all their attachments); later ones are only counted.
    thread = conversation_messages(request.user, message.conversation_id, message.conversation_case_id)
    at, pk = message.created_at, message.pk
    upto = list(
        thread.filter(Q(created_at__lt=at) | Q(created_at=at, id__lte=pk)).order_by("-created_at", "-id")[
            : EARLIER_SHOWN + 2
        ]
    )
    itself, earlier = (upto[0], upto[1:]) if upto and upto[0].pk == pk else (None, upto)
    context = {
        "message": message,
        "attachments": list(itself.attachments.all()) if itself is not None else message_attachments(message),
        "form": form,
        "conversation": {"application_id": message.conversation_id, "tracking_id": message.tracking_id},
        "earlier": earlier[:EARLIER_SHOWN][::-1],
        "more_earlier": len(earlier) > EARLIER_SHOWN,
        "later_count": thread.filter(Q(created_at__gt=at) | Q(created_at=at, id__gt=pk)).count(),
        "answered_before": _answered_before(message.conversation_id),
        "draft": draft,
    }
    return render(request, "portal/message_detail.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def compose(request):
    applications = list(applications_for_applicant(request.user))
    # A new message's draft: of the application it is about, when there is only one.
    draft_application = applications[0].pk if len(applications) == 1 else None
    draft = None
    if request.method == "POST" and applications:
        chosen = {str(application.pk) for application in applications} & {request.POST.get("application", "")}
        saved = draft_action(request, int(chosen.pop()) if chosen else draft_application)
        if saved is not None:
            return saved
        form = ComposeForm(
            request.POST, request.FILES, applications=applications, dropped_files=files_dropped(request)
        )
        sent = _send(request, form)
        if sent is not None:
            return sent
    else:
        initial, draft = restored(request, draft_application, {})
        if draft is None and len(applications) > 1:
            initial, draft = restored(request, None, {})
        form = ComposeForm(applications=applications, initial=initial)
    context = {"form": form, "applications": applications, "draft": draft, "draft_application": draft_application}
    return render(request, "portal/compose.html", context)


def _answered_before(application_id):
    """When the case team last wrote in the conversation (from its summary):
    the applicant's messages before then are answered."""
    return (
        Conversation.objects.filter(application_id=application_id)
        .values_list("last_staff_message__created_at", flat=True)
        .first()
    )


def _answered(thread):
    """The message a reply in the conversation answers: the newest staff
    message, unless it was withdrawn (then the reply stands on its own)."""
    newest = thread.filter(direction=Message.Direction.STAFF_TO_APPLICANT).order_by("-created_at", "-id").first()
    return newest if newest is not None and not newest.deleted else None


def _send(request, form, landing=None, **about):
    """Send what the form holds; the redirect to the sent message (on the
    conversation page when it was written there), or None when the form goes
    back with its errors."""
    if form.is_valid():
        try:
            rate_limit("send", request.user)
            message = message_send_from_applicant(
                applicant=request.user,
                files=form.cleaned_data["attachments"],
                submission_key=form.cleaned_data["submission_key"] or None,
                **form.sent_text(),
                **about,
            )
        except AlreadySent as already:
            # Back, then Send again (or a double click): nothing new, and said so.
            messages.info(request, presenters.already_sent_notice(already.sent))
            return redirect("portal:message_detail", message_id=already.sent.pk)
        except DomainError as error:
            form.service_error_add(error)
        else:
            # The confirmation repeats the response target the page showed.
            messages.success(request, " ".join([_("Your message was sent."), presenters.response_target_sentence()]))
            if landing is not None:
                return redirect(f"{landing}#message-{message.pk}")
            return redirect("portal:message_detail", message_id=message.pk)
    form.files_dropped_note()
    return None
