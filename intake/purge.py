"""Purging message data: scope -> batches -> delete in schema order -> files after commit.

Invariant 11. Per batch of message ids (keyset pagination, so memory does not
grow with the scope), one transaction deletes, in the order the foreign keys
demand: adopted documents (only when asked) -> links that the schema would set
to NULL -> `message_attachment` -> `messages`. The stored files of those rows
are deleted only after that transaction has committed.

Crash safety: the file outbox (intake.outbox, `file_outbox`). Each batch's
transaction records that batch's file keys there (reason `purge`), together
with the deletes, so a crash between commit and file deletion leaves the keys
recorded. After the commit the run deletes them itself; whatever is left (a
crash, a storage failure) the worker's drain deletes, and every later purge
first deletes the files earlier purges left, unless a row still references the
key. Files the outbox does not name are never touched: a purge only ever
removes what a purge itself unlinked.

A killed run: its audit event says "running" and nobody will close it. Each
run names its process (host, pid) in its event and renews `heartbeat_at` with
every batch. The next run, once it holds the lock, marks such events
"interrupted" (on MariaDB the lock proves no other purge is alive; on SQLite,
a process of this host that no longer exists, or a heartbeat older than
ABANDONED_AFTER, does), and when it has done its own work it records, in its
event and in theirs, which interrupted or failed runs now have nothing left
to do (`finished_runs` / `finished_by`).
"""

import getpass
import logging
import operator
import os
import socket
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as day_start
from functools import reduce
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from casework.models import Application, Case, Document
from intake.models import Conversation, FileOutbox, Message, MessageAttachment, MessageDraft, MessageEvent
from intake.outbox import files_unlink, outbox_drain
from intake.selectors import in_case_thread

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 1000
STATUS_RUNNING, STATUS_DONE, STATUS_FAILED = "running", "done", "failed"
STATUS_INTERRUPTED = "interrupted"
# Where no lock can prove a "running" run dead (SQLite, a run on another
# host): a run whose heartbeat is this old is taken for dead. Far longer than
# any batch, or the drain of earlier runs' files that precedes the first.
ABANDONED_AFTER = timedelta(hours=1)
ADOPTED = Document.Source.SECURE_MESSAGE_ATTACHMENT


class ScopeError(Exception):
    """The scope names something that does not exist, or nothing at all."""


class PurgeBusy(Exception):
    """Another purge holds the lock; nothing was changed."""


class PurgeFailed(Exception):
    """The purge stopped part-way; `result` says what was done before it stopped."""

    def __init__(self, result, cause):
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.result = result
        self.cause = cause


@dataclass(frozen=True)
class Scope:
    """Exactly one of: case ids, an application id, a day (exclusive), everything."""

    case_ids: tuple[int, ...] = ()
    application_id: int | None = None
    before: date | None = None
    everything: bool = False

    def __post_init__(self):
        given = [bool(self.case_ids), self.application_id is not None, self.before is not None, self.everything]
        if sum(given) != 1:
            raise ScopeError("Give exactly one scope: --case, --application, --before or --all.")

    def check(self):
        """Unknown ids are an error, before anything is touched."""
        if self.case_ids:
            found = set(Case.objects.filter(pk__in=self.case_ids).values_list("pk", flat=True))
            missing = sorted(set(self.case_ids) - found)
            if missing:
                raise ScopeError(f"No case with id {', '.join(map(str, missing))}.")
        if self.application_id is not None and not Application.objects.filter(pk=self.application_id).exists():
            raise ScopeError(f"No application with id {self.application_id}.")

    def messages(self):
        """The messages in scope, as one unevaluated queryset.

        A case's messages are its thread, by the rule the dashboard shows it
        with (selectors.in_case_thread).
        """
        if self.case_ids:
            cases = Case.objects.filter(pk__in=self.case_ids).only("pk", "application_id")
            return Message.objects.filter(reduce(operator.or_, (in_case_thread(case) for case in cases), Q(pk__in=[])))
        if self.application_id is not None:
            case_ids = Case.objects.filter(application_id=self.application_id).values("pk")
            return Message.objects.filter(Q(application_id=self.application_id) | Q(case_id__in=case_ids))
        if self.before is not None:
            return Message.objects.filter(created_at__lt=self.cutoff)
        return Message.objects.all()

    @property
    def cutoff(self) -> datetime:
        """Midnight at the start of `before`, in the site's time zone."""
        assert self.before is not None
        return timezone.make_aware(datetime.combine(self.before, day_start.min))

    def describe(self):
        if self.case_ids:
            return {"case_ids": sorted(self.case_ids)}
        if self.application_id is not None:
            return {"application_id": self.application_id}
        if self.before is not None:
            return {"before": self.before.isoformat(), "cutoff": self.cutoff.isoformat()}
        return {"all": True}


