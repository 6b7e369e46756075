"""`manage.py purge`: scope, order, files after commit, dry run, confirmation,
interruption, audit. The command commits as it goes, so these tests are
transactional; root conftest.py clears the shared tables after each."""

import datetime
import getpass
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework.models import Document
from casework.tests.factories import CaseFactory
from intake import purge
from intake.models import FileOutbox, Message, MessageAttachment, MessageEvent
from intake.selectors import in_case_thread
from intake.services.adoption import attachments_adopt
from intake.services.sending import message_send_from_applicant, message_send_to_case
from intake.tests.factories import MessageAttachmentFactory, MessageFactory
from intake.tests.helpers import stored_files, upload

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(django_settings.BASE_DIR)


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    """Each test gets its own file store, so "no orphan files" means exactly that."""
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


def thread(case, *, applicant_messages=2, adopt=True):
    """A realistic thread: a staff message, applicant answers with files,
    adopted into the case file as they arrive (the send service does it). With
    adopt=False the answers are written as rows, as another program sharing
    the schema would, and no document is made of their files."""
    staff = case.assigned_staff_profile.user
    applicant = case.application.submission.user
    first = message_send_to_case(staff_user=staff, case=case, subject="Documents needed", body="Please send.")
    for n in range(applicant_messages):
        files = [(f"stub-{n}.txt", f"pay stub {case.pk}-{n}\n".encode()), (f"id-{n}.txt", f"id {case.pk}-{n}\n".encode())]
        if adopt:
            message_send_from_applicant(
                applicant=applicant,
                subject=f"Re: documents {n}",
                body="Here they are.",
                reply_to=first,
                files=[upload(name, content, "text/plain") for name, content in files],
            )
        else:
            sent = MessageFactory(case=case, reply_to=first, subject=f"Re: documents {n}", body="Here they are.")
            for name, content in files:
                MessageAttachmentFactory(
                    message=sent, original_filename=name, content=content, content_type="text/plain"
                )
    return first


def snapshot(case):
    """Every row of the case's thread (with the messages written before the case
    existed), its attachments and documents, and the bytes of their files."""
    thread = Message.objects.filter(in_case_thread(case))
    messages = list(thread.order_by("pk").values())
    attachments = list(MessageAttachment.objects.filter(message__in=thread).order_by("pk").values())
    documents = list(Document.objects.filter(case=case).order_by("pk").values())
    keys = [row["file_path"] for row in attachments + documents]
    files = {}
    for key in keys:
        with default_storage.open(key, "rb") as handle:
            files[key] = handle.read()
    return {"messages": messages, "attachments": attachments, "documents": documents, "files": files}


def referenced_keys():
    return set(MessageAttachment.objects.values_list("file_path", flat=True)) | set(
        Document.objects.values_list("file_path", flat=True)
    )


def purge_cmd(*args, stdin=None):
    out, err = io.StringIO(), io.StringIO()
    call_command("purge", *args, stdout=out, stderr=err, stdin=stdin)
    return out.getvalue(), err.getvalue()


