"""Read state and the record of who opened what."""

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


def attachment_download_record(*, attachment: MessageAttachment, message: Message, actor: User) -> None:
    event_record(
        event_type=MessageEvent.Type.ATTACHMENT_DOWNLOADED,
        message=message,
        actor=actor,
        detail={"attachment_id": attachment.pk},
    )
