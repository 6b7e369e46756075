"""The audit trail every write leaves behind."""

from typing import Any

from casework.models import User
from intake.models import Message, MessageEvent


def event_record(
    *,
    event_type: str,
    message: Message | None = None,
    case_id: int | None = None,
    actor: User | None = None,
    detail: dict[str, Any] | None = None,
) -> MessageEvent:
    """One audit event: ids, counts and hashes only, never message content."""
    return MessageEvent.objects.create(
        event_type=event_type,
        message_id=message.pk if message else None,
        case_id=case_id if case_id is not None else (message.case_id if message else None),
        actor_user_id=actor.pk if actor else None,
        detail=detail or {},
    )
