"""Read state belongs to the recipient side; mailbox or read state never grants access."""

import pytest

from intake.models import Message, MessageEvent
from intake.selectors import message_history
from intake.services.read_state import message_mark_read
from intake.services.sending import message_send_from_applicant
from intake.tests.factories import MessageFactory, StaffMessageFactory

pytestmark = pytest.mark.django_db


def test_any_staff_member_with_access_reads_an_applicant_message(cast):
    message = MessageFactory(case=cast.case)

    assert message_mark_read(message=message, reader=cast.supervisor) is True

    message.refresh_from_db()
    assert (message.status, message.read_at is not None) == (Message.Status.READ, True)
    assert MessageEvent.objects.get(event_type="message_read").actor_user_id == cast.supervisor.pk


def test_reading_twice_records_one_event(cast):
    message = MessageFactory(case=cast.case)

    message_mark_read(message=message, reader=cast.caseworker)
    message_mark_read(message=message, reader=cast.caseworker)

    assert MessageEvent.objects.filter(event_type="message_read").count() == 1


def test_sender_side_opening_changes_nothing(cast):
    message = StaffMessageFactory(case=cast.case)

    assert message_mark_read(message=message, reader=cast.caseworker) is False
    message.refresh_from_db()
    assert message.status == Message.Status.UNREAD


def test_replied_is_not_downgraded_to_read(cast):
    message = StaffMessageFactory(case=cast.case, status=Message.Status.REPLIED)

    assert message_mark_read(message=message, reader=cast.applicant) is False

    message.refresh_from_db()
    assert message.status == Message.Status.REPLIED


def test_history_lists_events_with_their_actors(cast):
    message = message_send_from_applicant(
        applicant=cast.applicant, application=cast.case.application, subject="s", body="b"
    )
    message_mark_read(message=message, reader=cast.caseworker)

    history = message_history(message)

    assert [(event.event_type, event.actor_user) for event in history] == [
        ("message_sent", cast.applicant),
        ("message_read", cast.caseworker),
    ]
