"""The audit trail every write leaves behind, and the access log of what
staff looked at (issue 15: who saw which personal data, when)."""

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


def staff_search_record(*, actor: User, where: str, result_count: int, **detail: Any) -> MessageEvent:
    """A staff search happened: where (`queue`, `case_list`, `api_queue`), with
    how many results; never its terms, which are personal data themselves."""
    return event_record(
        event_type=MessageEvent.Type.STAFF_SEARCHED,
        actor=actor,
        detail={"where": where, "result_count": result_count, **detail},
    )
