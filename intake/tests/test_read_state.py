"""Read state belongs to the recipient side; mailbox or read state never grants access."""

import pytest

from intake.models import Message, MessageEvent
from intake.selectors import message_history
from intake.services import message_mark_read, message_send_from_applicant, message_send_to_case

pytestmark = pytest.mark.django_db


def applicant_message(cast):
    return message_send_from_applicant(
        applicant=cast.applicant, application_id=cast.case.application_id, subject="s", body="b"
    )


def test_any_staff_member_with_access_reads_an_applicant_message(cast):
    message = applicant_message(cast)

    assert message_mark_read(message=message, reader=cast.supervisor) is True

    message.refresh_from_db()
    assert (message.status, message.read_at is not None) == (Message.Status.READ, True)
    assert MessageEvent.objects.get(event_type="message_read").actor_user_id == cast.supervisor.pk


def test_reading_twice_records_one_event(cast):
    message = applicant_message(cast)

    message_mark_read(message=message, reader=cast.caseworker)
    message_mark_read(message=message, reader=cast.caseworker)

    assert MessageEvent.objects.filter(event_type="message_read").count() == 1


def test_sender_side_opening_changes_nothing(cast):
    message = message_send_to_case(staff_user=cast.caseworker, case_id=cast.case.pk, subject="s", body="b")

    assert message_mark_read(message=message, reader=cast.caseworker) is False
    message.refresh_from_db()
    assert message.status == Message.Status.UNREAD


def test_replied_is_not_downgraded_to_read(cast):
    message = message_send_to_case(staff_user=cast.caseworker, case_id=cast.case.pk, subject="s", body="b")
    message_send_from_applicant(applicant=cast.applicant, reply_to_id=message.pk, subject="Re", body="b")
    message.refresh_from_db()

    message_mark_read(message=message, reader=cast.applicant)

    message.refresh_from_db()
    assert message.status == Message.Status.REPLIED


def test_history_lists_events_with_their_actors(cast):
    message = applicant_message(cast)
    message_mark_read(message=message, reader=cast.caseworker)

    history = message_history(message)

    assert [(event.event_type, event.actor) for event in history] == [
        ("message_sent", cast.applicant),
        ("message_read", cast.caseworker),
    ]
