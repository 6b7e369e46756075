"""Running the queued background tasks inside a test, as `manage.py worker`
does (django-tasks-db's worker, one task at a time), without the worker's
loop: it closes the database connection between polls, which would end the
test's transaction."""

from datetime import timedelta

from django.db import transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult, get_date_max

from intake.models import EmailNotice, FileOutbox


def tasks_run() -> int:
    """Run every task that is ready (and those they queue, when ready); returns
    how many ran. A task that fails fails the test, with its traceback."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while True:
        with transaction.atomic():
            result = DBTaskResult.objects.ready().select_for_update(skip_locked=True).first()
            if result is None:
                return ran
            result.claim(worker.worker_id)
        worker.run_task(result)
        result.refresh_from_db()
        assert result.status == TaskResultStatus.SUCCESSFUL, f"{result.task_path} failed:\n{result.traceback}"
        ran += 1


def tasks_queued(task_path: str | None = None) -> list[DBTaskResult]:
    """The tasks waiting to run (now or later), oldest first."""
    queued = DBTaskResult.objects.filter(status=TaskResultStatus.READY).order_by("enqueued_at")
    return list(queued.filter(task_path=task_path) if task_path else queued)


def time_passes(delta: timedelta) -> None:
    """What waits until later (a retry, an upload's grace) comes `delta` sooner:
    the tasks' run_after and the rows' next_attempt_at move back by `delta`."""
    for model, field in ((DBTaskResult, "run_after"), (EmailNotice, "next_attempt_at"), (FileOutbox, "next_attempt_at")):
        rows = model.objects.all()
        if model is DBTaskResult:
            # A task queued without run_after has the latest date there is (get_date_max): not moved.
            rows = rows.filter(status=TaskResultStatus.READY, run_after__lt=get_date_max() - timedelta(days=366))
        for pk, moment in rows.values_list("pk", field):
            model.objects.filter(pk=pk).update(**{field: moment - delta})