def manage(*args, stdin=subprocess.DEVNULL):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "iset_messaging.settings_test"}
    return subprocess.run(
        [sys.executable, "manage.py", "purge", *args],
        cwd=BASE_DIR,
        env=env,
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


# Order enforced by the database ------------------------------------------------


@pytest.mark.mysql
def test_database_refuses_to_delete_a_message_that_still_has_attachments():
    case = CaseFactory()
    thread(case, applicant_messages=1, adopt=False)
    with_files = MessageAttachment.objects.values_list("message_id", flat=True).first()

    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.filter(pk=with_files).delete()

    purge_cmd("--case", str(case.pk), "--yes")
    assert not Message.objects.filter(case=case).exists()
    assert not MessageAttachment.objects.exists()


@pytest.mark.mysql
def test_database_sets_kept_document_links_to_null_as_the_command_does():
    case = CaseFactory()
    thread(case, applicant_messages=1)

    purge_cmd("--case", str(case.pk), "--yes")

    assert Document.objects.count() == 2
    assert set(Document.objects.values_list("origin_message_id", "origin_attachment_id")) == {(None, None)}


# Each scope removes exactly its rows and files ----------------------------------


def test_case_scope_leaves_the_control_case_byte_for_byte_intact():
    target, control = CaseFactory(), CaseFactory()
    thread(target)
    thread(control)
    before = snapshot(control)
    target_keys = set(MessageAttachment.objects.filter(message__case=target).values_list("file_path", flat=True))

    purge_cmd("--case", str(target.pk), "--yes", "--include-documents")

    assert not Message.objects.filter(case=target).exists()
    assert not MessageAttachment.objects.filter(case=target).exists()
    assert not Document.objects.filter(case=target).exists()
    assert snapshot(control) == before
    assert stored_files() == set(before["files"])
    assert not target_keys & stored_files()


def interleaved_threads(cases, rounds):
    """Threads written turn by turn, so each case's message ids are spread among the others'."""
    firsts = {
        case.pk: message_send_to_case(
            staff_user=case.assigned_staff_profile.user, case=case, subject="Documents needed", body="Please."
        )
        for case in cases
    }
    for n in range(rounds):
        for case in cases:
            sent = message_send_from_applicant(
                applicant=case.application.submission.user,
                subject=f"Re: documents {n}",
                body="Here.",
                reply_to=firsts[case.pk],
                files=[upload(f"stub-{n}.txt", f"pay stub {case.pk}-{n}\n".encode(), "text/plain")],
            )
            attachments_adopt(staff_user=case.assigned_staff_profile.user, case=case, message=sent)


@pytest.mark.parametrize("neighbours", [1, 2], ids=["ids-alternate", "ids-one-in-three"])
def test_case_scope_with_interleaved_ids_leaves_the_neighbours_intact(neighbours):
    # One neighbour: the target's ids alternate with it, read as one range and filtered.
    # Two: the target holds one id in three, looked up in short IN lists.
    target, *others = [CaseFactory() for _ in range(1 + neighbours)]
    interleaved_threads([target, *others], rounds=4)
    before = {case.pk: snapshot(case) for case in others}

    purge_cmd("--case", str(target.pk), "--yes", "--include-documents", "--batch-size", "3")

    assert not Message.objects.filter(case=target).exists()
    assert not Document.objects.filter(case=target).exists()
    assert {case.pk: snapshot(case) for case in others} == before
    assert stored_files() == referenced_keys()


def test_batch_lookups_find_exactly_the_rows_pointing_into_the_batch():
    case = CaseFactory()
    staff, applicant = case.assigned_staff_profile.user, case.application.submission.user
    count = 5 * purge.IN_LIST_LIMIT
    Message.objects.bulk_create(
        Message(
            sender=applicant,
            recipient=staff,
            case=case,
            application=case.application,
            direction=Message.Direction.APPLICANT_TO_STAFF,
            subject=f"message {n}",
            body="text",
        )
        for n in range(count)
    )
    ids = list(Message.objects.order_by("pk").values_list("pk", flat=True))
    assert ids == list(range(ids[0], ids[0] + count))  # one insert: consecutive ids
    Message.objects.filter(pk__gt=ids[0]).update(reply_to_id=F("pk") - 1)  # each answers the one before

    def lookup(batch):
        with CaptureQueriesContext(connection) as queries:
            found = purge._pointing_at(Message.objects, "reply_to_id", batch, ("pk",))
        expected = {pk for pk, to in Message.objects.values_list("pk", "reply_to_id") if to in set(batch)}
        assert sorted(row.pk for row in found) == sorted(expected)
        return len(queries)

    dense = ids[10 : 10 + purge.IN_LIST_LIMIT + 50]
    sparse = ids[::3][: purge.IN_LIST_LIMIT + 50]
    assert lookup(dense) == 1  # one range
    assert lookup(sparse) == 2  # two IN lists, each within the limit
    assert lookup([]) == 0


def test_repeated_case_option_purges_each_case():
    first, second, control = CaseFactory(), CaseFactory(), CaseFactory()
    for case in (first, second, control):
        thread(case, applicant_messages=1)
    before = snapshot(control)

    purge_cmd("--case", str(first.pk), "--case", str(second.pk), "--yes")

    assert set(Message.objects.values_list("case_id", flat=True)) == {control.pk}
    assert snapshot(control) == before


def test_case_scope_includes_messages_bound_only_to_its_application():
    target, control = CaseFactory(), CaseFactory()
    thread(target, applicant_messages=1, adopt=False)
    Message.objects.filter(case=target).update(case=None)
    target_keys = set(MessageAttachment.objects.values_list("file_path", flat=True))
    thread(control)
    # The control has a message from before its case existed too: the target's
    # scope takes the messages bound only to *its* application, no others.
    MessageAttachmentFactory(message=MessageFactory(case=None, application=control.application))
    before = snapshot(control)
    assert len(before["messages"]) == 4

    purge_cmd("--case", str(target.pk), "--yes")

    assert not Message.objects.filter(application=target.application).exists()
    assert snapshot(control) == before
    assert set(Message.objects.values_list("pk", flat=True)) == {row["id"] for row in before["messages"]}
    assert set(MessageAttachment.objects.values_list("pk", flat=True)) == {row["id"] for row in before["attachments"]}
    assert stored_files() == set(before["files"])
    assert not target_keys & stored_files()


def test_application_scope_leaves_the_control_case_byte_for_byte_intact():
    target, control = CaseFactory(), CaseFactory()
    thread(target)
    thread(control)
    before = snapshot(control)

    purge_cmd("--application", str(target.application_id), "--yes", "--include-documents")

    assert not Message.objects.filter(application=target.application).exists()
    assert snapshot(control) == before
    assert stored_files() == set(before["files"])


def test_before_scope_removes_older_messages_and_unlinks_replies_to_them():
    case = CaseFactory()
    old = thread(case, applicant_messages=1, adopt=False)
    Message.objects.filter(case=case).update(created_at=timezone.now() - datetime.timedelta(days=400))
    applicant = case.application.submission.user
    recent = message_send_from_applicant(
        applicant=applicant,
        subject="Re: again",
        body="Any news?",
        reply_to=old,
        files=[upload("late.txt", b"scanned pay stub, page 1\n", "text/plain")],
    )
    control = CaseFactory()
    thread(control, applicant_messages=1)
    recent_row = Message.objects.filter(pk=recent.pk).values().get()
    before = snapshot(control)
    cutoff = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()

    purge_cmd("--before", cutoff, "--yes")

    assert list(Message.objects.filter(case=case).values_list("pk", flat=True)) == [recent.pk]
    assert Message.objects.filter(pk=recent.pk).values().get() == {**recent_row, "reply_to_id": None}
    assert snapshot(control) == before
    assert stored_files() == referenced_keys()


def test_all_scope_removes_every_message_attachment_and_file():
    for _ in range(2):
        thread(CaseFactory(), adopt=False)

    purge_cmd("--all", "--yes")

    assert not Message.objects.exists()
    assert not MessageAttachment.objects.exists()
    assert stored_files() == set()


# Adopted documents --------------------------------------------------------------


def test_without_include_documents_adopted_documents_stay_downloadable(client):
    case = CaseFactory()
    thread(case, applicant_messages=1)
    documents = list(Document.objects.filter(case=case).order_by("pk"))
    contents = {doc.pk: default_storage.open(doc.file_path, "rb").read() for doc in documents}

    purge_cmd("--case", str(case.pk), "--yes")

    assert not Message.objects.exists()
    kept = list(
        Document.objects.filter(case=case).order_by("pk").values("pk", "origin_message_id", "origin_attachment_id")
    )
    assert kept == [{"pk": doc.pk, "origin_message_id": None, "origin_attachment_id": None} for doc in documents]
    assert stored_files() == {doc.file_path for doc in documents}
    client.force_login(case.assigned_staff_profile.user)
    for doc in documents:
        response = client.get(f"/dashboard/cases/{case.pk}/documents/{doc.pk}/")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == contents[doc.pk]


def test_include_documents_removes_adopted_documents_and_their_files_first():
    case = CaseFactory()
    thread(case, applicant_messages=1)
    manual = Document.objects.create(
        case=case,
        application=case.application,
        source=Document.Source.MANUAL_UPLOAD,
        file_name="letter.txt",
        file_path=default_storage.save("documents/manual/letter.txt", io.BytesIO(b"a letter")),
        mime_type="text/plain",
        size_bytes=8,
    )

    out, _ = purge_cmd("--case", str(case.pk), "--yes", "--include-documents")

    assert list(Document.objects.values_list("pk", flat=True)) == [manual.pk]
    assert stored_files() == {manual.file_path}
    assert "2 documents deleted" in out


# Dry run and confirmation -----------------------------------------------------


def test_dry_run_prints_the_plan_and_changes_nothing():
    case = CaseFactory()
    thread(case)
    before = snapshot(case)
    events = list(MessageEvent.objects.order_by("pk").values())
    size = sum(row["size_bytes"] for row in before["attachments"] + before["documents"])

    out, _ = purge_cmd("--case", str(case.pk), "--dry-run", "--include-documents", "--json")

    summary = json.loads(out)
    assert summary["plan"] == {
        "messages": 3,
        "attachments": 4,
        "documents_deleted": 4,
        "documents_unlinked": 0,
        "files": 8,
        "file_bytes": size,
        "pending_files": 0,
    }
    assert snapshot(case) == before
    assert list(MessageEvent.objects.order_by("pk").values()) == events
    assert stored_files() == set(before["files"])


def test_dry_run_text_summary_counts_per_table():
    case = CaseFactory()
    thread(case, applicant_messages=1)

    out, _ = purge_cmd("--case", str(case.pk), "--dry-run")

    assert "messages:            2" in out
    assert "message_attachment:  2" in out
    assert "documents unlinked:  2" in out
    assert Message.objects.count() == 2


def test_refuses_without_a_terminal_and_without_yes():
    case = CaseFactory()
    thread(case, applicant_messages=1)

    with pytest.raises(CommandError) as refused:
        purge_cmd("--case", str(case.pk), stdin=io.StringIO("yes\n"))

    assert refused.value.returncode == 2
    assert "no terminal" in str(refused.value)
    assert Message.objects.count() == 2


def test_refusal_without_a_terminal_exits_2_from_the_shell():
    result = manage("--all")

    assert result.returncode == 2
    assert "Pass --yes" in result.stderr


def test_asks_on_a_terminal_and_stops_unless_told_yes():
    case = CaseFactory()
    thread(case, applicant_messages=1)

    with pytest.raises(CommandError) as declined:
        purge_cmd("--case", str(case.pk), stdin=FakeTerminal("no\n"))
    assert declined.value.returncode == 2
    assert Message.objects.count() == 2

    out, _ = purge_cmd("--case", str(case.pk), stdin=FakeTerminal("yes\n"))
    assert "Type 'yes' to purge" in out
    assert not Message.objects.exists()


# Usage errors: exit 2, nothing touched -------------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ((), "one of the arguments --case --application --before --all is required"),
        (("--case", "abc", "--yes"), "'abc' is not an id"),
        (("--case", "0", "--yes"), "'0' is not an id"),
        (("--application", "-4", "--yes"), "is not an id"),
        (("--before", "2025-02-30", "--yes"), "is not a date in the form YYYY-MM-DD"),
        (("--case", "1", "--all", "--yes"), "not allowed with argument"),
    ],
)
def test_usage_errors_exit_2(args, says):
    result = manage(*args)

    assert result.returncode == 2
    assert says in result.stderr


