"""One outbox for file deletions (issue 14): every path that unlinks a stored
file records its key in `file_outbox` in the same transaction as the row
change; the worker's drain deletes the file, then the row, and retries."""

import io
import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet

from casework.models import Case, Document
from casework.tests.factories import ApplicationFactory
from intake import purge
from intake.models import FileOutbox, Message, MessageAttachment, MessageEvent
from intake.outbox import files_unlink, outbox_drain
from intake.services.adoption import attachments_adopt
from intake.services.assignment import case_open_for_application
from intake.services.sending import message_send_from_applicant, message_send_to_case
from intake.services.withdrawal import message_withdraw
from intake.tests.factories import DocumentFactory, MessageAttachmentFactory, MessageFactory, StaffMessageFactory
from intake.tests.helpers import stored_files, upload
from intake.tests.worker import tasks_queued, tasks_run, time_passes

BASE_DIR = Path(django_settings.BASE_DIR)


class Rollback(Exception):
    pass


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    """Each test gets its own file store, so "no file left" means exactly that."""
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


def outbox():
    return sorted(FileOutbox.objects.values_list("storage_key", "reason"))


def refuse_to_delete(error):
    def delete(self, name):
        raise error

    return delete


# Written in the same transaction as the row change --------------------------------------


@pytest.mark.django_db
def test_withdrawal_records_its_files_in_its_own_transaction(cast):
    message = StaffMessageFactory(case=cast.case)
    key = MessageAttachmentFactory(message=message).file_path

    with pytest.raises(Rollback), transaction.atomic():
        message_withdraw(staff_user=cast.caseworker, case=cast.case, message=message)
        assert outbox() == [(key, "withdrawal")]
        raise Rollback

    assert outbox() == []
    assert key in stored_files()
    assert Message.objects.get(pk=message.pk).deleted is False

    message_withdraw(staff_user=cast.caseworker, case=cast.case, message=message)
    assert outbox() == [(key, "withdrawal")]
    assert [task.args_kwargs["args"] for task in tasks_queued("intake.tasks.file_outbox_drain")] == [[[key]]]
    tasks_run()
    assert key not in stored_files()
    assert outbox() == []


@pytest.mark.django_db
def test_a_purge_batch_records_its_files_in_its_own_transaction(cast):
    message = MessageFactory(case=cast.case)
    key = MessageAttachmentFactory(message=message).file_path
    result = purge.Result(run_id="test")
    journal = MessageEvent.objects.create(event_type=MessageEvent.Type.PURGED, detail={})

    with pytest.raises(Rollback), transaction.atomic():
        assert purge._batch_delete([message.pk], False, result, journal, {}) == [key]
        assert outbox() == [(key, "purge")]
        raise Rollback

    assert outbox() == []
    assert Message.objects.filter(pk=message.pk).exists()
    assert key in stored_files()


@pytest.mark.django_db
def test_the_losing_copy_of_an_adoption_race_goes_through_the_outbox(cast, monkeypatch):
    message = MessageFactory(case=cast.case)
    attachment = MessageAttachmentFactory(message=message)
    # Another request's adoption, committed a moment ago, with a repair still to do.
    theirs = DocumentFactory(origin_attachment=attachment, application=None)
    # ...which this request's own lookup did not see yet: it copies, inserts, and loses.
    real_first = QuerySet.first
    missed = []

    def first_missing_theirs_once(self):
        if self.model is Document and not missed:
            missed.append(True)
            return None
        return real_first(self)

    monkeypatch.setattr(QuerySet, "first", first_missing_theirs_once)
    before = stored_files()

    [(_attachment, document)] = attachments_adopt(staff_user=cast.caseworker, case=cast.case, message=message)

    assert missed and document.pk == theirs.pk
    [(lost, reason)] = outbox()
    assert reason == "adoption_race" and lost.startswith(f"documents/case-{cast.case.pk}/")
    assert stored_files() == before | {lost}
    tasks_run()
    assert stored_files() == before
    assert theirs.file_path in stored_files()
    assert outbox() == []


@pytest.mark.django_db
def test_a_failed_send_records_and_deletes_what_it_stored(cast, monkeypatch):
    def broken_notices(message):
        raise RuntimeError("injected failure inside the send's transaction")

    monkeypatch.setattr("intake.services.sending.new_message_notices_queue", broken_notices)

    with pytest.raises(RuntimeError):
        message_send_from_applicant(
            applicant=cast.applicant,
            application=cast.case.application,
            subject="s",
            body="b",
            files=[upload("one.pdf"), upload("two.pdf")],
        )

    assert not Message.objects.exists() and not MessageAttachment.objects.exists()
    assert not Document.objects.exists()
    assert stored_files() == set()  # the attachments and their case-file copies
    assert outbox() == []


