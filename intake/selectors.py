"""Reads for secure messaging: querysets that already carry their joins, so a
page or endpoint costs the same number of queries for 1 message or 50.

The booking reference (`tracking_id`) of a message is its submission's
reference number, reached through the case when the message has one, else
through its application. The thread's applicant is that submission's user.
"""

from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar, overload

from django.db.models import (
    CharField,
    Count,
    Expression,
    F,
    Func,
    IntegerField,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import OrderBy
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, Concat
from django.shortcuts import get_object_or_404

from casework.access import (
    CASE_RELATED,
    application_for_applicant,
    case_for_staff,
    cases_for_staff,
    staff_profile_of,
    staff_sees_every_case,
)
from casework.models import Application, Case, Document, StaffProfile, User
from common.errors import NotFound
from common.ids import id_or_404
from intake.models import Conversation, Message, MessageAttachment, MessageEvent

THREAD_SUBMISSION = "case__application__submission"
DIRECT_SUBMISSION = "application__submission"


def messages_annotated() -> QuerySet[Message]:
    attachment_count = (
        MessageAttachment.objects.filter(message=OuterRef("pk"))
        .order_by()
        .values("message")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Message.objects.select_related("sender__staff_profile", "recipient__staff_profile").annotate(
        tracking_id=Coalesce(F(f"{THREAD_SUBMISSION}__reference_number"), F(f"{DIRECT_SUBMISSION}__reference_number")),
        applicant_id=Coalesce(F(f"{THREAD_SUBMISSION}__user_id"), F(f"{DIRECT_SUBMISSION}__user_id")),
        # The application whose conversation the message belongs to (conversation_of in SQL).
        conversation_id=Coalesce(F("case__application_id"), F("application_id")),
        conversation_case_id=Coalesce(F("case_id"), F("application__case__id")),
        attachment_count=Coalesce(Subquery(attachment_count, output_field=IntegerField()), Value(0)),
    )


# Applicant side ---------------------------------------------------------------


def applicant_messages(user: Any) -> QuerySet[Message]:
    """Messages the applicant sent or received, in threads of their own submissions."""
    if not user.is_authenticated or staff_profile_of(user) is not None:
        return Message.objects.none()
    mine = messages_annotated().filter(Q(sender=user) | Q(recipient=user))
    # applicant_id is an annotation of messages_annotated(), which the type checker cannot see.
    return mine.filter(applicant_id=user.pk)  # type: ignore[misc]


def applicant_inbox(user: User) -> QuerySet[Message]:
    return applicant_messages(user).order_by("-created_at", "-id")


def applicant_message(user: User, message_id: object) -> Message:
    return get_object_or_404(applicant_messages(user), pk=id_or_404(message_id))


def applicant_attachment(user: User, message_id: object, attachment_id: object) -> tuple[Message, MessageAttachment]:
    message = applicant_message(user, message_id)
    return message, _attachment_of(message, attachment_id)


def applicant_conversations(user: Any, application: Application | None = None) -> QuerySet[Conversation]:
    """The applicant's conversations (one per application they submitted that
    has messages), newest activity first, read from the summary table through
    its (applicant_user_id, last_message_at) index; each with its application,
    submission, `program` (from the intake payload, when it names one) and its
    latest message. Optionally only the conversation of one application."""
    if not user.is_authenticated or staff_profile_of(user) is not None:
        return Conversation.objects.none()
    conversations = Conversation.objects.filter(applicant_user=user)
    if application is not None:
        conversations = conversations.filter(application=application)
    return (
        conversations.select_related("application__submission", "last_message")
        .annotate(program=KeyTextTransform("program", "application__submission__intake_payload"))
        .order_by("-last_message_at", "-application_id")
    )


def in_conversation(application_id: int, case_id: int | None) -> Q:
    """The messages of one application's conversation: those of its case (when
    it has one), and those bound only to the application (written before the
    case existed). The same membership as in_case_thread and, in SQL, conversation_of."""
    bound_to_application = Q(case__isnull=True, application_id=application_id)
    return bound_to_application if case_id is None else Q(case_id=case_id) | bound_to_application


def application_case_id(application: Application) -> int | None:
    """The id of the application's case, or None (no query when the case was
    fetched with select_related, as applications_for_applicant does)."""
    try:
        return application.case.pk
    except Case.DoesNotExist:
        return None


def conversation_messages(user: User, application_id: int, case_id: int | None) -> QuerySet[Message]:
    """The messages of the applicant's conversation about an application the
    caller reached through the applicant access rule (and its case's id),
    oldest first, each with its attachments prefetched."""
    # Membership first, so the thread's own indexes (ix_messages_case_created,
    # ix_messages_application_case_created) drive the query; the thread's
    # applicant is checked again on every row.
    return (
        messages_annotated()
        .filter(in_conversation(application_id, case_id), applicant_id=user.pk)  # type: ignore[misc]
        .prefetch_related(Prefetch("attachments", queryset=MessageAttachment.objects.order_by("id")))
        .order_by("created_at", "id")
    )


# Staff side -------------------------------------------------------------------


def case_thread(case: Case) -> QuerySet[Message]:
    # Same membership as case_message: messages written before the case existed
    # (bound only to its application) are part of its thread.
    return messages_annotated().filter(in_case_thread(case)).order_by("created_at", "id")


def in_case_thread(case: Any, application_id: Any = None) -> Q:
    """The thread of a case: its messages, and those written before it existed
    (bound only to its application). Takes a case, or a case reference and its
    application id as expressions (OuterRef) for use in a subquery."""
    if application_id is None:
        application_id = case.application_id
    return Q(case=case) | Q(case__isnull=True, application_id=application_id)


def is_in_case_thread(message: Message, case: Case) -> bool:
    """The same membership as in_case_thread, for a message already in hand."""
    if message.case_id is not None:
        return message.case_id == case.pk
    return message.application_id == case.application_id


def case_message(case: Case, message_id: object) -> Message:
    """A message of this case's thread (see in_case_thread)."""
    return get_object_or_404(messages_annotated().filter(in_case_thread(case)), pk=id_or_404(message_id))


def case_with_thread_counts(user: Any, case_id: object) -> Case:
    """A case the staff member may open, with its thread's tab counts in
    `thread_counts` (all, from_applicant, to_applicant, unread) and its
    conversation's `awaiting_reply_since`, in one query."""
    thread = Message.objects.filter(in_case_thread(OuterRef("pk"), OuterRef("application_id")))
    from_applicant = thread.filter(direction=Message.Direction.APPLICANT_TO_STAFF)
    case: Any = get_object_or_404(
        cases_for_staff(user).annotate(
            count_all=_count_of(thread),
            count_from_applicant=_count_of(from_applicant),
            count_to_applicant=_count_of(thread.filter(direction=Message.Direction.STAFF_TO_APPLICANT)),
            count_unread=_count_of(_unread_from_applicant(thread)),
            # From the summary: since when the applicant waits for an answer (None: nobody waits).
            awaiting_reply_since=F("application__conversation__awaiting_reply_since"),
        ),
        pk=id_or_404(case_id),
    )
    case.thread_counts = {
        "all": case.count_all,
        "from_applicant": case.count_from_applicant,
        "to_applicant": case.count_to_applicant,
        "unread": case.count_unread,
    }
    return case


def staff_attachment(
    user: Any, case_id: object, message_id: object, attachment_id: object
) -> tuple[Case, Message, MessageAttachment]:
    case = case_for_staff(user, case_id)
    message = case_message(case, message_id)
    return case, message, _attachment_of(message, attachment_id)


def case_documents(case: Case) -> QuerySet[Document]:
    return Document.objects.filter(case=case).select_related("origin_message").order_by("-created_at", "-id")


def case_document(user: Any, case_id: object, document_id: object) -> tuple[Case, Document]:
    case = case_for_staff(user, case_id)
    return case, get_object_or_404(case_documents(case), pk=id_or_404(document_id))


def message_attachments(message: Message) -> list[MessageAttachment]:
    return list(message.attachments.order_by("id"))


def message_history(message: Message) -> list[MessageEvent]:
    """The audit trail of one message, oldest first, each event with its actor."""
    return list(
        MessageEvent.objects.filter(message_id=message.pk)
        .select_related("actor_user__staff_profile")
        .order_by("created_at", "id")
    )


def _attachment_of(message: Message, attachment_id: object) -> MessageAttachment:
    if message.deleted:
        raise NotFound()
    return get_object_or_404(message.attachments, pk=id_or_404(attachment_id))


# Dashboard --------------------------------------------------------------------


def _count_of(messages: QuerySet[Message]) -> Expression:
    """A correlated COUNT(*) subquery over `messages`, 0 when there are none."""
    counted = messages.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _unread_from_applicant(messages: QuerySet[Message]) -> QuerySet[Message]:
    return messages.filter(direction=Message.Direction.APPLICANT_TO_STAFF, status=Message.Status.UNREAD, deleted=False)


CASE_LIST_SORTS = ("activity", "unread", "waiting")
# A case's conversation summary (intake.models.Conversation), from the case.
CASE_SUMMARY = "application__conversation__"


def staff_case_list(user: Any, search: str = "", sort: str = "activity") -> "RowsInParts[Case]":
    """The cases this staff member may open, each with `unread_count` (unread
    applicant messages), `last_message_at` and `awaiting_reply_since`, read
    from the conversation summary, not recomputed per case; in one of
    CASE_LIST_SORTS (an unknown sort is "activity"):

    - activity: the most recent message first;
    - unread: the most unread applicant messages first, then by activity;
    - waiting: the applicant waiting longest for an answer first, then the
      conversations nobody waits in, by activity.

    Cases without messages come last, newest case first. `search` matches the
    booking reference and the applicant's name or e-mail, word by word.

    Each part of an order is read through an index of the summary with LIMIT
    (sql/migrations/20261128_conversation_sort_indexes.sql), not by sorting
    every case the user may open, so the rows come as RowsInParts."""
    cases = cases_for_staff(user)
    for word in search.split():
        cases = cases.filter(
            Q(application__submission__reference_number__icontains=word)
            | Q(application__submission__user__first_name__icontains=word)
            | Q(application__submission__user__last_name__icontains=word)
            | Q(application__submission__user__email__icontains=word)
        )
    talking = cases.filter(**{f"{CASE_SUMMARY}isnull": False})
    every_case = staff_sees_every_case(user)
    if not every_case:
        # The same rows as cases_for_staff's filter (the summary carries its
        # case's caseworker), said of the summary too, so that the database
        # reads them from the summary's (assigned_staff_profile_id, …) indexes.
        talking = talking.filter(**{f"{CASE_SUMMARY}assigned_staff_profile": staff_profile_of(user)})
    parts = _case_list_parts(sort)
    ordered = [
        talking.filter(**{f"{CASE_SUMMARY}{name}": value for name, value in where.items()}).order_by(
            *(_summary_order(column, CASE_SUMMARY) for column in order)
        )
        for where, order in parts
    ]
    # Case ids are given in order of creation, and the primary key serves that order.
    silent = IdsFirst(cases.filter(**{f"{CASE_SUMMARY}isnull": True}).order_by("-id"), _case_list_details)
    # The count is of cases, which needs no join to the summary (nor any other, unless searching).
    if not every_case or search.split():
        return RowsInParts(cases, [*(IdsFirst(part, _case_list_details) for part in ordered), silent])
    # Every case with a conversation is a summary row with a case: a deep
    # page's case ids and a part's count are read from the summary alone, in
    # the same order, without joining a case and an application to each
    # skipped row (25 ms at 18,000 rows deep; 5 ms without).
    summaries = Conversation.objects.filter(case__isnull=False)
    from_summary = [
        IdsFirst(
            part,
            _case_list_details,
            ids=summaries.filter(**where)
            .order_by(*(_summary_order(column, "") for column in order))
            .values_list("case_id", flat=True),
        )
        for part, (where, order) in zip(ordered, parts, strict=True)
    ]
    return RowsInParts(cases, [*from_summary, silent])


# A column of the conversation summary, and whether it is sorted descending.
SummaryColumn = tuple[str, bool]


def _case_list_parts(sort: str) -> list[tuple[dict[str, bool], tuple[SummaryColumn, ...]]]:
    """The parts of a case list in `sort`: each a filter and an order on the
    conversation summary's own columns."""
    # The summary's primary key, the last column of each of its indexes, breaks ties.
    newest_first = (("last_message_at", True), ("application_id", True))
    if sort == "unread":
        return [({}, (("unread_by_staff", True), *newest_first))]
    if sort == "waiting":
        return [
            ({"awaiting_reply_since__isnull": False}, (("awaiting_reply_since", False), ("application_id", False))),
            ({"awaiting_reply_since__isnull": True}, newest_first),
        ]
    return [({}, newest_first)]


def _summary_order(column: SummaryColumn, prefix: str) -> OrderBy:
    name, descending = column
    return F(f"{prefix}{name}").desc() if descending else F(f"{prefix}{name}").asc()


def _case_list_details(cases: QuerySet[Case]) -> QuerySet[Case]:
    """What a case list row shows: the case's people (CASE_RELATED) and its
    conversation's numbers, read from the summary."""
    return cases.select_related(*CASE_RELATED).annotate(
        unread_count=Coalesce(F(f"{CASE_SUMMARY}unread_by_staff"), Value(0)),
        last_message_at=F(f"{CASE_SUMMARY}last_message_at"),
        awaiting_reply_since=F(f"{CASE_SUMMARY}awaiting_reply_since"),
    )


M = TypeVar("M", bound=Model)


class RowsInParts(Generic[M]):
    """The rows of several querysets, one after the other, as one list that
    Paginator can page. Each part keeps an ORDER BY of its own, which the
    database reads from an index with LIMIT, where one ORDER BY over all of
    them could only be served by sorting every row first.

    count() is one COUNT over `everything` (all the parts' rows). A slice reads
    each part it reaches with LIMIT/OFFSET, and COUNTs a part it starts beyond
    the end of: a page inside one part costs the COUNT and one read, as a
    single queryset does."""

    def __init__(self, everything: QuerySet[M], parts: "list[QuerySet[M]] | list[IdsFirst[M]]") -> None:
        self.everything = everything
        self.parts = parts
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = self.everything.count()
        return self._count

    def count_known(self, count: int) -> None:
        """The caller already counted `everything` (in the same request): no COUNT query."""
        self._count = count

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[M]:
        return iter(self[0 : self.count()])

    @overload
    def __getitem__(self, index: int) -> M: ...
    @overload
    def __getitem__(self, index: slice) -> list[M]: ...
    def __getitem__(self, index: int | slice) -> M | list[M]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        start = index.start or 0
        stop = self.count() if index.stop is None else min(index.stop, self.count())
        rows: list[M] = []
        before = 0  # how many rows the parts already passed hold
        for part in self.parts:
            position = start + len(rows)
            if position >= stop:
                break
            offset = position - before
            batch = list(part[offset : offset + stop - position])
            rows += batch
            if batch or offset == 0:
                before += offset + len(batch)  # this part ends here, or the page is full
            else:
                before += part.count()  # the page starts beyond this part's end
        return rows


# From which row a slice is read ids first (IdsFirst).
IDS_FIRST_FROM = 200


class IdsFirst(Generic[M]):
    """A queryset whose deep slices are read ids first: the primary keys of the
    slice's rows (from the ordering index with LIMIT/OFFSET, joining only what
    the filter and order need), then `details` of those rows (their joins and
    annotations), in the same order. A deep page then walks index entries, not
    a join per skipped row. A slice starting before `ids_first_from` is one
    query with its details, as a plain queryset would read it. `ids`, when
    given, is a cheaper query of the same rows' primary keys in the same
    order (from one table, say): deep slices and count() read it instead."""

    def __init__(
        self,
        ordered: QuerySet[M],
        details: Callable[[QuerySet[M]], QuerySet[M]],
        ids_first_from: int | None = None,
        ids: QuerySet[Any] | None = None,
    ) -> None:
        self.ordered = ordered
        self.details = details
        self.ids_first_from = IDS_FIRST_FROM if ids_first_from is None else ids_first_from
        # The same rows' primary keys in the same order, by a cheaper query.
        self.ids = ordered.values_list("pk", flat=True) if ids is None else ids

    def count(self) -> int:
        return self.ids.count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[M]:
        return iter(self[0 : self.count()])

    @overload
    def __getitem__(self, index: int) -> M: ...
    @overload
    def __getitem__(self, index: slice) -> list[M]: ...
    def __getitem__(self, index: int | slice) -> M | list[M]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        if (index.start or 0) < self.ids_first_from:
            return list(self.details(self.ordered)[index])
        ids = list(self.ids[index])
        if not ids:
            return []
        rows = {row.pk: row for row in self.details(self.ordered.model._default_manager.filter(pk__in=ids))}
        return [rows[pk] for pk in ids if pk in rows]


def applications_awaiting_case(user: Any) -> QuerySet[Application]:
    """Applications with messages but no case yet: supervisors and admins only,
    since no caseworker is assigned to them. Counts come from the conversation summary."""
    if not staff_sees_every_case(user):
        return Application.objects.none()
    return (
        # The summary's case_id (kept by the triggers on iset_case) is null
        # exactly when the application has no case: read through its index.
        Application.objects.filter(conversation__isnull=False, conversation__case__isnull=True)
        .select_related("submission__user")
        .annotate(
            message_count=F("conversation__message_count"),
            unread_count=F("conversation__unread_by_staff"),
            last_message_at=F("conversation__last_message_at"),
        )
        .order_by("-last_message_at", "-id")
    )


CASE_WIDGET_ORDERS = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "sender": ("sender_name", "-created_at", "-id"),
}


def case_widget_messages(case: Case, *, direction: str | None = None, order: str = "newest") -> QuerySet[Message]:
    """The case thread for the SecureMessagingWidget: optionally one direction,
    in one of CASE_WIDGET_ORDERS (unknown orders fall back to newest first)."""
    messages = case_thread(case).annotate(
        sender_name=Coalesce(
            F("sender__staff_profile__display_name"),
            Concat(F("sender__first_name"), Value(" "), F("sender__last_name"), output_field=CharField()),
        )
    )
    if direction is not None:
        messages = messages.filter(direction=direction)
    return messages.order_by(*CASE_WIDGET_ORDERS.get(order, CASE_WIDGET_ORDERS["newest"]))


def case_conversation(case: Case) -> QuerySet[Message]:
    """The case thread as a conversation, for the SecureMessagingWidget's
    conversation view: every message oldest first, each with its attachments
    (one query for a page of messages, whatever their number)."""
    return case_thread(case).prefetch_related(
        Prefetch("attachments", queryset=MessageAttachment.objects.order_by("id"))
    )


# Case history -------------------------------------------------------------------
# With the other reads of assignment (issue 12): the caseworkers a case can be
# assigned to, and an application that has messages but no case yet.


# The events about a case itself, not about one of its messages.
CASE_HISTORY_EVENTS = (
    MessageEvent.Type.CASE_OPENED,
    MessageEvent.Type.CASE_ASSIGNED,
    MessageEvent.Type.CASE_URGENCY_CHANGED,
    MessageEvent.Type.NO_REPLY_NEEDED,
)


def case_history(case: Case) -> list[dict[str, Any]]:
    """The case's own audit trail (opened, assigned, urgency changed, no reply
    needed), oldest first: each entry the `event` with its actor, and the
    staff profiles an assignment moved the case `from` and `to` (None: not
    assigned). Two queries however long it is: the events, read through
    message_event's (case_id, created_at) key, and the profiles they name."""
    events = list(
        MessageEvent.objects.filter(case_id=case.pk, event_type__in=CASE_HISTORY_EVENTS)
        .select_related("actor_user__staff_profile")
        .order_by("created_at", "id")
    )
    named = {
        value
        for event in events
        for key in ("from_staff_profile_id", "to_staff_profile_id")
        if isinstance(value := (event.detail or {}).get(key), int)
    }
    profiles = StaffProfile.objects.in_bulk(named) if named else {}
    return [
        {
            "event": event,
            "from": profiles.get((event.detail or {}).get("from_staff_profile_id")),
            "to": profiles.get((event.detail or {}).get("to_staff_profile_id")),
        }
        for event in events
    ]


def active_caseworkers() -> QuerySet[StaffProfile]:
    """Who a case can be assigned to: active caseworkers who can sign in, by name."""
    return StaffProfile.objects.filter(
        primary_role=StaffProfile.Role.CASEWORKER, status=StaffProfile.Status.ACTIVE, user__is_active=True
    ).order_by("display_name", "id")


def application_for_supervisor(user: Any, application_id: object) -> Application:
    """An application as supervisors and admins open it (with its submission,
    applicant, case if any, and conversation summary); everyone else gets
    NotFound: no caseworker is assigned to an application without a case."""
    if not staff_sees_every_case(user):
        raise NotFound()
    return get_object_or_404(
        Application.objects.select_related("submission__user", "case", "conversation"), pk=id_or_404(application_id)
    )


def application_conversation(application: Application) -> QuerySet[Message]:
    """The conversation of an application that has no case: its messages,
    oldest first, each with its attachments (one query for a page of messages)."""
    return (
        messages_annotated()
        .filter(in_conversation(application.pk, None))
        .prefetch_related(Prefetch("attachments", queryset=MessageAttachment.objects.order_by("id")))
        .order_by("created_at", "id")
    )


def application_attachment(
    user: Any, application_id: object, message_id: object, attachment_id: object
) -> tuple[Message, MessageAttachment]:
    """An attachment of a message in the conversation of an application that
    has no case, for a supervisor or admin (once a case takes the thread over,
    its files are the case page's)."""
    application = application_for_supervisor(user, application_id)
    conversation = Message.objects.filter(in_conversation(application.pk, None))
    message = get_object_or_404(conversation, pk=id_or_404(message_id))
    return message, _attachment_of(message, attachment_id)


# E-mail notices (issue 14) -------------------------------------------------------


def message_email_notices(message: Message) -> list[Any]:
    """The e-mail notices about one message, oldest first, each with its
    recipient: what was sent, when, and what is still being tried (states
    only; a notice holds no content). One query, through the notices' unique
    key on message_id."""
    from intake.models import EmailNotice

    return list(
        EmailNotice.objects.filter(message_id=message.pk)
        .select_related("recipient_user__staff_profile")
        .order_by("created_at", "id")
    )


def application_id_writable(user: Any, value: str) -> int | None:
    """The id of an application whose conversation this person may write in
    (the access rule of the page the form is on), or None; Http404 otherwise."""
    if value == "":
        if staff_profile_of(user) is not None:
            raise NotFound()
        return None
    application_id = id_or_404(value)
    if staff_profile_of(user) is None:
        return application_for_applicant(user, application_id).pk
    case = Case.objects.filter(application_id=application_id).values_list("pk", flat=True).first()
    if case is not None:
        return case_for_staff(user, case).application_id
    return application_for_supervisor(user, application_id).pk
