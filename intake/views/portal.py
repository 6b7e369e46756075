"""The applicant portal: inbox, one message (with its reply form), compose.

Thin views: access and routing belong to the selectors and the service; a
DomainError from the service goes back to the form, next to its field.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from casework.access import applications_for_applicant
from common.errors import DomainError
from intake import presenters
from intake.forms.portal import ComposeForm, ReplyForm
from intake.selectors import applicant_inbox, applicant_message, message_attachments
from intake.services.read_state import message_mark_read
from intake.services.sending import message_send_from_applicant

INBOX_PAGE_SIZE = 25


@login_required
def inbox(request):
    page = Paginator(applicant_inbox(request.user), INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    can_write = applications_for_applicant(request.user).exists()
    return render(request, "portal/inbox.html", {"page": page, "can_write": can_write})


@login_required
def message_detail(request, message_id):
    message = applicant_message(request.user, message_id)
    if request.method == "POST":
        form = ReplyForm(request.POST, request.FILES)
        sent = _send(request, form, reply_to=message)
        if sent is not None:
            return sent
    else:
        message_mark_read(message=message, reader=request.user)
        form = ReplyForm(initial={"subject": presenters.reply_subject(message)})
    context = {"message": message, "attachments": message_attachments(message), "form": form}
    return render(request, "portal/message_detail.html", context)


@login_required
def compose(request):
    applications = list(applications_for_applicant(request.user))
    if request.method == "POST" and applications:
        form = ComposeForm(request.POST, request.FILES, applications=applications)
        sent = _send(request, form)
        if sent is not None:
            return sent
    else:
        form = ComposeForm(applications=applications)
    return render(request, "portal/compose.html", {"form": form, "applications": applications})


def _send(request, form, **reply):
    """Send what the form holds; the redirect to the sent message, or None when
    the form goes back to the applicant with its errors."""
    if form.is_valid():
        try:
            message = message_send_from_applicant(
                applicant=request.user, files=form.cleaned_data["attachments"], **form.sent_text(), **reply
            )
        except DomainError as error:
            form.service_error_add(error)
        else:
            messages.success(request, _("Your message was sent."))
            return redirect("portal:message_detail", message_id=message.pk)
    form.files_dropped_note()
    return None

