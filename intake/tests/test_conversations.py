"""Conversation summaries (issue 11): the database keeps one row per
conversation true on every write, whoever writes, and `threads --check`
proves it against a recomputation from `messages`.

These tests run on whichever database the suite runs on (MariaDB in
`make test`, with the triggers of sql/migrations/); test_on_sqlite_too runs
this file again on SQLite, whose triggers are sql/sqlite/conversation.sql.
"""

import io
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework.models import StaffProfile
from casework.schema import apply_schema, sql_files
from casework.services import case_open
from casework.tests.factories import ApplicationFactory, CaseFactory, StaffProfileFactory
from common.errors import Conflict
from intake.conversations import conversations_differences, conversations_recomputed
from intake.models import Conversation, Message, MessageEvent
from intake.services.handling import conversation_no_reply_needed, message_mark_unread
from intake.services.read_state import message_mark_read, messages_mark_read
from intake.services.sending import message_send_from_applicant, message_send_to_case
from intake.services.withdrawal import message_withdraw
from intake.tests.factories import MessageFactory, StaffMessageFactory

BASE_DIR = Path(__file__).resolve().parents[2]


def stored(application):
    return Conversation.objects.get(application=application)


def assert_summaries_true():
    assert conversations_differences() == []


@pytest.mark.django_db
def test_a_thread_summarised_as_it_grows():
    case = CaseFactory()
    applicant, caseworker = case.application.submission.user, case.assigned_staff_profile.user

    question = message_send_from_applicant(applicant=applicant, application=case.application, subject="Q", body="?")
    row = stored(case.application)
    assert (row.message_count, row.unread_by_staff, row.unread_by_applicant) == (1, 1, 0)
    assert (row.last_message_id, row.awaiting_reply_since) == (question.pk, question.created_at)
    assert (row.case_id, row.applicant_user_id, row.assigned_staff_profile_id) == (
        case.pk,
        applicant.pk,
        case.assigned_staff_profile_id,
    )

    message_mark_read(message=question, reader=caseworker)
    answer = message_send_to_case(staff_user=caseworker, case=case, subject="A", body="!", reply_to=question)
    row = stored(case.application)
    assert (row.message_count, row.unread_by_staff, row.unread_by_applicant) == (2, 0, 1)
    assert (row.last_message_id, row.last_staff_message_id, row.awaiting_reply_since) == (answer.pk, answer.pk, None)

    message_withdraw(staff_user=caseworker, case=case, message=answer)
    row = stored(case.application)
    assert (row.unread_by_applicant, row.awaiting_reply_since) == (0, None)
    assert_summaries_true()


@pytest.mark.django_db
def test_messages_before_the_case_join_its_conversation_when_it_opens():
    application = ApplicationFactory()
    applicant = application.submission.user
    message_send_from_applicant(applicant=applicant, application=application, subject="Early", body="Hello")
    assert stored(application).case_id is None

    caseworker = StaffProfileFactory()
    case = case_open(application=application, assigned_staff_profile=caseworker)

    row = stored(application)
    assert (row.case_id, row.assigned_staff_profile_id, row.message_count) == (case.pk, caseworker.pk, 1)
    other = StaffProfileFactory()
    case.assigned_staff_profile = other
    case.save()
    assert stored(application).assigned_staff_profile_id == other.pk
    assert_summaries_true()


@pytest.mark.django_db
def test_plain_sql_from_another_program_shows_at_once():
    case = CaseFactory()
    applicant, caseworker = case.application.submission.user, case.assigned_staff_profile.user
    now = timezone.now()
    with connection.cursor() as cursor:
        # An import writes a message bound only to the case, as another program might.
        cursor.execute(
            "INSERT INTO messages (sender_id, recipient_id, case_id, direction, subject, body, status, urgent,"
            " deleted, created_at) VALUES (%s, %s, %s, 'applicant_to_staff', 's', 'b', 'unread', %s, %s, %s)",
            [applicant.pk, caseworker.pk, case.pk, False, False, now],
        )
    row = stored(case.application)
    assert (row.message_count, row.unread_by_staff, row.awaiting_reply_since) == (1, 1, now)

    with connection.cursor() as cursor:
        cursor.execute("UPDATE messages SET status = 'read' WHERE case_id = %s", [case.pk])
    assert stored(case.application).unread_by_staff == 0

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM messages WHERE case_id = %s", [case.pk])
    assert not Conversation.objects.filter(application=case.application).exists()
    assert_summaries_true()


