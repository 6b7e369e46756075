"""Read state and the record of who opened what."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from casework.models import User
from intake.models import Message, MessageAttachment, MessageEvent
from intake.services.events import event_record


def message_mark_read(*, message: Message, reader: User) -> bool:
    """The recipient side opened the message: unread becomes read, once.

    The applicant reads staff messages; any staff member with access to the
    case reads applicant messages. The sender opening their own message
    changes nothing. Returns whether this call changed the state.
    """
    reader_is_staff = reader.active_staff_profile is not None
    if message.from_applicant != reader_is_staff or message.status != Message.Status.UNREAD:
        return False
    now = timezone.now()
    with transaction.atomic():
        changed = Message.objects.filter(pk=message.pk, status=Message.Status.UNREAD).update(
            status=Message.Status.READ, read_at=now
        )
        if changed:
            event_record(event_type=MessageEvent.Type.READ, message=message, actor=reader)
    if changed:
        message.status, message.read_at = Message.Status.READ, now
    return bool(changed)


def messages_mark_read(*, messages: Iterable[Message], reader: User) -> int:
    """The applicant opened a conversation: every staff message shown to them
    that was unread becomes read, each with its audit event, in three queries
    whatever their number. Only staff -> applicant messages addressed to the
    reader change (withdrawn ones stay as they are); returns how many changed."""
    if reader.active_staff_profile is not None:
        return 0
    candidates = {
        message.pk: message
        for message in messages
        if not message.from_applicant
        and message.status == Message.Status.UNREAD
        and not message.deleted
        and message.recipient_id == reader.pk
    }
    if not candidates:
        return 0
    now = timezone.now()
    with transaction.atomic():
        unread = Message.objects.select_for_update().filter(pk__in=candidates, status=Message.Status.UNREAD)
        changed_ids = list(unread.values_list("pk", flat=True))
        if not changed_ids:
            return 0
        Message.objects.filter(pk__in=changed_ids).update(status=Message.Status.READ, read_at=now)
        MessageEvent.objects.bulk_create(
            MessageEvent(
                event_type=MessageEvent.Type.READ,
                message_id=pk,
                case_id=candidates[pk].case_id,
                actor_user_id=reader.pk,
                detail={},
                created_at=now,
            )
            for pk in changed_ids
        )
    for pk in changed_ids:
        candidates[pk].status, candidates[pk].read_at = Message.Status.READ, now
    return len(changed_ids)


def attachment_download_record(*, attachment: MessageAttachment, message: Message, actor: User) -> None:
    event_record(
        event_type=MessageEvent.Type.ATTACHMENT_DOWNLOADED,
        message=message,
        actor=actor,
        detail={"attachment_id": attachment.pk},
    )
