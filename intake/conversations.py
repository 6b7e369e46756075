"""Conversation summaries recomputed from `messages`: the reference the
database's triggers are checked against (`manage.py threads --check`, and the
tests), and what `--repair` writes back.

The rules, the same as the triggers' (sql/migrations/20261127_conversation_summary.sql
and 20261130_conversation_handled.sql; sql/sqlite/conversation.sql):
- a message belongs to the conversation of its case's application when it has
  a case, else of its own application;
- messages are ordered by (created_at, id);
- unread_by_applicant / unread_by_staff count the unread, not withdrawn
  messages to / from the applicant;
- awaiting_reply_since is the earliest applicant message after the newest
  staff message that is not archived (handled: "No reply needed"); null when
  there is none.
"""

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from itertools import groupby
from operator import attrgetter
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce

from casework.models import Application, Case
from intake.models import Conversation, Message


@dataclass(frozen=True)
class Summary:
    application_id: int
    case_id: int | None
    applicant_user_id: int
    assigned_staff_profile_id: int | None
    message_count: int
    last_message_id: int | None
    last_message_at: datetime | None
    last_staff_message_id: int | None
    unread_by_applicant: int
    unread_by_staff: int
    awaiting_reply_since: datetime | None


SUMMARY_FIELDS = [field.name for field in fields(Summary)]


@dataclass(frozen=True)
class Difference:
    application_id: int
    field: str
    stored: Any
    expected: Any

    def __str__(self) -> str:
        return f"conversation {self.application_id}: {self.field} is {self.stored!r}, should be {self.expected!r}"


class _Row(NamedTuple):
    conversation_id: int
    id: int
    created_at: datetime
    direction: str
    unread: bool
    archived: bool


class _Owner(NamedTuple):
    case_id: int | None
    applicant_user_id: int
    assigned_staff_profile_id: int | None


def _summary(application_id: int, thread: list[_Row], owner: _Owner) -> Summary:
    """One conversation's summary from its messages, oldest first."""
    staff = [row for row in thread if row.direction == Message.Direction.STAFF_TO_APPLICANT]
    from_applicant = [row for row in thread if row.direction == Message.Direction.APPLICANT_TO_STAFF]
    last_staff = staff[-1] if staff else None
    waiting = [
        row.created_at
        for row in from_applicant
        if not row.archived
        and (last_staff is None or (row.created_at, row.id) > (last_staff.created_at, last_staff.id))
    ]
    return Summary(
        application_id=application_id,
        case_id=owner.case_id,
        applicant_user_id=owner.applicant_user_id,
        assigned_staff_profile_id=owner.assigned_staff_profile_id,
        message_count=len(thread),
        last_message_id=thread[-1].id,
        last_message_at=thread[-1].created_at,
        last_staff_message_id=last_staff.id if last_staff else None,
        unread_by_applicant=sum(1 for row in staff if row.unread),
        unread_by_staff=sum(1 for row in from_applicant if row.unread),
        awaiting_reply_since=min(waiting) if waiting else None,
    )


def conversations_recomputed(application_ids: Iterable[int] | None = None) -> Iterator[Summary]:
    """What every conversation's summary should be (or those of `application_ids`), from `messages`."""
    messages = Message.objects.annotate(conversation_id=Coalesce(F("case__application_id"), F("application_id")))
    if application_ids is not None:
        messages = messages.filter(conversation_id__in=list(application_ids))
    rows = (
        _Row(
            row.conversation_id,
            row.id,
            row.created_at,
            row.direction,
            row.status == Message.Status.UNREAD and not row.deleted,
            row.status == Message.Status.ARCHIVED,
        )
        for row in messages.order_by("conversation_id", "created_at", "id")
        .values_list("conversation_id", "id", "created_at", "direction", "status", "deleted", named=True)
        .iterator(chunk_size=5000)
    )
    owners = _owners()
    for application_id, thread in groupby(rows, key=attrgetter("conversation_id")):
        yield _summary(application_id, list(thread), owners[application_id])


def _owners() -> dict[int, _Owner]:
    """Each application's case, applicant and assigned caseworker's staff profile."""
    cases = {
        application_id: (case_id, assigned)
        for case_id, application_id, assigned in Case.objects.values_list(
            "id", "application_id", "assigned_staff_profile_id"
        )
    }
    owners = {}
    for application_id, applicant in Application.objects.values_list("id", "submission__user_id").iterator(
        chunk_size=5000
    ):
        case_id, assigned = cases.get(application_id, (None, None))
        owners[application_id] = _Owner(case_id, applicant, assigned)
    return owners


def _stored() -> dict[int, Summary]:
    return {
        row["application_id"]: Summary(**row)
        for row in Conversation.objects.values(*SUMMARY_FIELDS).iterator(chunk_size=5000)
    }


def conversations_differences() -> list[Difference]:
    """Every way the stored summaries differ from a recomputation, in application order."""
    stored = _stored()
    differences: list[Difference] = []
    for expected in conversations_recomputed():
        row = stored.pop(expected.application_id, None)
        if row is None:
            differences.append(Difference(expected.application_id, "row", None, "present"))
            continue
        for name in SUMMARY_FIELDS[1:]:
            if getattr(row, name) != getattr(expected, name):
                differences.append(
                    Difference(expected.application_id, name, getattr(row, name), getattr(expected, name))
                )
    for application_id in stored:
        differences.append(Difference(application_id, "row", "present", None))
    return sorted(differences, key=lambda difference: difference.application_id)


def conversations_repair(differences: list[Difference]) -> int:
    """Rewrite the summaries `differences` names from a recomputation; returns how many rows changed."""
    application_ids = sorted({difference.application_id for difference in differences})
    if not application_ids:
        return 0
    with transaction.atomic():
        expected = {summary.application_id: summary for summary in conversations_recomputed(application_ids)}
        Conversation.objects.filter(application_id__in=application_ids).delete()
        Conversation.objects.bulk_create([Conversation(**asdict(summary)) for summary in expected.values()])
    return len(application_ids)
