"""Handling the work queue without writing (issue 12): a message marked unread
again, a conversation that needs no reply, a case marked urgent.

"Read" and "handled" are different things. Read state is who has opened a
message; handled is whether the applicant still waits for an answer. An
applicant message whose status is 'archived' is handled: it starts no wait
(docs/conversations.md), and the database's triggers move the conversation's
`awaiting_reply_since` as these services change the messages.
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import Application, Case, User
from common.errors import Conflict, InvalidInput, PermissionRefused
from intake.models import Message, MessageEvent
from intake.selectors import application_case_id, in_conversation
from intake.services.events import event_record
from intake.validators import text_characters_validate

# The optional internal note of "No reply needed": audit detail, never shown to the applicant.
REASON_MAX = 500


def message_mark_unread(*, message: Message, staff_user: User) -> bool:
    """A staff member puts an applicant's message back among the unread, to
    come back to it. Only messages from the applicant, and not withdrawn ones;
    a handled (archived) message marked unread waits for a reply again.
    Returns whether this call changed the state."""
    _staff_check(staff_user)
    if not message.from_applicant:
        raise Conflict(_("Only messages from the applicant can be marked as unread."), code="not_from_applicant")
    with transaction.atomic():
        locked = Message.objects.select_for_update().only("status", "deleted").get(pk=message.pk)
        if locked.deleted:
            raise Conflict(_("A withdrawn message cannot be marked as unread."), code="withdrawn")
        if locked.status == Message.Status.UNREAD:
            return False
        Message.objects.filter(pk=message.pk).update(status=Message.Status.UNREAD, read_at=None)
        event_record(
            event_type=MessageEvent.Type.MARKED_UNREAD,
            message=message,
            actor=staff_user,
            detail={"previous_status": locked.status},
        )
    message.status, message.read_at = Message.Status.UNREAD, None
    return True


def conversation_no_reply_needed(*, staff_user: User, application: Application, reason: str = "") -> list[int]:
    """Staff end the wait for a reply in an application's conversation without
    writing: every applicant message after the newest staff message that is
    not handled yet becomes handled (archived; the unread ones read now), with
    one audit event naming them and the optional internal `reason`.

    Four queries whatever the number of messages (two reads, the update, the
    event). Returns the ids handled; Conflict when nobody waits for a reply."""
    _staff_check(staff_user)
    reason = _reason_check(reason)
    case_id = application_case_id(application)
    conversation = Message.objects.filter(in_conversation(application.pk, case_id))
    now = timezone.now()
    with transaction.atomic():
        newest_staff = (
            conversation.filter(direction=Message.Direction.STAFF_TO_APPLICANT)
            .order_by("-created_at", "-id")
            .values_list("created_at", "id")
            .first()
        )
        waiting = conversation.filter(direction=Message.Direction.APPLICANT_TO_STAFF).exclude(
            status=Message.Status.ARCHIVED
        )
        if newest_staff is not None:
            staff_at, staff_id = newest_staff
            waiting = waiting.filter(models.Q(created_at__gt=staff_at) | models.Q(created_at=staff_at, id__gt=staff_id))
        # Locked, so that of two staff members handling the conversation at once the second finds nothing.
        message_ids = list(waiting.select_for_update().order_by("created_at", "id").values_list("id", flat=True))
        if not message_ids:
            raise Conflict(_("Nobody is waiting for a reply in this conversation."), code="nothing_awaiting")
        # Newest first: on MySQL each row's trigger looks up where the wait now
        # starts, and finds it at the oldest row still waiting in one step.
        # read_at before status: MySQL assigns left to right, each expression
        # seeing the columns already assigned, so it must read the old status.
        Message.objects.filter(pk__in=message_ids).order_by("-created_at", "-id").update(
            read_at=models.Case(
                models.When(status=Message.Status.UNREAD, then=models.Value(now)), default=models.F("read_at")
            ),
            status=Message.Status.ARCHIVED,
        )
        event_record(
            event_type=MessageEvent.Type.NO_REPLY_NEEDED,
            case_id=case_id,
            actor=staff_user,
            detail={"message_ids": message_ids, "reason": reason},
        )
    return message_ids


def case_urgency_set(*, staff_user: User, case: Case, urgent: bool) -> bool:
    """Mark a case urgent, or no longer urgent; returns whether it changed
    (recorded only then)."""
    _staff_check(staff_user)
    urgent = bool(urgent)
    with transaction.atomic():
        changed = Case.objects.filter(pk=case.pk).exclude(urgent=urgent).update(urgent=urgent)
        if changed:
            event_record(
                event_type=MessageEvent.Type.CASE_URGENCY_CHANGED,
                case_id=case.pk,
                actor=staff_user,
                detail={"urgent": urgent},
            )
    case.urgent = urgent
    return bool(changed)


def _staff_check(user: User) -> None:
    if user.active_staff_profile is None:
        raise PermissionRefused(_("Only the case team can do this."), code="not_staff")


def _reason_check(reason: str | None) -> str:
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise InvalidInput(
            _("The reason can be at most %(max)d characters.") % {"max": REASON_MAX},
            code="reason_too_long",
            field="reason",
        )
    try:
        text_characters_validate(reason)
    except ValidationError as error:
        raise InvalidInput(error.messages[0], code="reason_invalid_characters", field="reason") from None
    return reason