@pytest.mark.django_db
def test_a_back_dated_import_is_placed_by_its_date():
    case = CaseFactory()
    newest = StaffMessageFactory(case=case)
    older = MessageFactory(case=case, created_at=newest.created_at - timedelta(days=3))

    row = stored(case.application)
    assert (row.last_message_id, row.last_staff_message_id, row.awaiting_reply_since) == (newest.pk, newest.pk, None)
    assert older.pk > newest.pk
    assert_summaries_true()


@pytest.mark.django_db
def test_deleting_the_last_staff_message_or_where_the_wait_started_recomputes_the_wait():
    case = CaseFactory()
    first_question = MessageFactory(case=case)
    answer = StaffMessageFactory(case=case)
    second_question = MessageFactory(case=case)
    third_question = MessageFactory(case=case)
    assert stored(case.application).awaiting_reply_since == second_question.created_at

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM messages WHERE id = %s", [answer.pk])
    row = stored(case.application)
    assert (row.last_staff_message_id, row.awaiting_reply_since) == (None, first_question.created_at)

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM messages WHERE id = %s", [first_question.pk])
    assert stored(case.application).awaiting_reply_since == second_question.created_at
    assert stored(case.application).last_message_id == third_question.pk
    assert_summaries_true()


@pytest.mark.django_db
def test_withdrawn_or_deleted_messages_are_not_unread():
    case = CaseFactory()
    question = MessageFactory(case=case)
    StaffMessageFactory(case=case)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE messages SET deleted = %s WHERE case_id = %s", [True, case.pk])

    row = stored(case.application)
    assert (row.unread_by_staff, row.unread_by_applicant, row.message_count) == (0, 0, 2)
    assert question.status == Message.Status.UNREAD
    assert_summaries_true()


# Handled ("No reply needed", issue 12): an archived applicant message starts no wait -------


def sql(statement, params):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.mark.django_db
def test_archiving_and_unarchiving_in_plain_sql_moves_the_wait_at_once():
    case = CaseFactory()
    before = MessageFactory(case=case)
    StaffMessageFactory(case=case)
    first = MessageFactory(case=case)
    second = MessageFactory(case=case, status=Message.Status.READ)
    row = stored(case.application)
    assert (row.awaiting_reply_since, row.unread_by_staff) == (first.created_at, 2)

    sql("UPDATE messages SET status = 'archived' WHERE id = %s", [first.pk])
    row = stored(case.application)
    assert (row.awaiting_reply_since, row.unread_by_staff) == (second.created_at, 1)
    assert_summaries_true()

    sql("UPDATE messages SET status = 'archived' WHERE id = %s", [second.pk])
    assert stored(case.application).awaiting_reply_since is None
    # An applicant message before the newest staff message was never part of the wait.
    sql("UPDATE messages SET status = 'archived' WHERE id = %s", [before.pk])
    row = stored(case.application)
    assert (row.awaiting_reply_since, row.unread_by_staff) == (None, 0)
    assert_summaries_true()
    call_command("threads", "--check", stdout=io.StringIO())

    sql("UPDATE messages SET status = 'read' WHERE id = %s", [second.pk])
    assert stored(case.application).awaiting_reply_since == second.created_at
    sql("UPDATE messages SET status = 'unread' WHERE id = %s", [first.pk])
    row = stored(case.application)
    assert (row.awaiting_reply_since, row.unread_by_staff) == (first.created_at, 1)
    assert_summaries_true()
    call_command("threads", "--check", stdout=io.StringIO())


@pytest.mark.django_db
def test_an_archived_applicant_message_inserted_starts_no_wait():
    case = CaseFactory()
    applicant = case.application.submission.user
    StaffMessageFactory(case=case)
    insert = (
        "INSERT INTO messages (sender_id, case_id, application_id, direction, subject, body, status, urgent,"
        " deleted, created_at) VALUES (%s, %s, %s, 'applicant_to_staff', 's', 'b', %s, %s, %s, %s)"
    )
    handled_at = timezone.now()
    sql(insert, [applicant.pk, case.pk, case.application_id, "archived", False, False, handled_at])
    row = stored(case.application)
    assert (row.message_count, row.unread_by_staff, row.awaiting_reply_since) == (2, 0, None)

    waiting_at = handled_at + timedelta(minutes=1)
    sql(insert, [applicant.pk, case.pk, case.application_id, "unread", False, False, waiting_at])
    # A handled message imported back-dated, before the one that waits, leaves the wait where it is.
    sql(insert, [applicant.pk, None, case.application_id, "archived", False, False, handled_at + timedelta(seconds=1)])
    row = stored(case.application)
    assert (row.message_count, row.unread_by_staff, row.awaiting_reply_since) == (4, 1, waiting_at)
    assert_summaries_true()


