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

from casework.access import case_for_staff, staff_profile_of, staff_sees_every_case
from casework.models import Case
from common.errors import AlreadySent, Conflict, DomainError, PermissionRefused
from common.ratelimit import RateLimited, rate_limit
from intake import presenters
from intake.access_history import ACCESS_HISTORY_SHOWN, case_access_history
from intake.forms.dashboard import CaseMessageForm
from intake.models import Message, MessageEvent
from intake.search_terms import search_recalled, search_url
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
from intake.services.events import event_record, staff_search_record
from intake.services.handling import REASON_MAX, case_urgency_set, conversation_no_reply_needed, message_mark_unread
from intake.services.read_state import message_mark_read
from intake.services.sending import message_send_to_case
from intake.services.withdrawal import message_withdraw
from intake.uploads import files_dropped
from intake.views.assignment import assignment_panel
from intake.views.drafting import draft_action, restored
from intake.views.tools import case_tools

CASES_PER_PAGE = 25
MESSAGES_PER_PAGE = 20
TABS = {
    "all": None,
    "from": Message.Direction.APPLICANT_TO_STAFF,
    "to": Message.Direction.STAFF_TO_APPLICANT,
}
TAB_COUNTS = {"all": "all", "from": "from_applicant", "to": "to_applicant"}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def case_list(request):
    """The cases; the search form posts its terms, which come back as an id
    (intake.search_terms), never in the URL."""
    asked = request.POST if request.method == "POST" else request.GET
    sort = asked.get("sort") if asked.get("sort") in CASE_LIST_SORTS else "activity"
    search_error = None
    if request.method == "POST":
        search = request.POST.get("q", "").strip()
        try:
            if search:
                rate_limit("search", request.user)
        except RateLimited as exc:
            search_error = exc.message
        else:
            params = {"sort": sort if sort != "activity" else ""}
            return redirect(search_url(request, "dashboard:case_list", search, params))
    else:
        search, expired = search_recalled(request)
        if expired:
            search_error = _("That search has expired. Search again.")
    searching = bool(search) and search_error is None
    cases = Paginator(staff_case_list(request.user, search if searching else "", sort), CASES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    if searching:
        staff_search_record(
            actor=request.user, where="case_list", result_count=cases.paginator.count, page=cases.number
        )
    awaiting = Paginator(applications_awaiting_case(request.user), CASES_PER_PAGE).get_page(
        request.GET.get("awaiting_page")
    )
    context = {
        "cases": cases,
        "awaiting": awaiting,
        "search": search,
        "searching": searching,
        "search_error": search_error,
        "sort": sort,
    }
    return render(request, "dashboard/case_list.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def case_detail(request, case_id):
    case = case_with_thread_counts(request.user, case_id)
    if request.method == "POST":
        return draft_action(request, case.application_id) or _message_send(request, case)
    return _case_page(request, case, form=None)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def message_detail(request, case_id, message_id):
    case = case_with_thread_counts(request.user, case_id)
    message = case_message(case, message_id)
    if request.method == "POST":
        return draft_action(request, case.application_id) or _message_send(request, case, reply_to=message)
    # Read means read by whoever answers: a look by anyone else (a supervisor
    # checking on someone's case, anyone at an unassigned one) leaves it
    # unread. A HEAD request shows nothing, so it reads nothing either.
    if request.method == "GET" and is_assignee(request.user, case):
        message_mark_read(message=message, reader=request.user)
    return _case_page(request, case, opened=message, form=None, initial={"subject": presenters.reply_subject(message)})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def message_withdraw_confirm(request, case_id, message_id):
    case = case_for_staff(request.user, case_id)
    message = case_message(case, message_id)
    refusal = None
    if request.method == "POST":
        try:
            message_withdraw(
                staff_user=request.user, case=case, message=message, reason=request.POST.get("reason") or None
            )
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
        {"case": case, "message": message, "refusal": refusal, "reasons": Message.WithdrawalReason.choices},
        status=refusal.status if refusal else 200,
    )


@login_required
@require_http_methods(["POST"])
def message_read_state(request, case_id, message_id):
    """"Mark as read" / "Mark as unread" on an applicant's message."""
    case = case_for_staff(request.user, case_id)
    message = case_message(case, message_id)
    try:
        if request.POST.get("state") == "unread":
            message_mark_unread(message=message, staff_user=request.user)
            messages.success(request, _("The message is marked as unread."))
        else:
            message_mark_read(message=message, reader=request.user)
            messages.success(request, _("The message is marked as read."))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("dashboard:message_detail", case.pk, message.pk)


@login_required
@require_http_methods(["POST"])
def case_no_reply_needed(request, case_id):
    """End the applicant's wait without writing to them (audited, with an internal reason)."""
    case = case_for_staff(request.user, case_id)
    try:
        conversation_no_reply_needed(
            staff_user=request.user, application=case.application, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Marked as needing no reply. The conversation left the queue of those awaiting a reply."))
    return redirect("dashboard:case_detail", case.pk)


@login_required
@require_http_methods(["POST"])
def case_urgency(request, case_id):
    case = case_for_staff(request.user, case_id)
    urgent = request.POST.get("urgent") == "1"
    case_urgency_set(staff_user=request.user, case=case, urgent=urgent)
    messages.success(request, _("The case is marked urgent.") if urgent else _("The case is no longer marked urgent."))
    return redirect("dashboard:case_detail", case.pk)


def is_assignee(user, case: Case) -> bool:
    profile = staff_profile_of(user)
    return profile is not None and case.assigned_staff_profile_id == profile.pk


def _message_send(request, case, reply_to=None):
    form = CaseMessageForm(request.POST, request.FILES, dropped_files=files_dropped(request))
    if form.is_valid():
        try:
            rate_limit("send", request.user)
            sent = message_send_to_case(
                staff_user=request.user,
                case=case,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                urgent=form.cleaned_data["urgent"],
                due_date=form.cleaned_data["due_date"],
                reply_to=reply_to,
                files=form.cleaned_data["attachments"],
                submission_key=form.cleaned_data["submission_key"] or None,
            )
        except AlreadySent as already:
            messages.info(request, presenters.already_sent_notice(already.sent))
            return redirect("dashboard:message_detail", case.pk, already.sent.pk)
        except DomainError as exc:
            form.service_error_add(exc)
        else:
            messages.success(request, _("Your message was sent to the applicant."))
            return redirect("dashboard:message_detail", case.pk, sent.pk)
    return _case_page(request, case, opened=reply_to, form=form)


def _case_page(request, case, *, form, opened=None, initial=None):
    """The case page; `form` None: a new form, with the caseworker's draft for
    this conversation in it when they saved one."""
    draft = None
    if form is None:
        initial, draft = restored(request, case.application_id, initial or {})
        form = CaseMessageForm(initial=initial)
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
        "draft": draft,
        "is_assignee": is_assignee(request.user, case),
        "reason_max": REASON_MAX,
        **assignment_panel(request, case),
    }
    if opened is not None:
        context.update(_opened_message(request, case, opened))
    _access_record(request, case, opened=opened, view=view, page=thread.number)
    # Supervisors and admins see who looked at the case (caseworkers do not).
    context["access_history"] = case_access_history(case) if staff_sees_every_case(request.user) else None
    context["access_history_limit"] = ACCESS_HISTORY_SHOWN
    # Saved replies (?saved_reply=<id> fills the unbound form) and internal notes (issue 13).
    context.update(case_tools(request, case, form=form, opened=opened))
    return render(request, "dashboard/case_detail.html", context)


def _access_record(request, case: Case, *, opened: Message | None, view: str, page: int) -> None:
    """The access log of one showing of the case page: the page, or the message
    opened on it (a look at what it shows, not a read: see message_mark_read)."""
    if request.method == "HEAD":
        return
    where = {"view": view, "page": page}
    if opened is None:
        event_record(event_type=MessageEvent.Type.CASE_VIEWED, case_id=case.pk, actor=request.user, detail=where)
    else:
        event_record(
            event_type=MessageEvent.Type.MESSAGE_VIEWED,
            message=opened,
            case_id=case.pk,
            actor=request.user,
            detail=where,
        )


def _opened_message(request, case: Case, message: Message):
    """Body, attachments and history of the open message; opening it adopts
    what the adoption service adopts (an applicant's files, once)."""
    adopted = [] if message.deleted else attachments_adopt(staff_user=request.user, case=case, message=message)
    return {
        "attachments": [attachment for attachment, _document in adopted],
        "adopted_documents": {attachment.pk: document for attachment, document in adopted if document},
        # Each look at it is in the case's access history, not here.
        "history": [
            event for event in message_history(message) if event.event_type != MessageEvent.Type.MESSAGE_VIEWED
        ],
        "withdraw_url": reverse("dashboard:message_withdraw", args=[case.pk, message.pk])
        if not message.from_applicant and not message.deleted
        else None,
    }
