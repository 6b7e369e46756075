"""`manage.py worker`: runs what the services queued and, every --every
seconds, the periodic work (files left to delete, lost notices, unread
reminders); --once for cron; Ctrl+C / SIGTERM stop it."""

import io
import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from intake.models import EmailNotice, FileOutbox
from intake.outbox import files_unlink
from intake.services.sending import message_send_to_case
from intake.tests.factories import StaffMessageFactory

BASE_DIR = Path(django_settings.BASE_DIR)


def worker(*args):
    out = io.StringIO()
    call_command("worker", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_once_runs_the_queued_tasks_and_the_periodic_work(cast):
    message_send_to_case(staff_user=cast.caseworker, case=cast.case, subject="s", body="b")
    StaffMessageFactory(case=cast.case, created_at=timezone.now() - timedelta(days=8))
    left = default_storage.save("attachments/2026/12/left-by-a-crash", io.BytesIO(b"x"))
    files_unlink([left], reason="purge", drain=False)

    worker("--once")

    # The new message's notice, and the periodic work: the reminder it queued (run in
    # the same pass) and the file a crashed purge left.
    assert sorted(EmailNotice.objects.values_list("kind", "status")) == [
        ("new_message", "sent"),
        ("unread_reminder", "sent"),
    ]
    assert len(mail.outbox) == 2
    assert not default_storage.exists(left)
    assert not FileOutbox.objects.exists()
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


@pytest.mark.django_db(transaction=True)
def test_every_0_leaves_the_periodic_work_to_cron(cast):
    StaffMessageFactory(case=cast.case, created_at=timezone.now() - timedelta(days=8))

    worker("--once", "--every", "0")

    assert not EmailNotice.objects.exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.parametrize("value", ["-1", "soon", "86400"])
def test_a_bad_interval_is_a_usage_error(value):
    with pytest.raises(CommandError, match=f"'{value}' is not a number of seconds"):
        call_command("worker", "--every", value)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_stops_a_resident_worker(tmp_path, stop):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "iset_messaging.settings_test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=BASE_DIR, env=env, capture_output=True, timeout=300
    )
    assert migrate.returncode == 0, migrate.stderr
    process = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--interval", "0.2"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert "running the database task queue" in process.stdout.readline()
        process.send_signal(stop)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