@pytest.mark.django_db
def test_deleting_around_handled_messages_keeps_them_out_of_the_wait():
    case = CaseFactory()
    early = MessageFactory(case=case, status=Message.Status.ARCHIVED)
    answer = StaffMessageFactory(case=case)
    handled = MessageFactory(case=case, status=Message.Status.ARCHIVED)
    waiting = MessageFactory(case=case)
    assert stored(case.application).awaiting_reply_since == waiting.created_at

    sql("DELETE FROM messages WHERE id = %s", [handled.pk])
    assert stored(case.application).awaiting_reply_since == waiting.created_at
    sql("DELETE FROM messages WHERE id = %s", [answer.pk])
    # With the staff message gone the wait could start at the first message: it was handled.
    assert stored(case.application).awaiting_reply_since == waiting.created_at
    sql("DELETE FROM messages WHERE id = %s", [waiting.pk])
    row = stored(case.application)
    assert (row.message_count, row.last_message_id, row.awaiting_reply_since) == (1, early.pk, None)
    assert_summaries_true()


@pytest.mark.django_db
def test_no_reply_needed_agrees_with_the_recomputation():
    case = CaseFactory()
    MessageFactory(case=None, application=case.application)
    MessageFactory(case=case)
    staff = case.assigned_staff_profile.user

    conversation_no_reply_needed(staff_user=staff, application=case.application)

    row = stored(case.application)
    assert (row.awaiting_reply_since, row.unread_by_staff) == (None, 0)
    assert_summaries_true()
    call_command("threads", "--check", stdout=io.StringIO())


@pytest.mark.django_db
def test_threads_check_knows_handled_messages_start_no_wait():
    case = CaseFactory()
    message = MessageFactory(case=case, status=Message.Status.ARCHIVED)
    Conversation.objects.filter(application=case.application).update(awaiting_reply_since=message.created_at)

    with pytest.raises(CommandError):
        call_command("threads", "--check", stdout=(out := io.StringIO()))

    assert out.getvalue().splitlines() == [
        f"conversation {case.application_id}: awaiting_reply_since is {message.created_at!r}, should be None"
    ]


@pytest.fixture
def scratch_database(django_db_blocker):
    """A brand-new, empty MariaDB database as its own connection alias (as in
    casework/tests/test_schema_command.py), for a migration applied to data."""
    import MySQLdb

    config = connections.settings["default"]
    server = MySQLdb.connect(
        host=config["HOST"] or "127.0.0.1",
        port=int(config["PORT"] or 3306),
        user=config["USER"],
        password=config["PASSWORD"],
        autocommit=True,
    ).cursor()
    name = f"iset_scratch_{os.urandom(5).hex()}"
    alias = f"scratch_{name}"
    server.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    connections.settings[alias] = {**config, "NAME": name}
    try:
        with django_db_blocker.unblock():
            yield alias
            connections[alias].close()
    finally:
        del connections[alias]
        del connections.settings[alias]
        server.execute(f"DROP DATABASE `{name}`")
        server.connection.close()


HANDLED_MIGRATION = "20261130_conversation_handled.sql"


