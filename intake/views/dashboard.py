"""The admin dashboard: case list, case page with the SecureMessagingWidget,
withdrawal. Thin: parse, call a selector or service, render. Access goes
through the case (casework.access); outsiders get the not-found page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from casework.access import case_for_staff
from casework.models import Case
from common.errors import Conflict, DomainError, PermissionRefused
from intake import presenters
from intake.forms.dashboard import CaseMessageForm
from intake.models import Message
from intake.selectors import (
    CASE_LIST_SORTS,
    CASE_WIDGET_ORDERS,
    applications_awaiting_case,
    case_conversation,
    case_documents,
    case_message,
    case_widget_messages,
    case_with_thread_counts,
    message_history,
    staff_case_list,
)
from intake.services.adoption import attachments_adopt
from intake.services.read_state import message_mark_read
from intake.services.sending import message_send_to_case
from intake.services.withdrawal import message_withdraw

CASES_PER_PAGE = 25
MESSAGES_PER_PAGE = 20
TABS = {
    "all": None,
    "from": Message.Direction.APPLICANT_TO_STAFF,
    "to": Message.Direction.STAFF_TO_APPLICANT,
}
TAB_COUNTS = {"all": "all", "from": "from_applicant", "to": "to_applicant"}


@login_required
def case_list(request):
    search = request.GET.get("q", "").strip()
    sort = request.GET.get("sort") if request.GET.get("sort") in CASE_LIST_SORTS else "activity"
    cases = Paginator(staff_case_list(request.user, search, sort), CASES_PER_PAGE).get_page(request.GET.get("page"))
    awaiting = Paginator(applications_awaiting_case(request.user), CASES_PER_PAGE).get_page(
        request.GET.get("awaiting_page")
    )
    return render(
        request, "dashboard/case_list.html", {"cases": cases, "awaiting": awaiting, "search": search, "sort": sort}
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_detail(request, case_id):
    case = case_with_thread_counts(request.user, case_id)
    if request.method == "POST":
        return _message_send(request, case)
    return _case_page(request, case, form=CaseMessageForm())


@login_required
@require_http_methods(["GET", "POST"])
def message_detail(request, case_id, message_id):
    case = case_with_thread_counts(request.user, case_id)
    message = case_message(case, message_id)
    if request.method == "POST":
        return _message_send(request, case, reply_to=message)
    message_mark_read(message=message, reader=request.user)
    return _case_page(
        request, case, opened=message, form=CaseMessageForm(initial={"subject": presenters.reply_subject(message)})
    )


@login_required
@require_http_methods(["GET", "POST"])
def message_withdraw_confirm(request, case_id, message_id):
    case = case_for_staff(request.user, case_id)
    message = case_message(case, message_id)
    refusal = None
    if request.method == "POST":
        try:
            message_withdraw(staff_user=request.user, case=case, message=message)
        except (Conflict, PermissionRefused) as exc:
            refusal = exc
        else:
            messages.success(
                request, _("The message was withdrawn. The applicant now sees only a notice in its place.")
            )
            return redirect("dashboard:message_detail", case.pk, message.pk)
    return render(
        request,
        "dashboard/message_withdraw.html",
        {"case": case, "message": message, "refusal": refusal},
        status=refusal.status if refusal else 200,
    )


def _message_send(request, case, reply_to=None):
    form = CaseMessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            sent = message_send_to_case(
                staff_user=request.user,
                case=case,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                urgent=form.cleaned_data["urgent"],
                reply_to=reply_to,
                files=form.cleaned_data["attachments"],
            )
        except DomainError as exc:
            form.service_error_add(exc)
        else:
            messages.success(request, _("Your message was sent to the applicant."))
            return redirect("dashboard:message_detail", case.pk, sent.pk)
    return _case_page(request, case, opened=reply_to, form=form)


def _case_page(request, case, *, form, opened=None):
    view = "conversation" if request.GET.get("view") == "conversation" else "list"
    tab = request.GET.get("tab") if request.GET.get("tab") in TABS else "all"
    order = request.GET.get("sort") if request.GET.get("sort") in CASE_WIDGET_ORDERS else "newest"
    if view == "conversation":
        paginator = Paginator(case_conversation(case), MESSAGES_PER_PAGE)
        paginator.count = case.thread_counts["all"]
        # Oldest first, as it was written; without a page asked for, the latest messages.
        thread = paginator.get_page(request.GET.get("page") or paginator.num_pages)
    else:
        # The tab counts already say how many rows the list has: no second COUNT.
        paginator = Paginator(case_widget_messages(case, direction=TABS[tab], order=order), MESSAGES_PER_PAGE)
        paginator.count = case.thread_counts[TAB_COUNTS[tab]]
        thread = paginator.get_page(request.GET.get("page"))
    context = {
        "case": case,
        "applicant": case.application.submission.user,
        "counts": case.thread_counts,
        "thread": thread,
        "view": view,
        "tab": tab,
        "order": order,
        "documents": case_documents(case),
        "form": form,
        "opened": opened,
    }
    if opened is not None:
        context.update(_opened_message(request, case, opened))
    return render(request, "dashboard/case_detail.html", context)


def _opened_message(request, case: Case, message: Message):
    """Body, attachments and history of the open message; opening it adopts
    what the adoption service adopts (an applicant's files, once)."""
    adopted = [] if message.deleted else attachments_adopt(staff_user=request.user, case=case, message=message)
    return {
        "attachments": [attachment for attachment, _document in adopted],
        "adopted_documents": {attachment.pk: document for attachment, document in adopted if document},
        "history": message_history(message),
        "withdraw_url": reverse("dashboard:message_withdraw", args=[case.pk, message.pk])
        if not message.from_applicant and not message.deleted
        else None,
    }
