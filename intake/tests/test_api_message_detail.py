"""GET /api/messages/<id> (applicant): their own message, with tracking_id."""

import pytest

from casework.tests.factories import ApplicationFactory
from intake.models import Message
from intake.services.withdrawal import message_withdraw
from intake.tests.factories import MessageAttachmentFactory, MessageFactory, StaffMessageFactory

pytestmark = pytest.mark.django_db


def url(message_id):
    return f"/api/messages/{message_id}"


def test_applicant_reads_their_message_with_booking_reference_and_body(cast):
    message = StaffMessageFactory(case=cast.case, body="Line 1\nLine 2")
    MessageAttachmentFactory(message=message, original_filename="form.pdf")

    data = cast.client_for(cast.applicant).get(url(message.pk)).json()

    assert data["tracking_id"] == cast.case.application.submission.reference_number
    assert data["body"] == "Line 1\nLine 2"
    assert data["attachments"][0]["name"] == "form.pdf"
    attachment_id = data["attachments"][0]["id"]
    assert data["attachments"][0]["download_url"] == f"/messages/{message.pk}/attachments/{attachment_id}/"


def test_booking_reference_via_application_when_case_id_is_null(cast):
    application = ApplicationFactory(submission__user=cast.applicant)
    message = MessageFactory(case=None, application=application)
    assert message.case_id is None

    data = cast.client_for(cast.applicant).get(url(message.pk)).json()

    assert data["tracking_id"] == application.submission.reference_number


def test_booking_reference_via_case_when_application_id_is_missing(cast):
    message = StaffMessageFactory(case=cast.case)
    Message.objects.filter(pk=message.pk).update(application=None)

    data = cast.client_for(cast.applicant).get(url(message.pk)).json()

    assert data["tracking_id"] == cast.case.application.submission.reference_number


def test_tracking_id_is_null_when_it_cannot_be_resolved(cast):
    from intake.presenters import message_summary
    from intake.selectors import messages_annotated

    message = StaffMessageFactory(case=cast.case)
    annotated = messages_annotated().get(pk=message.pk)
    annotated.tracking_id = None

    assert message_summary(annotated)["tracking_id"] is None


def test_opening_marks_a_staff_message_read(cast):
    message = StaffMessageFactory(case=cast.case)

    data = cast.client_for(cast.applicant).get(url(message.pk)).json()

    message.refresh_from_db()
    assert message.status == Message.Status.READ
    assert message.read_at is not None
    assert data["status"] == "read"


def test_applicant_opening_their_own_message_does_not_mark_it_read(cast):
    message = MessageFactory(case=cast.case)

    cast.client_for(cast.applicant).get(url(message.pk))

    message.refresh_from_db()
    assert message.status == Message.Status.UNREAD


@pytest.mark.parametrize("who", ["other_applicant", "caseworker", "other_caseworker", "supervisor"])
def test_everyone_else_gets_404(cast, who):
    message = StaffMessageFactory(case=cast.case, body="secret")

    response = cast.client_for(getattr(cast, who)).get(url(message.pk))

    assert response.status_code == 404
    assert "secret" not in response.content.decode()
    message.refresh_from_db()
    assert message.status == Message.Status.UNREAD


def test_anonymous_gets_401(cast):
    message = StaffMessageFactory(case=cast.case)

    assert cast.client_for(None).get(url(message.pk)).status_code == 401


def test_mailbox_alone_grants_nothing(cast):
    """A message whose recipient column names the applicant, but which belongs to
    another applicant's thread (corrupt legacy data), stays invisible (invariant 5)."""
    message = StaffMessageFactory(case=cast.case)
    Message.objects.filter(pk=message.pk).update(recipient=cast.other_applicant)

    assert cast.client_for(cast.other_applicant).get(url(message.pk)).status_code == 404


def test_withdrawn_message_shows_only_the_notice(cast):
    message = StaffMessageFactory(case=cast.case, subject="Income figures", body="SIN 123 456 789")
    MessageAttachmentFactory(message=message, original_filename="sin.pdf")
    message_withdraw(staff_user=cast.caseworker, case=cast.case, message=message)

    response = cast.client_for(cast.applicant).get(url(message.pk))

    text = response.content.decode()
    for content in ("Income figures", "SIN 123", "sin.pdf"):
        assert content not in text
    assert response.json()["withdrawn"] is True
    assert response.json()["attachments"] == []


def test_message_query_count_is_the_same_for_1_and_5_attachments(cast, django_assert_num_queries):
    one, five = StaffMessageFactory.create_batch(2, case=cast.case)
    MessageAttachmentFactory(message=one)
    MessageAttachmentFactory.create_batch(5, message=five)
    client = cast.client_for(cast.applicant)
    client.get(url(one.pk))
    client.get(url(five.pk))

    # session, user+role, message with its joins, attachments (already read: no update)
    with django_assert_num_queries(4):
        assert len(client.get(url(one.pk)).json()["attachments"]) == 1
    with django_assert_num_queries(4):
        assert len(client.get(url(five.pk)).json()["attachments"]) == 5


def test_message_query_count_does_not_grow_with_the_thread(cast, django_assert_num_queries):
    first = StaffMessageFactory(case=cast.case)
    client = cast.client_for(cast.applicant)
    client.get(url(first.pk))

    with django_assert_num_queries(4):
        client.get(url(first.pk))
    StaffMessageFactory.create_batch(49, case=cast.case)
    with django_assert_num_queries(4):
        client.get(url(first.pk))