@pytest.mark.mysql
def test_the_handled_migration_recomputes_the_waits_of_archived_messages_already_there(scratch_database, tmp_path):
    for sql_file in sql_files():
        if sql_file.name < HANDLED_MIGRATION:
            (tmp_path / sql_file.name).write_text(sql_file.text, encoding="utf-8")
    apply_schema(using=scratch_database, directory=tmp_path)
    with connections[scratch_database].cursor() as cursor:
        cursor.execute(
            "INSERT INTO `user` (id, email, password) VALUES (1, 'a@example.org', 'x'), (2, 's@iset.example', 'x')"
        )
        cursor.execute("INSERT INTO staff_profiles (id, user_id, display_name) VALUES (1, 2, 'Staff')")
        cursor.execute(
            "INSERT INTO iset_application_submission (id, user_id, reference_number) VALUES"
            " (1, 1, 'ISET-20261130-00000A'), (2, 1, 'ISET-20261130-00000B'), (3, 1, 'ISET-20261130-00000C')"
        )
        cursor.execute("INSERT INTO iset_application (id, submission_id) VALUES (1, 1), (2, 2), (3, 3)")
        cursor.execute("INSERT INTO iset_case (id, application_id, assigned_staff_profile_id) VALUES (1, 1, 1)")
        cursor.execute(
            "INSERT INTO messages (id, sender_id, recipient_id, case_id, application_id, direction, subject, body,"
            " status, created_at) VALUES"
            # Application 1 (a case): handled, answered, handled, waiting since 04:00.
            " (1, 1, 2, 1, 1, 'applicant_to_staff', 's', 'b', 'archived', '2026-11-01 01:00:00'),"
            " (2, 2, 1, 1, 1, 'staff_to_applicant', 's', 'b', 'read', '2026-11-01 02:00:00'),"
            " (3, 1, 2, 1, 1, 'applicant_to_staff', 's', 'b', 'archived', '2026-11-01 03:00:00'),"
            " (4, 1, 2, 1, 1, 'applicant_to_staff', 's', 'b', 'read', '2026-11-01 04:00:00'),"
            # Application 2 (no case): handled only. Application 3: waiting, nothing handled.
            " (5, 1, NULL, NULL, 2, 'applicant_to_staff', 's', 'b', 'archived', '2026-11-01 01:00:00'),"
            " (6, 1, NULL, NULL, 3, 'applicant_to_staff', 's', 'b', 'unread', '2026-11-01 01:00:00')"
        )
        waits = "SELECT application_id, awaiting_reply_since FROM conversation ORDER BY application_id"
        cursor.execute(waits)
        before = [(application, str(since)) for application, since in cursor.fetchall()]

        # The handled migration itself next (not the later ones: this is about it alone).
        [handled] = [sql_file for sql_file in sql_files() if sql_file.name == HANDLED_MIGRATION]
        (tmp_path / handled.name).write_text(handled.text, encoding="utf-8")
        assert apply_schema(using=scratch_database, directory=tmp_path) == [HANDLED_MIGRATION]

        cursor.execute(waits)
        after = [(application, str(since) if since else None) for application, since in cursor.fetchall()]
        cursor.execute("UPDATE messages SET status = 'archived' WHERE id = 4")
        cursor.execute(waits)
        handled = cursor.fetchall()[0]
        cursor.execute("SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()")
        (routines,) = cursor.fetchone()
    assert before == [(1, "2026-11-01 03:00:00"), (2, "2026-11-01 01:00:00"), (3, "2026-11-01 01:00:00")]
    assert after == [(1, "2026-11-01 04:00:00"), (2, None), (3, "2026-11-01 01:00:00")]
    assert handled == (1, None)
    # conversation_of, conversation_ends, conversation_refresh: the fill's own procedure is gone.
    assert routines == 3


@pytest.mark.django_db
def test_threads_check_names_a_corrupted_row_and_repair_fixes_it_audited():
    case = CaseFactory()
    MessageFactory(case=case)
    Conversation.objects.filter(application=case.application).update(unread_by_staff=7, message_count=9)

    with pytest.raises(CommandError) as found:
        call_command("threads", "--check", stdout=(out := io.StringIO()))
    assert found.value.returncode == 1
    assert out.getvalue().splitlines() == [
        f"conversation {case.application_id}: message_count is 9, should be 1",
        f"conversation {case.application_id}: unread_by_staff is 7, should be 1",
    ]

    call_command("threads", "--repair", stdout=io.StringIO())

    assert (stored(case.application).message_count, stored(case.application).unread_by_staff) == (1, 1)
    event = MessageEvent.objects.get(event_type=MessageEvent.Type.CONVERSATIONS_REPAIRED)
    assert event.detail == {"conversations": [case.application_id], "fields": ["message_count", "unread_by_staff"]}
    call_command("threads", "--check", stdout=io.StringIO())


@pytest.mark.django_db
def test_threads_check_finds_a_missing_and_an_extra_row():
    kept, lost = CaseFactory(), CaseFactory()
    MessageFactory(case=kept)
    MessageFactory(case=lost)
    Conversation.objects.filter(application=lost.application).delete()
    Conversation.objects.filter(application=kept.application).update(message_count=1)
    stray = ApplicationFactory()
    Conversation.objects.create(application=stray, applicant_user=stray.submission.user, message_count=1)

    assert [(d.application_id, d.field) for d in conversations_differences()] == sorted(
        [(lost.application_id, "row"), (stray.pk, "row")]
    )


# Random sequences of every kind of change ---------------------------------------------------

OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "applicant_writes",
                "staff_writes",
                "staff_replies",
                "staff_reads",
                "applicant_reads",
                "applicant_opens_conversation",
                "sql_unread",
                "withdraw",
                "open_case",
                "reassign",
                "sql_delete_newest",
                "sql_delete_oldest",
                "sql_delete_last_staff",
                "sql_withdraw_newest",
                "sql_backdate",
                "sql_move",
                "no_reply_needed",
                "staff_marks_unread",
                "sql_archive_newest",
                "sql_unarchive_oldest",
                "sql_import_handled",
            ]
        ),
        # Mostly the first application, so its thread grows long enough for the rare cases.
        st.sampled_from([0, 0, 0, 1, 2]),
    ),
    min_size=3,
    max_size=20,
)


class World:
    """Three applications (two with cases, one without) and their people."""

    def __init__(self):
        self.cases = [CaseFactory(), CaseFactory()]
        self.applications = [case.application for case in self.cases] + [ApplicationFactory()]
        self.spare = StaffProfileFactory(primary_role=StaffProfile.Role.CASEWORKER)

    def application(self, n):
        return self.applications[n % 3]

    def case(self, n):
        try:
            return self.application(n).case
        except Exception:
            return None

    def messages(self, n):
        application = self.application(n)
        case = self.case(n)
        messages = Message.objects.filter(case=case) if case else Message.objects.filter(application=application)
        return messages.order_by("created_at", "id")

    def apply(self, operation, n):
        application, case = self.application(n), self.case(n)
        applicant = application.submission.user
        staff = case.assigned_staff_profile.user if case and case.assigned_staff_profile else None
        newest = self.messages(n).last()
        oldest = self.messages(n).first()
        if operation == "applicant_writes":
            message_send_from_applicant(applicant=applicant, application=application, subject="s", body="b")
        elif operation == "staff_writes" and case and staff:
            message_send_to_case(staff_user=staff, case=case, subject="s", body="b")
        elif operation == "staff_replies" and case and staff and newest and not newest.deleted:
            message_send_to_case(staff_user=staff, case=case, subject="r", body="b", reply_to=newest)
        elif operation == "staff_reads" and newest and staff:
            message_mark_read(message=newest, reader=staff)
        elif operation == "applicant_reads" and newest:
            message_mark_read(message=newest, reader=applicant)
        elif operation == "applicant_opens_conversation":
            messages_mark_read(messages=list(self.messages(n)), reader=applicant)
        elif operation == "sql_unread" and newest:
            with connection.cursor() as cursor:
                cursor.execute("UPDATE messages SET status = 'unread' WHERE id = %s", [newest.pk])
        elif operation == "withdraw" and case and staff and newest and newest.direction == "staff_to_applicant":
            if not newest.deleted and newest.sender_id == staff.pk:
                message_withdraw(staff_user=staff, case=case, message=newest)
        elif operation == "open_case" and case is None:
            case_open(application=application, assigned_staff_profile=self.spare)
        elif operation == "reassign" and case:
            case.assigned_staff_profile = self.spare if case.assigned_staff_profile != self.spare else None
            case.save(update_fields=["assigned_staff_profile"])
        elif operation == "sql_withdraw_newest" and newest:
            with connection.cursor() as cursor:
                cursor.execute("UPDATE messages SET deleted = %s WHERE id = %s", [True, newest.pk])
        elif operation in ("sql_delete_newest", "sql_delete_oldest", "sql_delete_last_staff"):
            target = {
                "sql_delete_newest": newest,
                "sql_delete_oldest": oldest,
                "sql_delete_last_staff": self.messages(n).filter(direction="staff_to_applicant").last(),
            }[operation]
            if target is not None:
                with connection.cursor() as cursor:
                    cursor.execute("DELETE FROM message_attachment WHERE message_id = %s", [target.pk])
                    cursor.execute("UPDATE messages SET reply_to_id = NULL WHERE reply_to_id = %s", [target.pk])
                    cursor.execute("DELETE FROM messages WHERE id = %s", [target.pk])
        elif operation == "sql_backdate" and newest:
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE messages SET created_at = %s WHERE id = %s",
                    [newest.created_at - timedelta(hours=1 + n), newest.pk],
                )
        elif operation == "no_reply_needed":
            try:
                conversation_no_reply_needed(staff_user=self.spare.user, application=application)
            except Conflict:
                pass
        elif operation == "staff_marks_unread" and newest and newest.from_applicant and not newest.deleted:
            message_mark_unread(message=newest, staff_user=self.spare.user)
        elif operation == "sql_archive_newest" and newest:
            with connection.cursor() as cursor:
                cursor.execute("UPDATE messages SET status = 'archived' WHERE id = %s", [newest.pk])
        elif operation == "sql_unarchive_oldest":
            archived = self.messages(n).filter(status=Message.Status.ARCHIVED).first()
            if archived is not None:
                with connection.cursor() as cursor:
                    cursor.execute("UPDATE messages SET status = 'read' WHERE id = %s", [archived.pk])
        elif operation == "sql_import_handled":
            # Another program imports an applicant message already handled, dated a little in the past.
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO messages (sender_id, case_id, application_id, direction, subject, body, status,"
                    " urgent, deleted, created_at) VALUES (%s, %s, %s, 'applicant_to_staff', 's', 'b', 'archived',"
                    " %s, %s, %s)",
                    [
                        applicant.pk,
                        case.pk if case else None,
                        application.pk,
                        False,
                        False,
                        timezone.now() - timedelta(minutes=n),
                    ],
                )
        elif operation == "sql_move" and newest:
            # An operator's repair moves a message to another application's thread.
            target = self.application(n + 1)
            target_case = self.case(n + 1)
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE messages SET case_id = %s, application_id = %s WHERE id = %s",
                    [target_case.pk if target_case else None, target.pk, newest.pk],
                )
                cursor.execute(
                    "UPDATE message_attachment SET case_id = %s WHERE message_id = %s",
                    [target_case.pk if target_case else None, newest.pk],
                )


class Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_summaries_equal_the_recomputation_after_every_step(operations):
    try:
        with transaction.atomic():
            world = World()
            for operation, n in operations:
                world.apply(operation, n)
                assert conversations_differences() == [], (operation, n)
            raise Rollback
    except Rollback:
        pass


@pytest.mark.django_db(transaction=True)
def test_purge_removes_purged_conversations_and_recomputes_the_rest():
    purged, partly, untouched = CaseFactory(), CaseFactory(), CaseFactory()
    for case in (purged, partly, untouched):
        MessageFactory(case=case)
        StaffMessageFactory(case=case)
    old = MessageFactory(case=partly, created_at=timezone.now() - timedelta(days=400))

    call_command("purge", "--case", str(purged.pk), "--yes", stdout=io.StringIO())
    call_command("purge", "--before", (timezone.localdate() - timedelta(days=30)).isoformat(), "--yes", stdout=io.StringIO())

    assert not Conversation.objects.filter(application=purged.application).exists()
    assert stored(partly.application).message_count == 2
    assert not Message.objects.filter(pk=old.pk).exists()
    assert stored(untouched.application).message_count == 2
    assert_summaries_true()


@pytest.mark.django_db(transaction=True)
def test_purge_keeps_handled_messages_out_of_the_wait():
    case = CaseFactory()
    StaffMessageFactory(case=case, created_at=timezone.now() - timedelta(days=400))
    MessageFactory(case=case, status=Message.Status.ARCHIVED, created_at=timezone.now() - timedelta(days=2))
    waiting = MessageFactory(case=case, created_at=timezone.now() - timedelta(days=1))
    sql("UPDATE messages SET status = 'archived' WHERE id = %s", [waiting.pk])
    assert stored(case.application).awaiting_reply_since is None

    # The newest staff message goes: the wait is looked up again from the start, past the handled messages.
    before = (timezone.localdate() - timedelta(days=30)).isoformat()
    call_command("purge", "--before", before, "--yes", stdout=io.StringIO())

    row = stored(case.application)
    assert (row.message_count, row.last_staff_message_id, row.awaiting_reply_since) == (2, None, None)
    assert_summaries_true()


@pytest.mark.django_db
def test_recomputation_of_a_subset_matches_the_whole():
    cases = [CaseFactory() for _ in range(3)]
    for case in cases:
        MessageFactory(case=case)
    subset = list(conversations_recomputed([cases[1].application_id]))

    assert [summary.application_id for summary in subset] == [cases[1].application_id]
    assert subset[0].message_count == 1


@pytest.mark.mysql
def test_on_sqlite_too(tmp_path):
    """The SQLite triggers keep the same rules: this file again, on SQLite."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'conversations.sqlite3'}",
        "REQUIRE_MYSQL": "0",
        "REQUIRE_BROWSER": "0",
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__, "-k", "not test_on_sqlite_too"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout.splitlines()[-1]
    assert "failed" not in result.stdout.splitlines()[-1]