@pytest.mark.parametrize("option", ["--case", "--application"])
def test_unknown_id_is_a_usage_error_and_touches_nothing(option):
    case = CaseFactory()
    thread(case, applicant_messages=1)
    known = str(case.pk if option == "--case" else case.application_id)

    with pytest.raises(CommandError) as unknown:
        purge_cmd(option, known, option, "999999", "--yes") if option == "--case" else purge_cmd(
            option, "999999", "--yes"
        )

    assert unknown.value.returncode == 2
    assert "999999" in str(unknown.value)
    assert Message.objects.count() == 2
    assert not MessageEvent.objects.filter(event_type=MessageEvent.Type.PURGED).exists()


def test_nothing_to_do_exits_0_without_asking():
    out, _ = purge_cmd("--all", stdin=FakeTerminal(""))

    assert "Nothing to purge." in out
    assert not MessageEvent.objects.exists()


# One purge at a time -----------------------------------------------------------


@pytest.fixture
def other_session():
    """A second connection to the same database, as a second purge process would have."""
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    yield other
    other.close()


def lock_held_by(session):
    with session.cursor() as cursor:
        cursor.execute("SELECT IS_USED_LOCK(%s) = CONNECTION_ID()", [purge.lock_name()])
        return cursor.fetchone()[0] == 1


