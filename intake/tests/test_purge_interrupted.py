"""A killed purge: its audit event shows it interrupted, and the next run
records that it finished the killed run's work (issue 17).

A kill leaves what `Killed` (a BaseException, which purge_run does not catch)
leaves here: the event still "running", the committed batches' files in the
outbox. Its process is then gone: the event names a pid that has exited. On
MariaDB one test kills a real purge process with SIGKILL mid-run."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from casework.tests.factories import CaseFactory
from intake import purge
from intake.models import FileOutbox, Message, MessageEvent
from intake.tests.helpers import stored_files
from intake.tests.test_purge_command import BASE_DIR, purge_cmd, referenced_keys, snapshot, storage, thread

pytestmark = pytest.mark.django_db(transaction=True)

__all__ = ["storage"]  # the autouse fixture: each test gets its own file store


class Killed(BaseException):
    """What SIGKILL does to a run, as far as the database can tell: nothing more is written."""


def dead_pid():
    """The pid of a process that has exited."""
    process = subprocess.Popen([sys.executable, "-c", ""])
    process.wait()
    return process.pid


def purge_events():
    return list(MessageEvent.objects.filter(event_type=MessageEvent.Type.PURGED).order_by("pk"))


def killed_run(monkeypatch, *args):
    """A purge killed after its first batch committed, before that batch's files were deleted."""
    real = purge._files_delete

    def killed(keys, result):
        raise Killed()

    monkeypatch.setattr(purge, "_files_delete", killed)
    with pytest.raises(Killed):
        purge_cmd(*args)
    monkeypatch.setattr(purge, "_files_delete", real)
    (event,) = purge_events()
    assert event.detail["status"] == "running"
    event.detail["pid"] = dead_pid()
    MessageEvent.objects.filter(pk=event.pk).update(detail=event.detail)
    return event


def test_next_run_marks_the_killed_run_interrupted_and_records_finishing_it(monkeypatch):
    target, control = CaseFactory(), CaseFactory()
    thread(target, applicant_messages=3)
    thread(control, applicant_messages=1)
    before = snapshot(control)
    plan = purge.purge_plan(purge.Scope(case_ids=(target.pk,)), include_documents=True)
    args = ("--case", str(target.pk), "--yes", "--include-documents", "--batch-size", "2")
    killed = killed_run(monkeypatch, *args)
    left_in_outbox = FileOutbox.objects.filter(reason=FileOutbox.Reason.PURGE).count()
    assert left_in_outbox > 0

    out, _ = purge_cmd(*args)

    first, second = purge_events()
    assert first.pk == killed.pk
    assert first.detail["status"] == "interrupted"
    assert first.detail["noticed_by"] == second.pk
    assert first.detail["finished_by"] == second.pk
    assert second.detail["status"] == "done"
    assert second.detail["runs_interrupted"] == [first.pk]
    assert second.detail["finished_runs"] == [first.pk]
    assert second.detail["counts"]["files_recovered"] == left_in_outbox
    assert first.detail["counts"]["messages"] + second.detail["counts"]["messages"] == plan.messages
    assert first.detail["counts"]["attachments"] + second.detail["counts"]["attachments"] == plan.attachments
    assert f"marked interrupted: events {first.pk}." in out
    assert f"Earlier runs this one finished: events {first.pk}." in out
    assert not Message.objects.filter(case=target).exists()
    assert not FileOutbox.objects.exists()
    assert snapshot(control) == before
    assert stored_files() == set(before["files"]) == referenced_keys()


def test_killed_run_of_another_scope_is_marked_interrupted_but_not_finished(monkeypatch):
    target, other = CaseFactory(), CaseFactory()
    thread(target, applicant_messages=3)
    thread(other, applicant_messages=1)
    killed = killed_run(monkeypatch, "--case", str(target.pk), "--yes", "--batch-size", "2")

    purge_cmd("--case", str(other.pk), "--yes")

    first, second = purge_events()
    assert first.pk == killed.pk
    assert first.detail["status"] == "interrupted"
    assert "finished_by" not in first.detail
    assert second.detail["runs_interrupted"] == [first.pk]
    assert "finished_runs" not in second.detail
    assert Message.objects.filter(case=target).count() == 2  # the killed run's rest is still to do

    purge_cmd("--case", str(target.pk), "--yes")

    first, _, third = purge_events()
    assert first.detail["status"] == "interrupted"
    assert first.detail["finished_by"] == third.pk
    assert third.detail["finished_runs"] == [first.pk]
    assert "runs_interrupted" not in third.detail


