"""Queueing background tasks (Django Tasks API, DEP 14: the django-tasks
backport on Django 5.2, `django.tasks` from Django 6.0), shared by every app:
intake's tasks live in intake/tasks.py, casework's in casework/tasks.py.

A task is queued in the transaction that makes it necessary (`enqueue_in`):
with the database backend the task's row is written in that transaction, so a
rolled-back change queues nothing and a committed one cannot lose its task.
"""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django_tasks_db import DatabaseBackend

# E-mail that failed is tried again after NOTICE_RETRY_SECONDS, then twice as
# long each time, at most this far apart.
RETRY_DELAY_MAX = timedelta(hours=1)


def enqueue_in(task_to_run: Any, *args: Any, run_after: datetime | None = None) -> None:
    """Queue `task_to_run(*args)` as part of the caller's transaction.

    The database backend writes the task's row on the same connection, inside
    the transaction. Another backend (Redis) cannot take part in it, so the
    task is sent when the transaction commits (at once outside a transaction);
    should the process die in between, or Redis be down then, what the caller
    recorded in its rows is still there for a sweep to queue again (intake's
    `periodic_work`). `robust`: a Redis failure is logged, never turned into an
    error for a change already committed.
    """
    if run_after is not None:
        task_to_run = task_to_run.using(run_after=run_after)
    if isinstance(task_to_run.get_backend(), DatabaseBackend):
        task_to_run.enqueue(*args)
    else:
        transaction.on_commit(lambda: task_to_run.enqueue(*args), robust=True)


def retry_delay(attempts: int) -> timedelta:
    """How long after its `attempts`-th failure an e-mail is tried again."""
    seconds = settings.NOTICE_RETRY_SECONDS * 2 ** min(attempts - 1, 20)
    return min(timedelta(seconds=seconds), RETRY_DELAY_MAX)