@dataclass
class Plan:
    """What a purge of a scope would remove, from aggregate queries only."""

    messages: int
    attachments: int
    documents_deleted: int
    documents_unlinked: int
    files: int
    file_bytes: int
    pending_files: int

    @property
    def nothing_to_do(self):
        return self.messages == 0 and self.pending_files == 0

    def as_dict(self):
        return dict(self.__dict__)


@dataclass
class Result:
    run_id: str
    messages: int = 0
    attachments: int = 0
    documents_deleted: int = 0
    documents_unlinked: int = 0
    replies_unlinked: int = 0
    files_deleted: int = 0
    file_bytes: int = 0
    files_recovered: int = 0
    files_failed: list = field(default_factory=list)
    batches: int = 0
    seconds: float = 0.0
    # Event ids: runs found killed ("running", process gone) and marked
    # interrupted; interrupted or failed runs whose work is now complete.
    runs_interrupted: list = field(default_factory=list)
    runs_finished: list = field(default_factory=list)

    def counts(self):
        return {
            "messages": self.messages,
            "attachments": self.attachments,
            "documents_deleted": self.documents_deleted,
            "documents_unlinked": self.documents_unlinked,
            "replies_unlinked": self.replies_unlinked,
            "files_deleted": self.files_deleted,
            "file_bytes": self.file_bytes,
            "files_recovered": self.files_recovered,
            "files_failed": len(self.files_failed),
            "batches": self.batches,
        }


def lock_name():
    """Server-wide on MariaDB, so it names the database: purges of other databases do not wait."""
    return f"{connection.settings_dict['NAME']}.purge"[-64:]


@contextmanager
def purge_lock():
    """One purge at a time per database, or PurgeBusy at once (no waiting).

    On MariaDB an advisory lock (GET_LOCK) held by this connection: a killed
    run's lock goes with its connection, so a crash never leaves it taken. The
    embedded SQLite database (demo and tests) has no such lock and lets one
    writer at a time in anyway, so there it is not taken.
    """
    if connection.vendor != "mysql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT GET_LOCK(%s, 0)", [lock_name()])
        (taken,) = cursor.fetchone()
    if taken != 1:
        raise PurgeBusy(_running_description())
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT RELEASE_LOCK(%s)", [lock_name()])


def _running_description():
    running = _purge_events(detail__status=STATUS_RUNNING).order_by("-pk").first()
    if running is None:
        return "Another purge is running."
    detail = running.detail or {}
    return f"Another purge is running (started {detail.get('started_at')} by {detail.get('os_user')})."


def _linked_documents(message_ids, attachment_ids):
    return Document.objects.filter(Q(origin_message_id__in=message_ids) | Q(origin_attachment_id__in=attachment_ids))


# Longest IN list a batch lookup sends. MariaDB estimates an IN list longer
# than eq_range_index_dive_limit (default 200) from index statistics, and on a
# mostly-NULL column such as messages.reply_to_id it then scans the whole
# index: 52 ms per lookup at 1,000,000 rows, against 0.3 ms for a range.
IN_LIST_LIMIT = 100


def _pointing_at(queryset, column, ids, fields):
    """Rows (named tuples of `column` and `fields`) whose `column` holds one of
    `ids` (sorted ascending).

    A batch of consecutive ids (every --all or --before batch) is read as one
    range lo..hi of the column's index and filtered here, so the server reads
    only rows that point into the batch. A sparse batch (a case whose ids are
    spread among other cases') is looked up in IN lists short enough to be
    planned from the index itself.
    """
    if not ids:
        return []
    columns = (column, *fields)
    if ids[-1] - ids[0] < 2 * len(ids):
        wanted = set(ids)
        rows = queryset.filter(**{f"{column}__gte": ids[0], f"{column}__lte": ids[-1]}).values_list(
            *columns, named=True
        )
        return [row for row in rows if getattr(row, column) in wanted]
    found = []
    for start in range(0, len(ids), IN_LIST_LIMIT):
        found += queryset.filter(**{f"{column}__in": ids[start : start + IN_LIST_LIMIT]}).values_list(
            *columns, named=True
        )
    return found


