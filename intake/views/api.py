"""The JSON API the seed names. Thin: parse, call a service or selector, render.

Session auth (CSRF on unsafe methods). Errors are {"error": code, "message": text}
(iset_messaging.views answers the errors Django raises before a view runs the same way).
"""

import functools
import json
from datetime import date

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from casework.access import application_for_applicant, case_for_staff, require_staff, staff_profile_of
from casework.models import Case
from common.errors import AlreadySent, Conflict, DomainError, InvalidInput, NotFound
from common.ids import id_or_404, id_parse
from common.ratelimit import RateLimited, rate_limit
from intake import presenters
from intake.business_days import overdue_threshold
from intake.models import Message, MessageEvent
from intake.queue import QUEUE_PAGE_SIZE, QUEUE_SORTS, queue_counts, queue_row, queue_rows
from intake.selectors import (
    applicant_conversations,
    applicant_message,
    case_message,
    case_thread,
    message_attachments,
    messages_annotated,
)
from intake.services.adoption import attachments_adopt
from intake.services.events import event_record, staff_search_record
from intake.services.read_state import message_mark_read
from intake.services.sending import message_send_to_case, submission_key_check
from intake.uploads import files_dropped

PAGE_SIZE = 50
# Routing is derived from the case; a request that tries to choose is refused.
ROUTING_FIELDS = {
    "recipient",
    "recipient_id",
    "recipient_email",
    "to",
    "sender",
    "sender_id",
    "applicant_id",
    "user_id",
}
TRUE_WORDS = {"true", "1", "on", "yes"}


def error(status, code, message):
    return JsonResponse({"error": code, "message": str(message)}, status=status)


def api(*methods):
    def decorate(view):
        @functools.wraps(view)
        @never_cache
        def wrapper(request, *args, **kwargs):
            if request.method not in methods:
                response = error(405, "method_not_allowed", _("This method is not allowed here."))
                response["Allow"] = ", ".join(methods)
                return response
            if not request.user.is_authenticated:
                return error(401, "unauthenticated", _("Sign in first."))
            try:
                return view(request, *args, **kwargs)
            except RateLimited as exc:
                response = error(exc.status, exc.code, exc.message)
                response["Retry-After"] = str(exc.retry_after)
                return response
            except DomainError as exc:
                body: dict[str, object] = {"error": exc.code, "message": str(exc.message)}
                if exc.also:
                    # Every problem of the request, the first one included (docs/api.md).
                    body["problems"] = [{"error": each.code, "message": str(each.message)} for each in (exc, *exc.also)]
                return JsonResponse(body, status=exc.status)
            except Http404:
                return error(404, NotFound.code, NotFound.default_message)

        return wrapper

    return decorate


@api("GET", "POST")
def case_messages(request, case_id):
    if request.method == "POST":
        return _case_message_create(request, case_id)
    case = case_for_staff(request.user, case_id)
    paginator, page = _page(request, case_thread(case))
    event_record(
        event_type=MessageEvent.Type.CASE_VIEWED,
        case_id=case.pk,
        actor=request.user,
        detail={"view": "api", "page": page.number},
    )
    return JsonResponse(
        {
            "case_id": case.pk,
            "tracking_id": case.application.submission.reference_number,
            "count": paginator.count,
            "page": page.number,
            "num_pages": paginator.num_pages,
            "results": [presenters.message_summary(message) for message in page.object_list],
        }
    )


def _case_message_create(request, case_id):
    data, files = _request_data(request)
    refused = ROUTING_FIELDS & set(data)
    if refused:
        raise InvalidInput(
            _("The recipient of a case message is always the case's applicant; remove: %(fields)s.")
            % {"fields": ", ".join(sorted(refused))},
            code="recipient_not_allowed",
        )
    case = case_for_staff(request.user, case_id)
    # The same Idempotency-Key again: the message the first request made, nothing new.
    key = submission_key_check(request.headers.get("Idempotency-Key"))
    rate_limit("send", request.user)
    try:
        message = message_send_to_case(
            staff_user=request.user,
            case=case,
            subject=_text(data, "subject"),
            body=_text(data, "body"),
            urgent=_flag(data.get("urgent")),
            due_date=_date(data, "due_date"),
            reply_to=_reply_parent(case, data.get("reply_to")),
            files=files,
            submission_key=key,
        )
    except AlreadySent as already:
        if already.sent.case_id != case.pk and already.sent.application_id != case.application_id:
            raise Conflict(
                _("This Idempotency-Key was already used for a message to another case."), code="idempotency_key_reused"
            ) from None
        response = JsonResponse(presenters.message_summary(messages_annotated().get(pk=already.sent.pk)), status=200)
        response["Idempotent-Replayed"] = "true"
        return response
    message = messages_annotated().get(pk=message.pk)
    return JsonResponse(presenters.message_summary(message), status=201)


@api("GET")
def message_detail(request, message_id):
    message = applicant_message(request.user, message_id)
    message_mark_read(message=message, reader=request.user)
    attachments = [] if message.deleted else message_attachments(message)
    return JsonResponse(presenters.message_for_applicant(message, attachments))