def test_run_with_a_stale_heartbeat_on_another_host_is_marked_interrupted():
    case = CaseFactory()
    thread(case, applicant_messages=1)
    stale = (timezone.now() - purge.ABANDONED_AFTER - timedelta(minutes=1)).isoformat()
    elsewhere = MessageEvent.objects.create(
        event_type=MessageEvent.Type.PURGED,
        detail={"status": "running", "host": "another-host", "pid": 1, "heartbeat_at": stale, "scope": {"all": True}},
    )

    purge_cmd("--case", str(case.pk), "--yes")

    elsewhere.refresh_from_db()
    assert elsewhere.detail["status"] == "interrupted"


def test_a_run_whose_process_lives_is_judged_by_the_lock_on_mariadb_and_by_its_process_on_sqlite():
    """The same "running" event, its process this very one: on MariaDB the
    next run holds the purge lock, which proves every other running run dead
    (a live run would hold it); SQLite has no such lock, so a process that
    still exists leaves its run running."""
    case = CaseFactory()
    thread(case, applicant_messages=1)
    event = MessageEvent.objects.create(
        event_type=MessageEvent.Type.PURGED,
        detail={
            "status": "running",
            "host": purge.socket.gethostname(),
            "pid": os.getpid(),
            "heartbeat_at": timezone.now().isoformat(),
            "scope": {"case_ids": [case.pk]},
        },
    )

    purge_cmd("--case", str(case.pk), "--yes")

    event.refresh_from_db()
    if connection.vendor == "mysql":
        assert event.detail["status"] == "interrupted"
        # Its scope, the case this run purged, is done: this run finished it.
        assert event.detail["finished_by"] == purge_events()[-1].pk
    else:
        assert event.detail["status"] == "running"


KILLABLE_PURGE = """
import sys, time, django
django.setup()
from django.core.management import call_command
from intake import purge
real = purge._files_delete
def stall(keys, result):
    real(keys, result)
    time.sleep(600)  # killed here, after the first batch: SIGKILL, no cleanup
purge._files_delete = stall
call_command("purge", "--case", sys.argv[1], "--yes", "--include-documents", "--batch-size", "2")
"""


def database_url():
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return f"mysql://{settings['USER']}{password}@{settings['HOST']}:{settings['PORT'] or 3306}/{settings['NAME']}"


def wait_for(predicate, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.mysql
def test_purge_killed_with_sigkill_mid_run_is_finished_by_the_next(storage):
    target, control = CaseFactory(), CaseFactory()
    thread(target, applicant_messages=3)
    thread(control, applicant_messages=1)
    before = snapshot(control)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "iset_messaging.settings_test",
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(storage),
    }
    process = subprocess.Popen(
        [sys.executable, "-c", KILLABLE_PURGE, str(target.pk)], cwd=BASE_DIR, env=env, stderr=subprocess.PIPE
    )
    try:
        assert wait_for(lambda: Message.objects.filter(case=target).count() == 2), "the first batch never committed"
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    (killed,) = purge_events()
    assert killed.detail["status"] == "running"

    def lock_free():
        with connection.cursor() as cursor:
            cursor.execute("SELECT IS_FREE_LOCK(%s)", [purge.lock_name()])
            return cursor.fetchone()[0] == 1

    assert wait_for(lock_free), "the killed run's lock outlived its connection"

    purge_cmd("--case", str(target.pk), "--yes", "--include-documents")

    first, second = purge_events()
    assert first.detail["status"] == "interrupted"
    assert first.detail["finished_by"] == second.pk
    assert second.detail["runs_interrupted"] == second.detail["finished_runs"] == [first.pk]
    assert first.detail["counts"]["messages"] + second.detail["counts"]["messages"] == 4
    assert not Message.objects.filter(case=target).exists()
    assert not FileOutbox.objects.exists()
    assert snapshot(control) == before
    assert stored_files() == set(before["files"]) == referenced_keys()
