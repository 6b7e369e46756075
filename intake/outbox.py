"""One outbox for stored files to delete (`file_outbox`).

Every change that unlinks a stored file (a withdrawal, a purge, the losing copy
of an adoption race) records the file's storage key here in the SAME
transaction as the row change (`files_unlink`), and the worker's drain deletes
the file, then the row (`outbox_drain`). A process killed between the commit
and the deletion loses nothing: the next drain finds the row.

Files stored by a change that then rolls back have no row to be recorded
with, so:
- a send stores its uploads BEFORE its transaction, each key first recorded as
  an `upload` (committed unless the caller holds a transaction, and due only
  after UPLOAD_GRACE); the send's own transaction deletes those rows with the
  rows it creates (`uploads_confirm`). A send that fails records them for
  deletion at once (`files_discard`); a send killed outright leaves them to
  the drain, an hour later.
- copies made inside a transaction (adoption into the case file) are stored
  under keys recorded the same way before that transaction opens (by the
  send, the case opening, or the adoption itself) and confirmed by it; a
  rollback deletes them at once (`files_discard`).
- a change whose commit failed may have committed all the same: it deletes
  nothing, and records as uploads what it stored under keys nobody recorded
  in advance (`uploads_leave_to_drain`); the drain, which deletes only keys
  no row names, decides later.

The drain is idempotent and safe on two workers at once: a file already gone
counts as deleted, and a key that `message_attachment` or `iset_document`
still names is never deleted (its row is dropped instead).
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from casework.models import Document
from common.tasks import enqueue_in
from intake.models import FileOutbox, MessageAttachment
from intake.tasks import file_outbox_drain

logger = logging.getLogger(__name__)

# How long a send may take between recording an upload and committing it.
UPLOAD_GRACE = timedelta(hours=1)
RETRY_DELAY_MAX = timedelta(hours=6)
DRAIN_BATCH = 500


@dataclass
class Drained:
    deleted: int = 0
    still_referenced: int = 0
    failed: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"deleted": self.deleted, "still_referenced": self.still_referenced, "failed": len(self.failed)}


def files_unlink(storage_keys: Iterable[str], *, reason: str, drain: bool = True) -> list[str]:
    """Record files to delete, in the caller's transaction, and (unless
    `drain` is False: the caller deletes them itself after its commit) queue a
    drain of them in the same transaction."""
    keys = list(storage_keys)
    if keys:
        FileOutbox.objects.bulk_create([FileOutbox(storage_key=key, reason=reason) for key in keys])
        if drain:
            enqueue_in(file_outbox_drain, keys)
    return keys


def uploads_expect(storage_keys: Iterable[str]) -> None:
    """Record keys a send is about to store, before it stores them: should the
    send never commit, the drain deletes them once UPLOAD_GRACE has passed."""
    due = timezone.now() + UPLOAD_GRACE
    FileOutbox.objects.bulk_create(  # no query for a send without files
        [FileOutbox(storage_key=key, reason=FileOutbox.Reason.UPLOAD, next_attempt_at=due) for key in storage_keys]
    )


def uploads_leave_to_drain(storage_keys: Iterable[str], *, recorded: Iterable[str] = ()) -> None:
    """After a commit that failed and may have happened all the same: record
    the files stored under keys not already `recorded` in advance, as
    uploads, so the drain decides later (it deletes only keys no row names).
    Never raises: with the database gone too, the keys are only logged."""
    already = set(recorded)
    keys = [key for key in storage_keys if key not in already]
    try:
        uploads_expect(keys)
    except DatabaseError:
        logger.warning("Could not record %d stored files for a later check: %s", len(keys), keys)


def uploads_confirm(storage_keys: Iterable[str]) -> None:
    """In the send's transaction: its rows own these files now."""
    keys = list(storage_keys)
    if keys:
        FileOutbox.objects.filter(reason=FileOutbox.Reason.UPLOAD, storage_key__in=keys).delete()


def files_discard(storage_keys: Iterable[str], *, reason: str) -> None:
    """After a rollback: delete files the rolled-back change stored, now.

    The keys are recorded first (uploads recorded in advance become due at
    once), so a file that cannot be deleted now stays for the next drain.
    Never raises: it runs while another exception is on its way up, and when
    the database itself failed, the files are deleted without a record (the
    uploads recorded in advance still are)."""
    keys = list(dict.fromkeys(storage_keys))
    if not keys:
        return
    try:
        with transaction.atomic():
            advance = set(
                FileOutbox.objects.filter(reason=FileOutbox.Reason.UPLOAD, storage_key__in=keys).values_list(
                    "storage_key", flat=True
                )
            )
            FileOutbox.objects.filter(reason=FileOutbox.Reason.UPLOAD, storage_key__in=keys).update(
                reason=reason, next_attempt_at=timezone.now()
            )
            files_unlink([key for key in keys if key not in advance], reason=reason, drain=False)
        outbox_drain(storage_keys=keys)
    except Exception:
        logger.exception("Could not record %d stored files to delete; deleting them directly.", len(keys))
        for key in keys:
            _delete(key)


def outbox_drain(*, storage_keys: Iterable[str] | None = None, reason: str | None = None, due_only: bool = True) -> Drained:
    """Delete the files the outbox lists, then their rows: those with these
    keys, or every row that is due (`due_only`), optionally of one reason.
    A failure is counted on the row, which is tried again later."""
    result = Drained()
    rows = FileOutbox.objects.order_by("pk")
    if storage_keys is not None:
        rows = rows.filter(storage_key__in=list(storage_keys))
    if reason is not None:
        rows = rows.filter(reason=reason)
    if due_only:
        rows = rows.filter(next_attempt_at__lte=timezone.now())
    last_pk = 0
    while True:
        batch = list(rows.filter(pk__gt=last_pk).values_list("pk", "storage_key", "attempts")[:DRAIN_BATCH])
        if not batch:
            return result
        last_pk = batch[-1][0]
        keys = {key for _pk, key, _attempts in batch}
        referenced = set(MessageAttachment.objects.filter(file_path__in=keys).values_list("file_path", flat=True))
        referenced |= set(Document.objects.filter(file_path__in=keys).values_list("file_path", flat=True))
        done = []
        for pk, key, attempts in batch:
            if key in referenced:
                logger.warning("Stored file %s is still referenced by a row: not deleted.", key)
                result.still_referenced += 1
                done.append(pk)
                continue
            error = _delete(key)
            if error is None:
                result.deleted += 1
                done.append(pk)
            else:
                result.failed.append(key)
                FileOutbox.objects.filter(pk=pk).update(
                    attempts=F("attempts") + 1,
                    last_error=error,
                    next_attempt_at=timezone.now() + _retry_delay(attempts + 1),
                )
        FileOutbox.objects.filter(pk__in=done).delete()


def _delete(key: str) -> str | None:
    """Delete one stored file; None when it is gone (or was already), else the kind of failure."""
    try:
        default_storage.delete(key)
    except Exception as exc:
        logger.exception("Could not delete stored file %s.", key)
        return type(exc).__name__[:255]
    return None


def _retry_delay(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** min(attempts - 1, 20)), RETRY_DELAY_MAX)