@pytest.mark.django_db
def test_a_failed_send_whose_files_cannot_be_deleted_now_leaves_them_to_the_drain(cast, monkeypatch):
    monkeypatch.setattr("intake.services.sending.new_message_notices_queue", lambda message: 1 / 0)

    with monkeypatch.context() as patch:
        patch.setattr(FileSystemStorage, "delete", refuse_to_delete(PermissionError(13, "denied")))
        with pytest.raises(ZeroDivisionError):
            message_send_to_case(staff_user=cast.caseworker, case=cast.case, subject="s", body="b", files=[upload()])

    [key] = stored_files()
    row = FileOutbox.objects.get()
    assert (row.storage_key, row.reason, row.attempts, row.last_error) == (key, "send_failed", 1, "PermissionError")
    assert outbox_drain().deleted == 0  # not due yet: it waits its retry delay

    time_passes(timedelta(minutes=2))
    assert outbox_drain().deleted == 1
    assert stored_files() == set() and outbox() == []


@pytest.mark.django_db
def test_a_send_records_each_upload_before_storing_it_and_its_commit_confirms_them(cast, monkeypatch):
    seen = []
    real_create = MessageAttachment.objects.create

    def create_checking(**fields):
        # Inside the transaction: the file is stored, and was recorded before it was.
        row = FileOutbox.objects.get(storage_key=fields["file_path"])
        seen.append((row.reason, fields["file_path"] in stored_files()))
        return real_create(**fields)

    monkeypatch.setattr(MessageAttachment.objects, "create", create_checking)

    message_send_to_case(staff_user=cast.caseworker, case=cast.case, subject="s", body="b", files=[upload()])

    assert seen == [("upload", True)]
    assert outbox() == []  # the rows own the file now
    assert Message.objects.get().attachments.get().file_path in stored_files()


# The drain ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_drain_is_idempotent_when_the_file_is_already_gone(cast):
    key = default_storage.save("attachments/2026/12/gone", io.BytesIO(b"x"))
    files_unlink([key], reason="withdrawal")
    files_unlink([key], reason="withdrawal")  # recorded twice (two paths, a retry): harmless
    default_storage.delete(key)

    drained = outbox_drain()

    assert drained.counts() == {"deleted": 2, "still_referenced": 0, "failed": 0}
    assert outbox() == []
    assert outbox_drain().counts() == {"deleted": 0, "still_referenced": 0, "failed": 0}


@pytest.mark.django_db
def test_the_drain_never_deletes_a_file_a_row_still_names(cast):
    attachment = MessageAttachmentFactory(message=MessageFactory(case=cast.case))
    files_unlink([attachment.file_path], reason="withdrawal")

    assert outbox_drain().counts() == {"deleted": 0, "still_referenced": 1, "failed": 0}

    assert attachment.file_path in stored_files()
    assert outbox() == []


@pytest.mark.django_db
def test_a_failed_delete_is_retried_later_with_a_growing_delay(cast, monkeypatch):
    key = default_storage.save("attachments/2026/12/stuck", io.BytesIO(b"x"))
    files_unlink([key], reason="purge", drain=False)

    with monkeypatch.context() as patch:
        patch.setattr(FileSystemStorage, "delete", refuse_to_delete(TimeoutError("storage")))
        assert outbox_drain().failed == [key]
        time_passes(timedelta(minutes=1))
        assert outbox_drain().failed == [key]
        row = FileOutbox.objects.get()
        assert (row.attempts, row.last_error) == (2, "TimeoutError")
        time_passes(timedelta(minutes=1))
        assert outbox_drain().failed == []  # the second delay is two minutes

    time_passes(timedelta(minutes=1))
    assert outbox_drain().deleted == 1
    assert key not in stored_files()


@pytest.mark.django_db
def test_the_periodic_work_drains_what_is_due(cast):
    key = default_storage.save("attachments/2026/12/left", io.BytesIO(b"x"))
    files_unlink([key], reason="purge", drain=False)  # as a purge killed after its commit leaves it
    from intake.tasks import periodic_work

    periodic_work.enqueue()
    tasks_run()

    assert key not in stored_files()
    assert outbox() == []


# A process killed between the commit and the file deletion -----------------------------------


