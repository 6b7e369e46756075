"""`python manage.py worker`: run the background tasks (docs/background-work.md).

Runs what the services queued (notification e-mail, password reset e-mail,
file deletions) from the task backend TASKS_BACKEND names (database rows, or
RQ queues in Redis), and every --every seconds queues `periodic_work` (files
left to delete, notices whose task was lost, unread reminders). Ctrl+C or
SIGTERM stops it after the task it is running.

With --once it runs every task that is ready (and the periodic work first),
then exits: for cron instead of a resident worker, and for tests.
"""

import logging
import time
from argparse import ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.crypto import get_random_string
from django_tasks import task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

from intake.tasks import periodic_work

logger = logging.getLogger(__name__)


def seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1
    if not 0 <= number < 86_400:
        raise ArgumentTypeError(f"{value!r} is not a number of seconds (0 to 86399)")
    return number


class Periodic:
    """Queues `periodic_work` every `every` seconds (never when 0)."""

    def __init__(self, every: float):
        self.every = every
        self.next_at = time.monotonic()

    def enqueue_if_due(self) -> None:
        if self.every and time.monotonic() >= self.next_at:
            periodic_work.enqueue()
            self.next_at = time.monotonic() + self.every


class DatabaseWorker(Worker):
    """django-tasks-db's worker, which also queues the periodic work between
    tasks, so a busy queue does not hold it back."""

    def __init__(self, *, periodic: Periodic, **options: Any):
        super().__init__(**options)
        self.periodic = periodic

    def run_task(self, db_task_result: Any) -> None:
        super().run_task(db_task_result)
        self.periodic.enqueue_if_due()


class Command(BaseCommand):
    help = "Run the background tasks: notification e-mail, file deletions, unread reminders. See docs/background-work.md."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=seconds,
            default=300,
            metavar="SECONDS",
            help="Queue the periodic work (files left to delete, lost notices, unread reminders) this often; "
            "0: never (default 300).",
        )
        parser.add_argument(
            "--interval",
            type=seconds,
            default=1,
            metavar="SECONDS",
            help="Wait this long when no task is ready (default 1).",
        )
        parser.add_argument("--once", action="store_true", help="Run every task ready now, then exit.")

    def handle(self, *, every, interval, once, verbosity, **options):
        if verbosity > 0:
            # A line per task run; the database worker's own start/stop lines
            # (one per poll here) only at -v 2.
            logging.getLogger("django_tasks").setLevel(logging.INFO)
            logging.getLogger("django_tasks_db").setLevel(logging.INFO if verbosity > 1 else logging.WARNING)
        periodic = Periodic(every)
        backend = task_backends["default"]
        if isinstance(backend, DatabaseBackend):
            self._run_database(backend, periodic, interval=interval, once=once)
        else:
            self._run_rq(periodic, interval=interval, once=once)

    def _run_database(self, backend, periodic, *, interval, once):
        worker = DatabaseWorker(
            periodic=periodic,
            queue_names=sorted(backend.queues) or ["default"],
            interval=interval,
            batch=True,
            backend_name=backend.alias,
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        if not once:
            # Ctrl+C / SIGTERM: finish the running task, then stop (while idle: stop at once).
            worker.configure_signals()
        self.stdout.write(f"Worker {worker.worker_id} running the database task queue.")
        while worker.running:
            periodic.enqueue_if_due()
            worker.run()  # every task that is ready, then back here
            if once:
                return
            time.sleep(interval)

    def _run_rq(self, periodic, *, interval, once):
        import django_rq
        from django_tasks_rq import Job

        # In this process, like the database worker: one connection per worker, no fork per job.
        worker = django_rq.get_worker("default", job_class=Job, worker_class="rq.worker.SimpleWorker")
        self.stdout.write(f"Worker {worker.name} running the Redis task queue.")
        while True:
            close_old_connections()
            periodic.enqueue_if_due()
            # Every job that is ready, and the retries whose time has come (the scheduler).
            worker.work(burst=True, with_scheduler=True)
            if once or getattr(worker, "_stop_requested", False):
                return
            time.sleep(interval)