def purge_plan(scope, *, include_documents):
    in_scope = scope.messages().values("pk")
    attachments = MessageAttachment.objects.filter(message_id__in=in_scope)
    attachment_totals = attachments.aggregate(n=Count("pk"), size=Sum("size_bytes"))
    linked = _linked_documents(in_scope, attachments.values("pk"))
    deleted = linked.filter(source=ADOPTED) if include_documents else linked.none()
    document_totals = deleted.aggregate(n=Count("pk"), size=Sum("size_bytes"))
    return Plan(
        messages=scope.messages().count(),
        attachments=attachment_totals["n"],
        documents_deleted=document_totals["n"],
        documents_unlinked=linked.count() - document_totals["n"],
        files=attachment_totals["n"] + document_totals["n"],
        file_bytes=(attachment_totals["size"] or 0) + (document_totals["size"] or 0),
        pending_files=FileOutbox.objects.filter(reason=FileOutbox.Reason.PURGE).count(),
    )


def purge_run(scope, *, include_documents, batch_size=DEFAULT_BATCH_SIZE, on_batch=lambda result: None):
    """Purge the scope; returns a Result, or raises PurgeFailed carrying what was done."""
    if connection.in_atomic_block:
        # Files may only go after their rows' deletion is committed.
        raise RuntimeError("purge_run must run outside a transaction.")
    started = time.monotonic()
    result = Result(run_id=uuid.uuid4().hex)
    detail = {
        "run_id": result.run_id,
        "scope": scope.describe(),
        "include_documents": include_documents,
        "batch_size": batch_size,
        "os_user": getpass.getuser(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "started_at": timezone.now().isoformat(),
        "heartbeat_at": timezone.now().isoformat(),
        "status": STATUS_RUNNING,
        "counts": result.counts(),
    }
    journal = MessageEvent.objects.create(
        event_type=MessageEvent.Type.PURGED,
        case_id=scope.case_ids[0] if len(scope.case_ids) == 1 else None,
        detail=detail,
    )
    try:
        result.runs_interrupted = _killed_runs_mark(journal)
        if result.runs_interrupted:
            detail["runs_interrupted"] = result.runs_interrupted
        # Files earlier purges left (a crash, a storage failure), before this run adds its own.
        result.files_recovered = outbox_drain(reason=FileOutbox.Reason.PURGE, due_only=False).deleted
        in_scope = scope.messages()
        last_id = 0
        while True:
            ids = list(in_scope.filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not ids:
                break
            keys = _batch_delete(ids, include_documents, result, journal, detail)
            _files_delete(keys, result)
            last_id = ids[-1]
            result.batches += 1
            result.seconds = time.monotonic() - started
            on_batch(result)
    except Exception as exc:
        result.seconds = time.monotonic() - started
        _journal_close(journal, detail, result, STATUS_FAILED)
        raise PurgeFailed(result, exc) from exc
    result.seconds = time.monotonic() - started
    try:
        result.runs_finished = _unfinished_runs_close(journal, include_documents)
    except Exception:
        # This run's own work is done; the next run records the earlier ones as finished.
        logger.exception("Could not record which earlier purge runs run %s finished.", result.run_id)
    if result.runs_finished:
        detail["finished_runs"] = result.runs_finished
    _journal_close(journal, detail, result, STATUS_DONE)
    return result


def _purge_events(**filters):
    return MessageEvent.objects.filter(event_type=MessageEvent.Type.PURGED, **filters)


def _lock_held():
    """Whether this connection holds the purge lock (MariaDB only)."""
    if connection.vendor != "mysql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT IS_USED_LOCK(%s) = CONNECTION_ID()", [lock_name()])
        (held,) = cursor.fetchone()
    return held == 1


def _process_gone(detail, now):
    """Whether the run an event describes can no longer be alive (see the module's note)."""
    if detail.get("host") == socket.gethostname() and isinstance(detail.get("pid"), int):
        try:
            os.kill(detail["pid"], 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass  # a process of another user has that pid now: fall back to the heartbeat
    beat = detail.get("heartbeat_at") or detail.get("started_at")
    try:
        last = datetime.fromisoformat(beat)
    except (TypeError, ValueError):
        return True
    return now - last > ABANDONED_AFTER


def _killed_runs_mark(journal):
    """Mark the events of runs that were killed while running as interrupted;
    returns their ids. With the lock held, every other "running" run is dead."""
    now = timezone.now()
    lock_held = _lock_held()
    marked = []
    for event in _purge_events(detail__status=STATUS_RUNNING).exclude(pk=journal.pk).order_by("pk"):
        detail = dict(event.detail or {})
        if not (lock_held or _process_gone(detail, now)):
            continue
        detail.update(status=STATUS_INTERRUPTED, interrupted_noticed_at=now.isoformat(), noticed_by=journal.pk)
        # Conditional: a run that closed its own event meanwhile keeps what it wrote.
        if _purge_events(pk=event.pk, detail__status=STATUS_RUNNING).update(detail=detail):
            logger.warning("Purge run %s (event %s) was interrupted; marked so.", detail.get("run_id"), event.pk)
            marked.append(event.pk)
    return marked


def _unfinished_runs_close(journal, include_documents):
    """After a complete run: each interrupted or failed run whose scope now
    holds no message (and whose files the outbox no longer names) is finished;
    record this run's event id in it. Returns their ids. A run that was to
    delete adopted documents is finished only by a run that deleted them too:
    once its messages are gone, nothing links those documents to it."""
    if FileOutbox.objects.filter(reason=FileOutbox.Reason.PURGE).exists():
        return []
    finished = []
    unfinished = _purge_events(detail__status__in=[STATUS_INTERRUPTED, STATUS_FAILED]).exclude(pk=journal.pk)
    for event in unfinished.order_by("pk"):
        detail = dict(event.detail or {})
        if detail.get("finished_by") is not None:
            continue
        if detail.get("include_documents") and not include_documents:
            continue
        scope = _scope_of(detail.get("scope") or {})
        if scope is None or scope.messages().exists():
            continue
        detail.update(finished_by=journal.pk, finished_at_by_later_run=timezone.now().isoformat())
        _purge_events(pk=event.pk).update(detail=detail)
        finished.append(event.pk)
    return finished


def _scope_of(described):
    """The Scope an event's `scope` describes (Scope.describe), or None if it is not one."""
    try:
        if "case_ids" in described:
            return Scope(case_ids=tuple(int(pk) for pk in described["case_ids"]))
        if "application_id" in described:
            return Scope(application_id=int(described["application_id"]))
        if "before" in described:
            return Scope(before=date.fromisoformat(described["before"]))
        if described.get("all"):
            return Scope(everything=True)
    except (ScopeError, TypeError, ValueError):
        pass
    return None


def _batch_delete(ids, include_documents, result, journal, detail):
    """One transaction: documents -> links -> attachments -> messages. Returns the file keys to delete."""
    with transaction.atomic():
        keys = _batch_rows_delete(ids, include_documents, result, journal, detail)
    return keys


def _batch_rows_delete(ids, include_documents, result, journal, detail):
    touched = set(
        Message.objects.filter(pk__in=ids)
        .annotate(conversation_id=Coalesce(F("case__application_id"), F("application_id")))
        .values_list("conversation_id", flat=True)
    )
    with _conversation_summaries_kept(ids):
        attachments = sorted(
            _pointing_at(MessageAttachment.objects, "message_id", ids, ("pk", "file_path", "size_bytes")),
            key=lambda row: row.pk,
        )
        attachment_ids = [row.pk for row in attachments]
        document_fields = ("pk", "source", "file_path", "size_bytes")
        # A document adopted from an attachment of the batch is found by both links: once by pk.
        linked = {
            row.pk: row
            for row in _pointing_at(Document.objects, "origin_message_id", ids, document_fields)
            + _pointing_at(Document.objects, "origin_attachment_id", attachment_ids, document_fields)
        }
        documents = sorted(
            (row for row in linked.values() if include_documents and row.source == ADOPTED), key=lambda row: row.pk
        )
        kept = sorted(pk for pk, row in linked.items() if not (include_documents and row.source == ADOPTED))
        if documents:
            Document.objects.filter(pk__in=[row.pk for row in documents]).delete()
        if kept:
            # What ON DELETE SET NULL does on MariaDB, done explicitly so SQLite agrees.
            Document.objects.filter(pk__in=kept, origin_attachment_id__in=attachment_ids).update(origin_attachment=None)
            Document.objects.filter(pk__in=kept, origin_message_id__in=ids).update(origin_message=None)
        # Read first through the reply_to index: almost always nothing to change.
        batch = set(ids)
        replies = [row.pk for row in _pointing_at(Message.objects, "reply_to_id", ids, ("pk",)) if row.pk not in batch]
        if replies:
            Message.objects.filter(pk__in=replies).update(reply_to=None)
        if attachment_ids:
            MessageAttachment.objects.filter(pk__in=attachment_ids).delete()
        deleted, _ = Message.objects.filter(pk__in=ids).delete()

        keys = [row.file_path for row in attachments] + [row.file_path for row in documents]
        result.messages += deleted
        result.attachments += len(attachments)
        result.documents_deleted += len(documents)
        result.documents_unlinked += len(kept)
        result.replies_unlinked += len(replies)
        result.file_bytes += sum(row.size_bytes for row in attachments) + sum(row.size_bytes for row in documents)
        # The outbox: written with the deletes, so committed rows always have their files recorded.
        files_unlink(keys, reason=FileOutbox.Reason.PURGE, drain=False)
        detail["counts"] = result.counts()
        detail["heartbeat_at"] = timezone.now().isoformat()
        MessageEvent.objects.filter(pk=journal.pk).update(detail=detail)
    # A conversation purged to its last message takes its drafts with it.
    MessageDraft.objects.filter(application_id__in=touched).exclude(
        application_id__in=Conversation.objects.filter(application_id__in=touched).values("application_id")
    ).delete()
    return keys


@contextmanager
def _conversation_summaries_kept(ids):
    """Keep the conversation summaries true for a batch of deleted messages.

    On MySQL/MariaDB the delete trigger would update a summary once per
    deleted row; for a batch of our own it steps aside (the session variable
    @conversation_summary_by_caller) and each conversation the batch touches
    is updated once here, in the batch's transaction: the counts by what was
    deleted, then its ends (conversation_ends). On SQLite the triggers do it.
    """
    if connection.vendor != "mysql":
        yield
        return
    rows = _pointing_at(
        Message.objects.annotate(conversation_id=Coalesce(F("case__application_id"), F("application_id"))),
        "id",
        ids,
        ("conversation_id", "direction", "status", "deleted"),
    )
    changes: dict[int, dict[str, Any]] = {}
    for row in rows:
        change = changes.setdefault(row.conversation_id, {"count": 0, "to_applicant": 0, "to_staff": 0, "ids": set()})
        change["count"] += 1
        change["ids"].add(row.id)
        if row.status == Message.Status.UNREAD and not row.deleted:
            change["to_applicant" if row.direction == Message.Direction.STAFF_TO_APPLICANT else "to_staff"] += 1
    with connection.cursor() as cursor:
        cursor.execute("SET @conversation_summary_by_caller = 1")
        try:
            yield
        finally:
            cursor.execute("SET @conversation_summary_by_caller = NULL")
        ends = {
            row.application_id: row
            for row in Conversation.objects.filter(application_id__in=list(changes)).values_list(
                "application_id", "last_message_id", "last_staff_message_id", named=True
            )
        }
        for application_id, change in sorted(changes.items()):
            cursor.execute(
                "UPDATE conversation SET message_count = message_count - %s,"
                " unread_by_applicant = unread_by_applicant - %s, unread_by_staff = unread_by_staff - %s"
                " WHERE application_id = %s",
                [change["count"], change["to_applicant"], change["to_staff"], application_id],
            )
            cursor.execute("DELETE FROM conversation WHERE application_id = %s AND message_count <= 0", [application_id])
            if cursor.rowcount == 0 and application_id in ends:
                cursor.execute(
                    "CALL conversation_ends(%s, %s, %s)",
                    [
                        application_id,
                        int(ends[application_id].last_message_id in change["ids"]),
                        int(ends[application_id].last_staff_message_id in change["ids"]),
                    ],
                )


def _files_delete(keys, result):
    """The batch's files, now that its deletes are committed. A failed delete
    stays in the outbox: the worker's drain, or the next purge, retries it."""
    drained = outbox_drain(storage_keys=keys, reason=FileOutbox.Reason.PURGE)
    result.files_deleted += drained.deleted
    result.files_failed.extend(drained.failed)


def _journal_close(journal, detail, result, status):
    detail.update(
        status=status,
        finished_at=timezone.now().isoformat(),
        seconds=round(result.seconds, 3),
        counts=result.counts(),
    )
    try:
        MessageEvent.objects.filter(pk=journal.pk).update(detail=detail)
    except Exception:
        # The event keeps the counts the last committed batch wrote; the outbox keeps the files.
        logger.exception("Could not record the end of purge run %s.", result.run_id)
