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
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework.models import StaffProfile
from casework.services import case_open
from casework.tests.factories import ApplicationFactory, CaseFactory, StaffProfileFactory
from intake.conversations import conversations_differences, conversations_recomputed
from intake.models import Conversation, Message, MessageEvent
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