@api("GET")
def me_threads(request):
    """The applicant's conversations, most recent activity first (50 a page),
    optionally only the one about `?application=<id>`. Staff get 404: this is
    the applicant's own list."""
    if staff_profile_of(request.user) is not None:
        raise NotFound()
    application = None
    if request.GET.get("application"):
        application = application_for_applicant(request.user, request.GET["application"])
    paginator, page = _page(request, applicant_conversations(request.user, application))
    return JsonResponse(
        {
            "count": paginator.count,
            "page": page.number,
            "num_pages": paginator.num_pages,
            "results": [presenters.conversation_for_applicant(conversation) for conversation in page.object_list],
        }
    )


@api("GET", "POST")
def staff_queue(request):
    """One view of the staff member's work queue, the rows of the queue page
    (QUEUE_PAGE_SIZE a page), with every view's count. Applicants get 404.

    The same parameters by POST (form or JSON body) keep a search's terms out
    of the URL, and so out of access logs."""
    profile = require_staff(request.user)
    asked = request.GET if request.method == "GET" else _request_data(request)[0]
    view = _text(asked, "view") or "awaiting"
    sort = _text(asked, "sort") or "waiting"
    if sort not in QUEUE_SORTS:
        raise InvalidInput(_("sort must be one of: %(sorts)s.") % {"sorts": ", ".join(QUEUE_SORTS)}, code="invalid_sort")
    search = (_text(asked, "q") or "").strip()
    if search:
        rate_limit("search", request.user)
    rows = queue_rows(request.user, view, search=search, sort=sort)
    now = timezone.now()
    threshold = overdue_threshold(now)
    counts = queue_counts(request.user, now=now)
    if not search:
        rows.count_known(counts[view])
    paginator, page = _page(request, rows, per_page=QUEUE_PAGE_SIZE, number=asked.get("page"))
    if search:
        staff_search_record(
            actor=request.user, where="api_queue", result_count=paginator.count, view=view, page=page.number
        )
    return JsonResponse(
        {
            "view": view,
            "sort": None if view == "awaiting" else sort,
            "count": paginator.count,
            "page": page.number,
            "num_pages": paginator.num_pages,
            "counts": counts,
            "response_target_business_days": settings.RESPONSE_TARGET_BUSINESS_DAYS,
            "results": [
                queue_row(conversation, profile=profile, now=now, threshold=threshold)
                for conversation in page.object_list
            ],
        }
    )


@api("GET")
def admin_message_attachments(request, message_id):
    case_id = id_parse(request.GET.get("case_id"))
    if case_id is None:
        raise InvalidInput(_("case_id is required and must be a positive whole number."), code="case_id_required")
    case = case_for_staff(request.user, case_id)
    message = case_message(case, message_id)
    adopted = attachments_adopt(staff_user=request.user, case=case, message=message)
    event_record(
        event_type=MessageEvent.Type.MESSAGE_VIEWED,
        message=message,
        case_id=case.pk,
        actor=request.user,
        detail={"view": "api_attachments"},
    )
    return JsonResponse(
        {
            "message_id": message.pk,
            "case_id": case.pk,
            "tracking_id": case.application.submission.reference_number,
            "attachments": [
                presenters.case_attachment(case, message, attachment, document) for attachment, document in adopted
            ],
        }
    )


def _page(request, rows, per_page=PAGE_SIZE, number=None):
    """The page `?page=` (or `number`) asks for (the first without it),
    PAGE_SIZE rows; a page that does not exist is a 404."""
    paginator = Paginator(rows, per_page)
    try:
        return paginator, paginator.page(number or request.GET.get("page") or 1)
    except (EmptyPage, PageNotAnInteger):
        raise NotFound(_("There is no such page.")) from None


def _request_data(request):
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError, RecursionError):
            # RecursionError: nesting deeper than the parser can follow.
            raise InvalidInput(_("The request body is not valid JSON."), code="invalid_json") from None
        if not isinstance(data, dict):
            raise InvalidInput(_("The request body must be a JSON object."), code="invalid_json")
        return data, []
    dropped = files_dropped(request)
    if dropped:
        raise InvalidInput(
            _("“%(name)s” was not received: a file cannot have that name. Rename it and send it again.")
            % {"name": dropped[0]},
            code="unusable_file_name",
            field="attachments",
        )
    return request.POST.dict(), request.FILES.getlist("attachments")


def _reply_parent(case: Case, raw_id: object) -> Message | None:
    """The message a staff reply answers: one of the case's thread. A message of
    another case, or none at all, gets the same answer (no probing)."""
    if raw_id in (None, ""):
        return None
    message_id = id_or_404(raw_id)
    try:
        return case_message(case, message_id)
    except Http404:
        raise Conflict(
            _("The message you are replying to is not part of this case."), code="reply_to_other_case"
        ) from None


def _date(data, key):
    """An optional date given as YYYY-MM-DD."""
    value = data.get(key)
    if value in (None, ""):
        return None
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            _("%(field)s must be a date as YYYY-MM-DD.") % {"field": key}, code="invalid_field", field=key
        ) from None


def _text(data, key):
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise InvalidInput(_("%(field)s must be text.") % {"field": key}, code="invalid_field", field=key)
    return value


def _flag(value):
    if isinstance(value, bool) or value is None:
        return bool(value)
    return str(value).strip().lower() in TRUE_WORDS
