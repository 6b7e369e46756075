"""Unread reminders: an applicant who has left a staff message unread for
REMINDER_AFTER_DAYS days (REMINDER_AFTER_DAYS_URGENT for an urgent one) gets
one e-mail saying so: "You have an unread secure message about <booking
reference>", a sign-in link, no content (invariant 7), in their language.

One per message, ever: a reminder is claimed by inserting its `email_notice`
row (kind `unread_reminder`), and the table's unique key on (message_id,
kind, recipient_user_id) lets only one such row exist, whichever run inserts
it first; two runs at once (two workers) each insert with INSERT IGNORE, and
the second waits for the first's commit and then inserts nothing. A withdrawn
or read message is never reminded: it is not selected, and should it be read
or withdrawn before the e-mail goes, the worker cancels the notice. The
e-mail sent is recorded in the message's audit trail (`unread_reminder_sent`).

Run by the worker every few minutes (`periodic_work`), or from cron with
`manage.py send_reminders`.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import FilteredRelation, Q
from django.utils import timezone

from common.tasks import enqueue_in
from intake.models import EmailNotice, Message
from intake.tasks import notices_deliver

# Rows per transaction; also the length of the IN lists the run sends, kept
# at MariaDB's eq_range_index_dive_limit (200) so they are planned from the index.
BATCH_SIZE = 200


def reminders_due(now: datetime | None = None):
    """Staff -> applicant messages unread past their delay that have had no
    reminder, oldest first. On MariaDB read as one range of
    ix_messages_status_direction_created (status, direction, created_at),
    each row looked up in the notices' unique key (an anti-join), so a run
    that finds nothing new costs one index lookup per old unread message."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.REMINDER_AFTER_DAYS)
    cutoff_urgent = now - timedelta(days=settings.REMINDER_AFTER_DAYS_URGENT)
    return (
        Message.objects.filter(
            status=Message.Status.UNREAD,
            direction=Message.Direction.STAFF_TO_APPLICANT,
            created_at__lte=max(cutoff, cutoff_urgent),
            deleted=False,
            recipient__isnull=False,
        )
        .filter(Q(created_at__lte=cutoff) | Q(urgent=True, created_at__lte=cutoff_urgent))
        .annotate(
            reminder=FilteredRelation(
                "email_notices", condition=Q(email_notices__kind=EmailNotice.Kind.UNREAD_REMINDER)
            )
        )
        .filter(reminder__isnull=True)
        .order_by("created_at", "pk")
    )


def reminders_queue(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Claim the reminders that are due and queue their delivery, a batch per
    transaction (memory and locks stay small however many are due). Returns
    how many this run queued.

    The candidates are read by keyset over the index, so each batch starts
    where the last one ended."""
    due = reminders_due(now)
    queued = 0
    last = None
    while True:
        page = due
        if last is not None:
            # (created_at, id) > last, written so that created_at >= ... stays a range of the index.
            page = page.filter(created_at__gte=last[0]).filter(Q(created_at__gt=last[0]) | Q(pk__gt=last[1]))
        rows = list(page.values_list("created_at", "pk", "recipient_id", "case_id")[:batch_size])
        if not rows:
            return queued
        last = rows[-1][:2]
        queued += _claim(rows)


def _claim(rows) -> int:
    with transaction.atomic():
        EmailNotice.objects.bulk_create(
            [
                EmailNotice(
                    kind=EmailNotice.Kind.UNREAD_REMINDER,
                    message_id=message_id,
                    case_id=case_id,
                    recipient_user_id=recipient_id,
                )
                for _created_at, message_id, recipient_id, case_id in rows
            ],
            # The conditional insert that claims: a reminder another run inserted first stays the only one.
            ignore_conflicts=True,
        )
        # Ours, or a concurrent run's not yet tried: delivering twice is
        # harmless, the worker claims each notice once.
        ids = [
            pk
            for pk, status, attempts in EmailNotice.objects.filter(
                kind=EmailNotice.Kind.UNREAD_REMINDER, message_id__in=[row[1] for row in rows]
            ).values_list("pk", "status", "attempts")
            if status == EmailNotice.Status.PENDING and attempts == 0
        ]
        if ids:
            enqueue_in(notices_deliver, ids)
    return len(ids)