@pytest.mark.mysql
def test_second_purge_while_one_runs_changes_nothing_and_says_who(other_session, storage):
    case = CaseFactory()
    thread(case)
    before = snapshot(case)
    running = MessageEvent.objects.create(
        event_type=MessageEvent.Type.PURGED,
        detail={
            "status": "running",
            "started_at": "2026-11-24T09:00:00+00:00",
            "os_user": "nightly",
            "files_pending": [],
        },
    )
    with other_session.cursor() as cursor:
        cursor.execute("SELECT GET_LOCK(%s, 0)", [purge.lock_name()])
    assert lock_held_by(other_session)

    with pytest.raises(CommandError) as busy:
        purge_cmd("--case", str(case.pk), "--yes")

    assert busy.value.returncode == 1
    assert "Another purge is running (started 2026-11-24T09:00:00+00:00 by nightly)" in str(busy.value)
    assert "Nothing was changed" in str(busy.value)
    assert snapshot(case) == before
    assert list(MessageEvent.objects.filter(event_type=MessageEvent.Type.PURGED)) == [running]
    out, _ = purge_cmd("--case", str(case.pk), "--dry-run")  # looking is allowed meanwhile
    assert "Would remove" in out


@pytest.mark.mysql
def test_purge_releases_its_lock_when_done_and_when_it_fails(monkeypatch, other_session):
    case = CaseFactory()
    thread(case, applicant_messages=3)
    crash_on_call(monkeypatch, "_batch_delete", 2)
    with pytest.raises(CommandError):
        purge_cmd("--case", str(case.pk), "--yes", "--batch-size", "2")
    monkeypatch.undo()
    with other_session.cursor() as cursor:
        cursor.execute("SELECT GET_LOCK(%s, 0), RELEASE_LOCK(%s)", [purge.lock_name()] * 2)
        assert cursor.fetchone() == (1, 1)

    purge_cmd("--case", str(case.pk), "--yes")

    assert not Message.objects.filter(case=case).exists()
    with other_session.cursor() as cursor:
        cursor.execute("SELECT GET_LOCK(%s, 0), RELEASE_LOCK(%s)", [purge.lock_name()] * 2)
        assert cursor.fetchone() == (1, 1)


