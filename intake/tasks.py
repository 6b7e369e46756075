"""Background tasks, through the Django Tasks API (DEP 14: the django-tasks
backport on Django 5.2, `django.tasks` from Django 6.0).

`manage.py worker` runs them (docs/background-work.md). Every task here is
idempotent and safe when two workers run it at once: it works from rows that
say what is left to do (email_notice, file_outbox, unread messages) and claims
them with conditional writes, so running it twice, or after a crash, does
nothing twice.

A task is queued in the transaction that makes it necessary (`enqueue_in`):
with the database backend the task's row is written in that transaction, so a
rolled-back change queues nothing and a committed one cannot lose its task.
"""

import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django_tasks import task
from django_tasks_db import DatabaseBackend

logger = logging.getLogger(__name__)


def enqueue_in(task_to_run: Any, *args: Any, run_after: datetime | None = None) -> None:
    """Queue `task_to_run(*args)` as part of the caller's transaction.

    The database backend writes the task's row on the same connection, inside
    the transaction. Another backend (Redis) cannot take part in it, so the
    task is sent when the transaction commits; should the process die in
    between, or Redis be down then, the rows the task works from are still
    there and the periodic sweep (`periodic_work`) queues them again.
    """
    if run_after is not None:
        task_to_run = task_to_run.using(run_after=run_after)
    if isinstance(task_to_run.get_backend(), DatabaseBackend):
        task_to_run.enqueue(*args)
    else:
        transaction.on_commit(lambda: task_to_run.enqueue(*args), robust=True)


@task()
def notices_deliver(notice_ids: list[int]) -> dict[str, int]:
    """Send these e-mail notices (those still waiting; the others are left alone)."""
    from intake.notifications import notices_deliver as deliver

    return deliver(notice_ids)


@task()
def file_outbox_drain(storage_keys: list[str] | None = None) -> dict[str, int]:
    """Delete the stored files the outbox lists (these keys, or every one that is due)."""
    from intake.outbox import outbox_drain

    return outbox_drain(storage_keys=storage_keys).counts()


@task()
def unread_reminders_send() -> dict[str, int]:
    """Claim and queue the unread reminders that are due."""
    from intake.reminders import reminders_queue

    return {"reminders_queued": reminders_queue()}


@task()
def periodic_work() -> dict[str, int]:
    """What the worker runs every few minutes: files left to delete, notices
    whose task was lost, unread reminders. Each step is safe to repeat."""
    from intake.notifications import notices_requeue_stale
    from intake.outbox import outbox_drain
    from intake.reminders import reminders_queue

    return {
        "files_deleted": outbox_drain().deleted,
        "notices_requeued": notices_requeue_stale(),
        "reminders_queued": reminders_queue(),
    }
