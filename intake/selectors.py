"""Reads for secure messaging: querysets that already carry their joins, so a
page or endpoint costs the same number of queries for 1 message or 50.

The booking reference (`tracking_id`) of a message is its submission's
reference number, reached through the case when the message has one, else
through its application. The thread's applicant is that submission's user.
"""

from django.db.models import CharField, Count, Exists, F, Func, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Concat

from casework.access import (
    applications_for_applicant,
    case_for_staff,
    cases_for_staff,
    positive_id,
    staff_profile_of,
    staff_sees_every_case,
)
from casework.errors import NotFound
from casework.models import Application, Document, User
from intake.models import Message, MessageAttachment, MessageEvent

THREAD_SUBMISSION = "case__application__submission"
DIRECT_SUBMISSION = "application__submission"


def messages_annotated():
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
        attachment_count=Coalesce(Subquery(attachment_count, output_field=IntegerField()), Value(0)),
    )


# Applicant side ---------------------------------------------------------------


def applicant_messages(user):
    """Messages the applicant sent or received, in threads of their own submissions."""
    if not user.is_authenticated or staff_profile_of(user) is not None:
        return Message.objects.none()
    return messages_annotated().filter(Q(sender=user) | Q(recipient=user)).filter(applicant_id=user.pk)


def applicant_inbox(user):
    return applicant_messages(user).order_by("-created_at", "-id")


def applicant_message(user, message_id):
    message = applicant_messages(user).filter(pk=positive_id(message_id)).first()
    if message is None:
        raise NotFound()
    return message


def applicant_unread_count(user):
    return (
        applicant_messages(user)
        .filter(direction=Message.Direction.STAFF_TO_APPLICANT, status=Message.Status.UNREAD, deleted=False)
        .count()
    )


def applicant_threads(user):
    """What an applicant may write about: each of their applications (with its case, if any)."""
    return applications_for_applicant(user)


def applicant_attachment(user, message_id, attachment_id):
    message = applicant_message(user, message_id)
    return message, _attachment_of(message, attachment_id)


# Staff side -------------------------------------------------------------------


def case_thread(case):
    # Same membership as case_message: messages written before the case existed
    # (bound only to its application) are part of its thread.
    return messages_annotated().filter(in_case_thread(case)).order_by("created_at", "id")


def in_case_thread(case, application_id=None):
    """The thread of a case: its messages, and those written before it existed
    (bound only to its application). Takes a case, or a case reference and its
    application id as expressions (OuterRef) for use in a subquery."""
    if application_id is None:
        application_id = case.application_id
    return Q(case=case) | Q(case__isnull=True, application_id=application_id)


def case_message(case, message_id):
    """A message of this case; one written before the case existed (bound only to
    the case's application) belongs to it too."""
    message = (
        messages_annotated()
        .filter(pk=positive_id(message_id))
        .filter(in_case_thread(case))
        .first()
    )
    if message is None:
        raise NotFound()
    return message


def staff_message(user, case_id, message_id):
    case = case_for_staff(user, case_id)
    return case, case_message(case, message_id)


def staff_attachment(user, case_id, message_id, attachment_id):
    case, message = staff_message(user, case_id, message_id)
    return case, message, _attachment_of(message, attachment_id)


def case_documents(case):
    return Document.objects.filter(case=case).select_related("origin_message").order_by("-created_at", "-id")


def case_document(user, case_id, document_id):
    case = case_for_staff(user, case_id)
    document = case_documents(case).filter(pk=positive_id(document_id)).first()
    if document is None:
        raise NotFound()
    return case, document


def message_attachments(message):
    return list(message.attachments.order_by("id"))


def message_history(message):
    """The audit trail of one message, oldest first, each event with its actor."""
    events = list(MessageEvent.objects.filter(message_id=message.pk).order_by("created_at", "id"))
    actor_ids = {event.actor_user_id for event in events if event.actor_user_id}
    actors = User.objects.select_related("staff_profile").in_bulk(actor_ids)
    for event in events:
        event.actor = actors.get(event.actor_user_id)
    return events


def _attachment_of(message, attachment_id):
    attachment = message.attachments.filter(pk=positive_id(attachment_id)).first()
    if attachment is None or message.deleted:
        raise NotFound()
    return attachment


# Dashboard --------------------------------------------------------------------


def _count_of(messages):
    """A correlated COUNT(*) subquery over `messages`, 0 when there are none."""
    counted = messages.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _unread_from_applicant(messages):
    return messages.filter(direction=Message.Direction.APPLICANT_TO_STAFF, status=Message.Status.UNREAD, deleted=False)


def staff_case_list(user, search=""):
    """The cases this staff member may open, each with `unread_count` (unread
    applicant messages) and `last_message_at`; most recent activity first.

    `search` matches the booking reference and the applicant's name or e-mail,
    word by word. One query for the rows whatever their number."""
    thread = Message.objects.filter(in_case_thread(OuterRef("pk"), OuterRef("application_id")))
    cases = cases_for_staff(user).annotate(
        unread_count=_count_of(_unread_from_applicant(thread)),
        last_message_at=Subquery(thread.order_by("-created_at", "-id").values("created_at")[:1]),
    )
    for word in search.split():
        cases = cases.filter(
            Q(application__submission__reference_number__icontains=word)
            | Q(application__submission__user__first_name__icontains=word)
            | Q(application__submission__user__last_name__icontains=word)
            | Q(application__submission__user__email__icontains=word)
        )
    return cases.order_by(F("last_message_at").desc(nulls_last=True), "-created_at", "-id")


def applications_awaiting_case(user):
    """Applications with messages but no case yet: supervisors and admins only,
    since no caseworker is assigned to them."""
    if not staff_sees_every_case(user):
        return Application.objects.none()
    thread = Message.objects.filter(application_id=OuterRef("pk"))
    return (
        Application.objects.filter(case__isnull=True)
        .filter(Exists(thread))
        .select_related("submission__user")
        .annotate(
            message_count=_count_of(thread),
            unread_count=_count_of(_unread_from_applicant(thread)),
            last_message_at=Subquery(thread.order_by("-created_at", "-id").values("created_at")[:1]),
        )
        .order_by("-last_message_at", "-id")
    )


CASE_WIDGET_ORDERS = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "sender": ("sender_name", "-created_at", "-id"),
}


def case_widget_messages(case, *, direction=None, order="newest"):
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


def case_thread_counts(case):
    """Tab counts in one query: all, from applicant, to applicant, unread from applicant."""
    from_applicant = Q(direction=Message.Direction.APPLICANT_TO_STAFF)
    return Message.objects.filter(in_case_thread(case)).aggregate(
        all=Count("pk"),
        from_applicant=Count("pk", filter=from_applicant),
        to_applicant=Count("pk", filter=Q(direction=Message.Direction.STAFF_TO_APPLICANT)),
        unread=Count("pk", filter=from_applicant & Q(status=Message.Status.UNREAD, deleted=False)),
    )