# Interruption ---------------------------------------------------------------


class Crash(Exception):
    pass


def crash_on_call(monkeypatch, name, call_number):
    real = getattr(purge, name)
    calls = []

    def wrapper(*args, **kwargs):
        calls.append(1)
        if len(calls) == call_number:
            raise Crash(f"injected failure in {name}")
        return real(*args, **kwargs)

    monkeypatch.setattr(purge, name, wrapper)


@pytest.mark.parametrize(
    ("where", "call_number"),
    [
        # After the first batch committed, before its files were deleted: the worst moment.
        ("_files_delete", 1),
        # Inside the second batch's transaction: it rolls back, the first stays done.
        ("_batch_delete", 2),
    ],
)
def test_interrupted_purge_rerun_ends_like_an_uninterrupted_one(monkeypatch, where, call_number):
    target, control = CaseFactory(), CaseFactory()
    thread(target, applicant_messages=3)
    thread(control, applicant_messages=1)
    before = snapshot(control)
    plan = purge.purge_plan(purge.Scope(case_ids=(target.pk,)), include_documents=True)
    crash_on_call(monkeypatch, where, call_number)

    with pytest.raises(CommandError) as failed:
        purge_cmd("--case", str(target.pk), "--yes", "--include-documents", "--batch-size", "2")
    assert failed.value.returncode == 1
    assert Message.objects.filter(case=target).count() == 2  # one batch of 2 went, 2 remain
    monkeypatch.undo()

    purge_cmd("--case", str(target.pk), "--yes", "--include-documents", "--batch-size", "2")

    assert not Message.objects.filter(case=target).exists()
    assert not Document.objects.filter(case=target).exists()
    assert snapshot(control) == before
    assert stored_files() == set(before["files"]) == referenced_keys()
    runs = MessageEvent.objects.filter(event_type=MessageEvent.Type.PURGED).order_by("pk")
    assert [run.detail["status"] for run in runs] == ["failed", "done"]
    assert not FileOutbox.objects.exists()  # every file the purge unlinked is gone
    assert sum(run.detail["counts"]["messages"] for run in runs) == plan.messages
    assert sum(run.detail["counts"]["attachments"] for run in runs) == plan.attachments
    assert sum(run.detail["counts"]["documents_deleted"] for run in runs) == plan.documents_deleted


