"""Read and handled are different things (issue 12): a message marked unread
again, a conversation that needs no reply, a case marked urgent. The
conversation summary follows each change at once (docs/conversations.md)."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from casework.models import Case
from casework.tests.factories import ApplicationFactory, CaseFactory
from common.errors import Conflict, InvalidInput, PermissionRefused
from intake.conversations import conversations_differences
from intake.models import Conversation, Message, MessageEvent
from intake.services.handling import (
    REASON_MAX,
    case_urgency_set,
    conversation_no_reply_needed,
    message_mark_unread,
)
from intake.services.sending import message_send_from_applicant, message_send_to_case
from intake.tests.factories import MessageFactory, StaffMessageFactory

pytestmark = pytest.mark.django_db


def ago(**delta):
    return timezone.now() - timedelta(**delta)


def summary(application):
    return Conversation.objects.get(application=application)


def status_of(message):
    message.refresh_from_db()
    return message.status


# No reply needed ----------------------------------------------------------------------------


def test_no_reply_needed_handles_the_waiting_messages_and_ends_the_wait(cast):
    before = MessageFactory(case=cast.case, created_at=ago(days=5))
    StaffMessageFactory(case=cast.case, created_at=ago(days=4))
    unread = MessageFactory(case=cast.case, created_at=ago(days=3))
    read_at = ago(days=2)
    read = MessageFactory(case=cast.case, created_at=ago(days=3) + timedelta(hours=1), status="read", read_at=read_at)
    row = summary(cast.case.application)
    assert (row.awaiting_reply_since, row.unread_by_staff) == (unread.created_at, 2)

    handled = conversation_no_reply_needed(
        staff_user=cast.caseworker, application=cast.case.application, reason="  Thank-you note only  "
    )

    assert handled == [unread.pk, read.pk]
    unread.refresh_from_db()
    read.refresh_from_db()
    assert (unread.status, read.status) == (Message.Status.ARCHIVED, Message.Status.ARCHIVED)
    assert unread.read_at is not None and unread.read_at > ago(minutes=1)
    assert read.read_at == read_at
    # The applicant's message before the newest staff message is not part of the wait: untouched.
    assert status_of(before) == Message.Status.UNREAD
    row = summary(cast.case.application)
    assert (row.awaiting_reply_since, row.unread_by_staff) == (None, 1)
    event = MessageEvent.objects.get(event_type=MessageEvent.Type.NO_REPLY_NEEDED)
    assert (event.case_id, event.message_id, event.actor_user_id) == (cast.case.pk, None, cast.caseworker.pk)
    assert event.detail == {"message_ids": [unread.pk, read.pk], "reason": "Thank-you note only"}
    assert conversations_differences() == []


def test_a_new_applicant_message_afterwards_starts_a_new_wait_at_its_own_time(cast):
    application = cast.case.application
    MessageFactory(case=cast.case, created_at=ago(days=2))
    conversation_no_reply_needed(staff_user=cast.caseworker, application=application)
    assert summary(application).awaiting_reply_since is None

    again = message_send_from_applicant(applicant=cast.applicant, application=application, subject="s", body="b")

    row = summary(application)
    assert (row.awaiting_reply_since, row.unread_by_staff) == (again.created_at, 1)
    assert conversation_no_reply_needed(staff_user=cast.supervisor, application=application) == [again.pk]
    assert summary(application).awaiting_reply_since is None
    assert conversations_differences() == []


def test_a_conversation_without_a_staff_message_is_handled_whole(cast):
    first = MessageFactory(case=cast.case, created_at=ago(days=2))
    second = MessageFactory(case=cast.case, created_at=ago(days=1))

    assert conversation_no_reply_needed(staff_user=cast.caseworker, application=cast.case.application) == [
        first.pk,
        second.pk,
    ]
    assert summary(cast.case.application).awaiting_reply_since is None


def test_messages_from_before_the_case_are_part_of_the_conversation(cast):
    early = MessageFactory(case=None, application=cast.case.application, created_at=ago(days=9))
    later = MessageFactory(case=cast.case, created_at=ago(days=1))

    handled = conversation_no_reply_needed(staff_user=cast.caseworker, application=cast.case.application)

    assert handled == [early.pk, later.pk]
    assert summary(cast.case.application).awaiting_reply_since is None


def test_an_application_without_a_case_records_no_case(cast):
    application = ApplicationFactory()
    message = MessageFactory(case=None, application=application)

    assert conversation_no_reply_needed(staff_user=cast.supervisor, application=application) == [message.pk]

    event = MessageEvent.objects.get(event_type=MessageEvent.Type.NO_REPLY_NEEDED)
    assert (event.case_id, event.detail) == (None, {"message_ids": [message.pk], "reason": ""})
    assert summary(application).awaiting_reply_since is None


def test_other_conversations_are_untouched(cast):
    other_case = CaseFactory()
    other = MessageFactory(case=other_case)
    MessageFactory(case=cast.case)

    conversation_no_reply_needed(staff_user=cast.supervisor, application=cast.case.application)

    assert status_of(other) == Message.Status.UNREAD
    assert summary(other_case.application).awaiting_reply_since == other.created_at


@pytest.mark.parametrize("situation", ["staff_had_the_last_word", "already_handled", "no_messages"])
def test_nothing_waiting_is_a_conflict_and_records_nothing(cast, situation):
    if situation == "staff_had_the_last_word":
        MessageFactory(case=cast.case, created_at=ago(days=2))
        StaffMessageFactory(case=cast.case, created_at=ago(days=1))
    elif situation == "already_handled":
        MessageFactory(case=cast.case)
        conversation_no_reply_needed(staff_user=cast.caseworker, application=cast.case.application)
    events_before = MessageEvent.objects.count()

    with pytest.raises(Conflict) as refused:
        conversation_no_reply_needed(staff_user=cast.caseworker, application=cast.case.application)

    assert refused.value.code == "nothing_awaiting"
    assert str(refused.value.message) == "Nobody is waiting for a reply in this conversation."
    assert MessageEvent.objects.count() == events_before


def test_the_reason_is_optional_internal_and_limited(cast):
    MessageFactory(case=cast.case)
    application = cast.case.application

    with pytest.raises(InvalidInput) as too_long:
        conversation_no_reply_needed(staff_user=cast.caseworker, application=application, reason="x" * (REASON_MAX + 1))
    assert (too_long.value.code, too_long.value.field) == ("reason_too_long", "reason")
    with pytest.raises(InvalidInput) as control:
        conversation_no_reply_needed(staff_user=cast.caseworker, application=application, reason="bad\x00note")
    assert control.value.code == "reason_invalid_characters"
    assert summary(application).awaiting_reply_since is not None

    conversation_no_reply_needed(staff_user=cast.caseworker, application=application, reason="y" * REASON_MAX)
    event = MessageEvent.objects.get(event_type=MessageEvent.Type.NO_REPLY_NEEDED)
    assert event.detail["reason"] == "y" * REASON_MAX


def test_an_applicant_cannot_end_the_wait(cast):
    message = MessageFactory(case=cast.case)

    with pytest.raises(PermissionRefused):
        conversation_no_reply_needed(staff_user=cast.applicant, application=cast.case.application)

    assert status_of(message) == Message.Status.UNREAD


@pytest.mark.parametrize("count", [1, 30])
def test_query_count_does_not_grow_with_the_waiting_messages(cast, django_assert_num_queries, count):
    StaffMessageFactory(case=cast.case, created_at=ago(days=2))
    for number in range(count):
        MessageFactory(case=cast.case, created_at=ago(hours=count - number))
    application = Case.objects.select_related("application").get(pk=cast.case.pk).application
    staff_user = cast.caseworker
    assert staff_user.active_staff_profile is not None

    # savepoint, the newest staff message, the waiting messages (locked), the
    # update, the audit event, release.
    with django_assert_num_queries(6):
        handled = conversation_no_reply_needed(staff_user=staff_user, application=application)

    assert len(handled) == count
    assert summary(cast.case.application).awaiting_reply_since is None


# Mark unread --------------------------------------------------------------------------------


def test_marking_a_read_message_unread_counts_it_unread_again(cast):
    message = MessageFactory(case=cast.case, status=Message.Status.READ, read_at=ago(hours=1))
    assert summary(cast.case.application).unread_by_staff == 0

    assert message_mark_unread(message=message, staff_user=cast.caseworker) is True

    assert (message.status, message.read_at) == (Message.Status.UNREAD, None)
    message.refresh_from_db()
    assert (message.status, message.read_at) == (Message.Status.UNREAD, None)
    assert summary(cast.case.application).unread_by_staff == 1
    event = MessageEvent.objects.get(event_type=MessageEvent.Type.MARKED_UNREAD)
    assert (event.message_id, event.case_id, event.actor_user_id) == (message.pk, cast.case.pk, cast.caseworker.pk)
    assert event.detail == {"previous_status": "read"}


def test_marking_an_unread_message_unread_changes_nothing(cast):
    message = MessageFactory(case=cast.case)

    assert message_mark_unread(message=message, staff_user=cast.supervisor) is False

    assert not MessageEvent.objects.filter(event_type=MessageEvent.Type.MARKED_UNREAD).exists()
    assert summary(cast.case.application).unread_by_staff == 1


def test_a_handled_message_marked_unread_waits_for_a_reply_again(cast):
    message = MessageFactory(case=cast.case)
    conversation_no_reply_needed(staff_user=cast.caseworker, application=cast.case.application)
    message.refresh_from_db()

    assert message_mark_unread(message=message, staff_user=cast.caseworker) is True

    row = summary(cast.case.application)
    assert (row.awaiting_reply_since, row.unread_by_staff) == (message.created_at, 1)
    assert MessageEvent.objects.get(event_type=MessageEvent.Type.MARKED_UNREAD).detail == {
        "previous_status": "archived"
    }
    assert conversations_differences() == []


def test_only_applicant_messages_not_withdrawn_can_be_marked_unread(cast):
    staff_message = StaffMessageFactory(case=cast.case, status=Message.Status.READ)
    withdrawn = MessageFactory(case=cast.case, status=Message.Status.READ, deleted=True)

    with pytest.raises(Conflict) as not_from_applicant:
        message_mark_unread(message=staff_message, staff_user=cast.caseworker)
    with pytest.raises(Conflict) as not_shown:
        message_mark_unread(message=withdrawn, staff_user=cast.caseworker)

    assert (not_from_applicant.value.code, not_shown.value.code) == ("not_from_applicant", "withdrawn")
    assert (status_of(staff_message), status_of(withdrawn)) == (Message.Status.READ, Message.Status.READ)
    assert not MessageEvent.objects.filter(event_type=MessageEvent.Type.MARKED_UNREAD).exists()


def test_an_applicant_cannot_mark_a_message_unread(cast):
    message = MessageFactory(case=cast.case, status=Message.Status.READ)

    with pytest.raises(PermissionRefused):
        message_mark_unread(message=message, staff_user=cast.applicant)

    assert status_of(message) == Message.Status.READ


# Urgency ------------------------------------------------------------------------------------


def test_urgency_is_set_and_cleared_each_change_recorded(cast):
    assert case_urgency_set(staff_user=cast.caseworker, case=cast.case, urgent=True) is True
    assert Case.objects.get(pk=cast.case.pk).urgent is True
    assert cast.case.urgent is True

    assert case_urgency_set(staff_user=cast.supervisor, case=cast.case, urgent=True) is False
    assert case_urgency_set(staff_user=cast.supervisor, case=cast.case, urgent=False) is True

    assert Case.objects.get(pk=cast.case.pk).urgent is False
    events = MessageEvent.objects.filter(event_type=MessageEvent.Type.CASE_URGENCY_CHANGED).order_by("pk")
    assert [(event.case_id, event.actor_user_id, event.detail) for event in events] == [
        (cast.case.pk, cast.caseworker.pk, {"urgent": True}),
        (cast.case.pk, cast.supervisor.pk, {"urgent": False}),
    ]


def test_urgency_of_one_case_leaves_the_others(cast):
    other = CaseFactory()

    case_urgency_set(staff_user=cast.supervisor, case=cast.case, urgent=True)

    assert Case.objects.get(pk=other.pk).urgent is False


def test_an_applicant_cannot_set_urgency(cast):
    with pytest.raises(PermissionRefused):
        case_urgency_set(staff_user=cast.applicant, case=cast.case, urgent=True)

    assert Case.objects.get(pk=cast.case.pk).urgent is False
    assert not MessageEvent.objects.filter(event_type=MessageEvent.Type.CASE_URGENCY_CHANGED).exists()


def test_a_staff_reply_after_handling_keeps_the_conversation_answered(cast):
    question = MessageFactory(case=cast.case)
    conversation_no_reply_needed(staff_user=cast.caseworker, application=cast.case.application)
    question.refresh_from_db()

    message_send_to_case(staff_user=cast.caseworker, case=cast.case, subject="s", body="b", reply_to=question)

    assert summary(cast.case.application).awaiting_reply_since is None
    assert conversations_differences() == []


@pytest.mark.mysql
@pytest.mark.django_db(transaction=True)
def test_of_two_staff_members_handling_at_once_the_second_finds_nothing_waiting():
    case = CaseFactory()
    staff_user = case.assigned_staff_profile.user
    MessageFactory(case=case)
    first_done, may_commit = threading.Event(), threading.Event()
    outcomes = {}

    def first():
        try:
            with transaction.atomic():
                outcomes["first"] = conversation_no_reply_needed(staff_user=staff_user, application=case.application)
                first_done.set()
                may_commit.wait(10)
        finally:
            connection.close()

    def second():
        try:
            outcomes["second"] = conversation_no_reply_needed(staff_user=staff_user, application=case.application)
        except Conflict as conflict:
            outcomes["second"] = conflict.code
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert first_done.wait(10)
    threads[1].start()
    # The second waits for the first's locks; let it reach them before the first commits.
    time.sleep(0.5)
    may_commit.set()
    for thread in threads:
        thread.join(10)

    assert len(outcomes["first"]) == 1
    assert outcomes["second"] == "nothing_awaiting"
    assert MessageEvent.objects.filter(event_type=MessageEvent.Type.NO_REPLY_NEEDED).count() == 1