def run_and_kill(script, storage):
    """Run `script` in a new Django process on the test database; it ends by
    killing itself (SIGKILL: no handler, no cleanup, as a crash)."""
    db = connection.settings_dict
    url = f"mysql://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    prelude = "import os, signal, django\ndjango.setup()\n"
    result = subprocess.run(
        [sys.executable, "-c", prelude + script],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "iset_messaging.settings_test", "DATABASE_URL": url, "MEDIA_ROOT": str(storage)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == -signal.SIGKILL, result.stdout + result.stderr


def worker_once(storage):
    """`manage.py worker --once`, as cron or the next worker start would run it."""
    db = connection.settings_dict
    url = f"mysql://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    result = subprocess.run(
        [sys.executable, "manage.py", "worker", "--once"],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "iset_messaging.settings_test", "DATABASE_URL": url, "MEDIA_ROOT": str(storage)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.mysql
@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_killed_right_after_its_commit_loses_no_file(cast, storage):
    message = StaffMessageFactory(case=cast.case)
    key = MessageAttachmentFactory(message=message).file_path

    run_and_kill(
        "from casework.models import Case, User\n"
        "from intake.models import Message\n"
        "from intake.services.withdrawal import message_withdraw\n"
        f"message_withdraw(staff_user=User.objects.get(pk={cast.caseworker.pk}), case=Case.objects.get(pk={cast.case.pk}),"
        f" message=Message.objects.get(pk={message.pk}))\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n",
        storage,
    )

    # Committed, and the file not yet deleted: the outbox names it.
    assert Message.objects.get(pk=message.pk).deleted is True
    assert key in stored_files()
    assert outbox() == [(key, "withdrawal")]
    worker_once(storage)
    assert key not in stored_files()
    assert outbox() == []


@pytest.mark.mysql
@pytest.mark.django_db(transaction=True)
def test_a_send_killed_before_its_commit_leaves_its_uploads_to_the_drain(cast, storage):
    run_and_kill(
        "from django.core.files.uploadedfile import SimpleUploadedFile\n"
        "from casework.models import Case, User\n"
        "from intake.models import MessageAttachment\n"
        "from intake.services.sending import message_send_to_case\n"
        "from intake.tests.helpers import PDF\n"
        "MessageAttachment.objects.create = lambda **fields: os.kill(os.getpid(), signal.SIGKILL)\n"
        f"message_send_to_case(staff_user=User.objects.get(pk={cast.caseworker.pk}), case=Case.objects.get(pk={cast.case.pk}),"
        " subject='s', body='b', files=[SimpleUploadedFile('a.pdf', PDF, 'application/pdf')])\n",
        storage,
    )

    assert not Message.objects.exists()  # the transaction died with the process
    [key] = stored_files()
    assert outbox() == [(key, "upload")]
    worker_once(storage)
    assert key in stored_files()  # a send in progress gets an hour to commit

    time_passes(timedelta(hours=1, minutes=1))
    worker_once(storage)
    assert stored_files() == set()
    assert outbox() == []


@pytest.mark.django_db(transaction=True)
def test_a_drain_that_fails_at_the_database_keeps_its_rows(cast, monkeypatch):
    key = default_storage.save("attachments/2026/12/kept", io.BytesIO(b"x"))
    files_unlink([key], reason="purge", drain=False)

    def broken_delete(*args, **kwargs):
        raise IntegrityError("database went away")

    monkeypatch.setattr(QuerySet, "delete", broken_delete)
    with pytest.raises(IntegrityError):
        outbox_drain()
    monkeypatch.undo()

    # The file went, its row stayed: the next drain finds nothing to delete and clears it.
    assert key not in stored_files()
    assert outbox() == [(key, "purge")]
    assert outbox_drain().deleted == 1
    assert outbox() == []


@pytest.mark.mysql
@pytest.mark.django_db(transaction=True)
def test_an_applicant_send_killed_after_its_case_file_copy_leaves_both_files_to_the_drain(cast, storage):
    # Killed once the attachment is copied into the case file, before the commit:
    # both the upload and its copy were recorded before the transaction opened.
    run_and_kill(
        "from django.core.files.uploadedfile import SimpleUploadedFile\n"
        "from casework.models import Application, User\n"
        "from intake.services import sending\n"
        "from intake.tests.helpers import PDF\n"
        "sending.drafts_sent = lambda **kwargs: os.kill(os.getpid(), signal.SIGKILL)\n"
        f"sending.message_send_from_applicant(applicant=User.objects.get(pk={cast.applicant.pk}),"
        f" application=Application.objects.get(pk={cast.case.application_id}),"
        " subject='s', body='b', files=[SimpleUploadedFile('a.pdf', PDF, 'application/pdf')])\n",
        storage,
    )

    assert not Message.objects.exists()
    files = stored_files()
    assert len(files) == 2 and any(key.startswith("documents/") for key in files)  # the upload and its copy
    assert sorted(outbox()) == sorted((key, "upload") for key in files)
    time_passes(timedelta(hours=1, minutes=1))
    worker_once(storage)
    assert stored_files() == set()
    assert outbox() == []


@pytest.mark.django_db
def test_opening_a_message_records_its_case_file_copies_before_its_transaction(cast, monkeypatch):
    """A caseworker opening an applicant's older message (written before its
    files were adopted) copies them into the case file: the copies' keys are
    in the outbox before the copy is stored, and the commit confirms them."""
    message = MessageFactory(case=cast.case)
    MessageAttachmentFactory(message=message)
    recorded_when_stored = []
    real_save = FileSystemStorage.save

    def save(self, name, content, **kwargs):
        recorded_when_stored.append(outbox())
        return real_save(self, name, content, **kwargs)

    monkeypatch.setattr(FileSystemStorage, "save", save)

    [(_attachment, document)] = attachments_adopt(staff_user=cast.caseworker, case=cast.case, message=message)

    assert recorded_when_stored == [[(document.file_path, "upload")]]
    assert outbox() == []


@pytest.mark.django_db
def test_an_adoption_that_fails_deletes_its_copy_and_its_record(cast, monkeypatch):
    message = MessageFactory(case=cast.case)
    MessageAttachmentFactory(message=message)
    before = stored_files()

    def broken_event(**kwargs):
        raise Rollback()

    monkeypatch.setattr("intake.services.adoption.event_record", broken_event)
    with pytest.raises(Rollback):
        attachments_adopt(staff_user=cast.caseworker, case=cast.case, message=message)

    assert not Document.objects.exists()
    assert stored_files() == before
    assert outbox() == []


def the_copy_is_left_to_the_drain(storage, original, *, prefix):
    """Beside the applicant's `original` file, one case-file copy under
    `prefix`, recorded as an upload: the worker deletes it once the grace has
    passed, and nothing else."""
    [copy] = stored_files() - {original}
    assert copy.startswith(prefix)
    assert outbox() == [(copy, "upload")]
    time_passes(timedelta(hours=1, minutes=1))
    worker_once(storage)
    assert stored_files() == {original}
    assert outbox() == []


@pytest.mark.mysql
@pytest.mark.django_db(transaction=True)
def test_opening_a_message_killed_after_its_copy_leaves_the_copy_to_the_drain(cast, storage):
    message = MessageFactory(case=cast.case)
    original = MessageAttachmentFactory(message=message).file_path
    run_and_kill(
        "from casework.models import Case, User\n"
        "from intake.models import Message\n"
        "from intake.services import adoption\n"
        "adoption.event_record = lambda **kwargs: os.kill(os.getpid(), signal.SIGKILL)\n"
        f"adoption.attachments_adopt(staff_user=User.objects.get(pk={cast.caseworker.pk}),"
        f" case=Case.objects.get(pk={cast.case.pk}), message=Message.objects.get(pk={message.pk}))\n",
        storage,
    )

    assert not Document.objects.exists()
    the_copy_is_left_to_the_drain(storage, original, prefix=f"documents/case-{cast.case.pk}/")


@pytest.mark.mysql
@pytest.mark.django_db(transaction=True)
def test_opening_a_case_killed_after_its_copy_leaves_the_copy_to_the_drain(cast, storage):
    """A supervisor opens a case for an application whose applicant wrote
    with a file before there was one; the process dies once the file is
    copied into the new case file, before the commit."""
    application = ApplicationFactory()
    message_send_from_applicant(
        applicant=application.submission.user, application=application, subject="s", body="b", files=[upload("a.pdf")]
    )
    [original] = stored_files()
    run_and_kill(
        "from casework.models import Application, User\n"
        "from intake.services import adoption, assignment\n"
        "adoption.event_record = lambda **kwargs: os.kill(os.getpid(), signal.SIGKILL)\n"
        f"assignment.case_open_for_application(actor=User.objects.get(pk={cast.supervisor.pk}),"
        f" application=Application.objects.get(pk={application.pk}))\n",
        storage,
    )

    assert not Case.objects.filter(application=application).exists()
    the_copy_is_left_to_the_drain(storage, original, prefix=f"documents/application-{application.pk}/")


@pytest.mark.django_db
def test_opening_a_case_confirms_the_copies_it_recorded(cast):
    application = ApplicationFactory()
    message_send_from_applicant(
        applicant=application.submission.user, application=application, subject="s", body="b",
        files=[upload("a.pdf"), upload("b.pdf")],
    )

    case = case_open_for_application(actor=cast.supervisor, application=application)

    copies = set(Document.objects.filter(case=case).values_list("file_path", flat=True))
    assert len(copies) == 2 and copies <= stored_files()
    assert outbox() == []