def test_files_left_by_a_crash_are_named_in_the_outbox_and_shown_by_dry_run(monkeypatch):
    case = CaseFactory()
    thread(case, applicant_messages=1, adopt=False)
    keys = set(MessageAttachment.objects.values_list("file_path", flat=True))
    crash_on_call(monkeypatch, "_files_delete", 1)

    with pytest.raises(CommandError):
        purge_cmd("--case", str(case.pk), "--yes")

    # Recorded in the batch's transaction; the crash came before they were deleted.
    assert set(FileOutbox.objects.filter(reason="purge").values_list("storage_key", flat=True)) == keys
    assert keys <= stored_files()
    out, _ = purge_cmd("--all", "--dry-run")
    assert "left by an interrupted run: 2 stored files" in out
    monkeypatch.undo()

    out, _ = purge_cmd("--all", "--yes")

    assert "2 files from an interrupted run" in out
    assert stored_files() == set()
    assert not FileOutbox.objects.exists()


def test_unreferenced_files_the_outbox_does_not_name_are_left_alone():
    stray = default_storage.save("attachments/2026/11/stray", io.BytesIO(b"not ours"))
    thread(CaseFactory(), applicant_messages=1, adopt=False)

    purge_cmd("--all", "--yes")

    assert stored_files() == {stray}


# Audit, output --------------------------------------------------------------


def test_audit_event_written_and_earlier_events_of_purged_messages_kept():
    case = CaseFactory()
    thread(case, applicant_messages=1)
    earlier = list(MessageEvent.objects.order_by("pk").values())
    assert {"message_sent", "attachment_uploaded", "attachment_adopted"} <= {row["event_type"] for row in earlier}

    purge_cmd("--case", str(case.pk), "--yes")

    assert list(MessageEvent.objects.exclude(event_type=MessageEvent.Type.PURGED).order_by("pk").values()) == earlier
    audit = MessageEvent.objects.get(event_type=MessageEvent.Type.PURGED)
    assert audit.case_id == case.pk
    assert audit.detail["scope"] == {"case_ids": [case.pk]}
    assert audit.detail["os_user"] == getpass.getuser()
    assert audit.detail["status"] == "done"
    assert audit.detail["counts"]["messages"] == 2
    assert audit.detail["counts"]["attachments"] == 2
    assert audit.detail["counts"]["documents_unlinked"] == 2
    assert audit.detail["started_at"] <= audit.detail["finished_at"]
    assert "Here they are" not in json.dumps(audit.detail)


def test_json_summary_and_plain_progress_lines():
    thread(CaseFactory(), applicant_messages=2, adopt=False)

    out, err = purge_cmd("--all", "--yes", "--json", "--batch-size", "1")

    summary = json.loads(out)
    assert summary["result"]["messages"] == 3
    assert summary["result"]["attachments"] == 4
    assert summary["result"]["batches"] == 3
    assert "progress: 1/3 messages" in err
    assert "progress: 3/3 messages" in err
    assert "Purged: 3 messages" in err
