"""Assignment on the dashboard (issue 12): the case page's Assignment panel and
Case history, assigning and claiming a case, and the page of an application
that has messages but no case yet, where a supervisor reads and answers the
applicant and opens a case. Thin: parse, call a selector or service, render.

Assigning, opening a case and the application page are for supervisors and
admins; everyone else gets the not-found page, as for any case they may not open.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from casework.access import case_for_staff, staff_sees_every_case
from casework.models import Application, Case
from common.errors import AlreadySent, Conflict, DomainError, NotFound, PermissionRefused
from common.ratelimit import rate_limit
from intake import presenters
from intake.downloads import file_response
from intake.forms.dashboard import AssignForm, CaseMessageForm, OpenCaseForm
from intake.models import Conversation, MessageEvent
from intake.selectors import (
    active_caseworkers,
    application_attachment,
    application_case_id,
    application_conversation,
    application_for_supervisor,
    case_history,
)
from intake.services.assignment import case_assign, case_claim, case_open_for_application
from intake.services.events import event_record
from intake.services.read_state import attachment_download_record
from intake.services.sending import message_send_to_application
from intake.uploads import files_dropped
from intake.views.drafting import draft_action, restored

MESSAGES_PER_PAGE = 20


def assignment_panel(request: Any, case: Case) -> dict[str, Any]:
    """What the case page's Assignment panel and Case history show
    (templates/dashboard/_assignment.html): the form to assign the case, for
    supervisors and admins only, and the case's history."""
    form = None
    if staff_sees_every_case(request.user):
        form = AssignForm(
            caseworkers=active_caseworkers(),
            initial={"caseworker": case.assigned_staff_profile_id},
            auto_id="assign_%s",
        )
    return {"assign_form": form, "case_history": case_history(case)}


@login_required
@require_POST
def case_assign_view(request, case_id):
    _supervisor_or_404(request.user)
    case = case_for_staff(request.user, case_id)
    form = AssignForm(request.POST, caseworkers=active_caseworkers())
    if not form.is_valid():
        for error in form["caseworker"].errors:
            messages.error(request, str(error))
        return redirect("dashboard:case_detail", case.pk)
    caseworker = form.cleaned_data["caseworker"]
    try:
        changed = case_assign(actor=request.user, case=case, caseworker=caseworker)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        name = caseworker.display_name
        if changed:
            messages.success(
                request, _("The case is now assigned to %(name)s, who was told by e-mail.") % {"name": name}
            )
        else:
            messages.info(request, _("The case was already assigned to %(name)s.") % {"name": name})
    return redirect("dashboard:case_detail", case.pk)


@login_required
@require_POST
def case_claim_view(request, case_id):
    """A caseworker takes an unassigned case; if someone was quicker, back to
    the work queue with the reason."""
    try:
        case = case_claim(actor=request.user, case_id=case_id)
    except (Conflict, PermissionRefused) as exc:
        messages.error(request, str(exc.message))
        return redirect("dashboard:queue")
    messages.success(request, _("The case is now assigned to you."))
    return redirect("dashboard:case_detail", case.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def application_detail(request, application_id):
    """An application with messages but no case: its conversation (reading it
    marks nothing read), a form to write to the applicant and one to open a
    case. Once it has a case, its page is the case's."""
    application = application_for_supervisor(request.user, application_id)
    case_id = application_case_id(application)
    if case_id is not None and request.method in ("GET", "HEAD"):
        return redirect("dashboard:case_detail", case_id)
    initial, draft = restored(request, application.pk, {})
    form = CaseMessageForm(initial=initial)
    # A message written here while someone opened a case is still sent: it joins the case's thread.
    if request.method == "POST":
        saved = draft_action(request, application.pk)
        if saved is not None:
            return saved
        form = CaseMessageForm(request.POST, request.FILES, dropped_files=files_dropped(request))
        if form.is_valid():
            try:
                rate_limit("send", request.user)
                sent = message_send_to_application(
                    staff_user=request.user,
                    application=application,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    urgent=form.cleaned_data["urgent"],
                    due_date=form.cleaned_data["due_date"],
                    files=form.cleaned_data["attachments"],
                    submission_key=form.cleaned_data["submission_key"] or None,
                )
            except AlreadySent as already:
                messages.info(request, presenters.already_sent_notice(already.sent))
                sent = already.sent
            except DomainError as exc:
                form.service_error_add(exc)
                sent = None
            else:
                messages.success(request, _("Your message was sent to the applicant."))
            if sent is not None:
                if sent.case_id is not None:
                    return redirect("dashboard:message_detail", sent.case_id, sent.pk)
                path = reverse("dashboard:application_detail", args=[application.pk])
                return redirect(f"{path}#conversation-message-{sent.pk}")
    return _application_page(request, application, form=form, open_form=_open_form(), draft=draft)


@login_required
@require_POST
def application_open_case(request, application_id):
    application = application_for_supervisor(request.user, application_id)
    open_form = _open_form(request.POST)
    if open_form.is_valid():
        caseworker = open_form.cleaned_data["caseworker"]
        try:
            case = case_open_for_application(actor=request.user, application=application, caseworker=caseworker)
        except Conflict as exc:
            messages.error(request, str(exc.message))
            return redirect("dashboard:application_detail", application.pk)
        except DomainError as exc:
            open_form.add_error("caseworker", str(exc.message))
        else:
            reference = application.submission.reference_number
            if caseworker is not None:
                text = _("A case was opened for %(reference)s and assigned to %(name)s.") % {
                    "reference": reference,
                    "name": caseworker.display_name,
                }
            else:
                text = _("A case was opened for %(reference)s. It is not assigned to anyone yet.") % {
                    "reference": reference
                }
            messages.success(request, text)
            return redirect("dashboard:case_detail", case.pk)
    return _application_page(request, application, form=CaseMessageForm(), open_form=open_form)


@login_required
@require_safe
def application_attachment_download(request, application_id, message_id, attachment_id):
    message, attachment = application_attachment(request.user, application_id, message_id, attachment_id)
    response = file_response(
        key=attachment.file_path, filename=attachment.original_filename, content_type=attachment.content_type
    )
    attachment_download_record(attachment=attachment, message=message, actor=request.user)
    return response


def _application_page(request, application: Application, *, form, open_form, draft=None):
    paginator = Paginator(application_conversation(application), MESSAGES_PER_PAGE)
    summary = _conversation_of(application)
    # The conversation summary already counts the messages: no second COUNT.
    paginator.count = summary.message_count if summary is not None else 0
    # Oldest first, as it was written; without a page asked for, the latest messages.
    thread = paginator.get_page(request.GET.get("page") or paginator.num_pages)
    context = {
        "application": application,
        "applicant": application.submission.user,
        "thread": thread,
        "form": form,
        "open_form": open_form,
        "draft": draft,
    }
    if request.method != "HEAD":
        # The access log: this page shows the conversation, which has no case to file it under yet.
        event_record(
            event_type=MessageEvent.Type.APPLICATION_VIEWED,
            actor=request.user,
            detail={"application_id": application.pk, "page": thread.number},
        )
    return render(request, "dashboard/application_detail.html", context)


def _open_form(data=None):
    return OpenCaseForm(data, caseworkers=active_caseworkers(), auto_id="open_%s")


def _supervisor_or_404(user) -> None:
    if not staff_sees_every_case(user):
        raise NotFound()


def _conversation_of(application: Application) -> Conversation | None:
    try:
        return application.conversation
    except Conversation.DoesNotExist:
        return None
