"""Reads of the access log: who looked at a case's personal data, when.

The events themselves are written by the views that show or hand over the
data (intake.services.events.event_record with the ACCESS_EVENT_TYPES)."""

from casework.models import Case
from intake.models import ACCESS_EVENT_TYPES, MessageEvent

ACCESS_HISTORY_SHOWN = 50


def case_access_history(case: Case) -> list[MessageEvent]:
    """The latest ACCESS_HISTORY_SHOWN looks at `case` (its pages, messages,
    attachments and case-file documents), newest first, each with its actor:
    one query, through message_event's (case_id, created_at) key."""
    return list(
        MessageEvent.objects.filter(case_id=case.pk, event_type__in=ACCESS_EVENT_TYPES)
        .select_related("actor_user__staff_profile")
        .order_by("-created_at", "-id")[:ACCESS_HISTORY_SHOWN]
    )
