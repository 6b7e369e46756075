"""Background tasks, through the Django Tasks API (DEP 14: the django-tasks
backport on Django 5.2, `django.tasks` from Django 6.0).

`manage.py worker` runs them (docs/background-work.md). Every task here is
idempotent and safe when two workers run it at once: it works from rows that
say what is left to do (email_notice, file_outbox, unread messages) and claims
them with conditional writes, so running it twice, or after a crash, does
nothing twice.

A task is queued in the transaction that makes it necessary
(`common.tasks.enqueue_in`): with the database backend the task's row is
written in that transaction, so a rolled-back change queues nothing and a
committed one cannot lose its task.
"""

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


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
