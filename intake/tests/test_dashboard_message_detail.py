import pytest
from django.urls import reverse

from casework.models import Document, StaffProfile
from casework.tests.factories import CaseFactory, staff_user
from intake.models import Message, MessageEvent
from intake.services.sending import message_send_from_applicant, message_send_to_case
from intake.tests.factories import DocumentFactory, MessageAttachmentFactory, MessageFactory
from intake.tests.helpers import upload

pytestmark = pytest.mark.django_db


def url(case, message):
    return reverse("dashboard:message_detail", args=[case.pk, message.pk])


def test_opening_marks_applicant_message_read_and_shows_body_escaped(client):
    case = CaseFactory()
    message = MessageFactory(case=case, body="Line one\n<script>alert(1)</script>")
    client.force_login(case.assigned_staff_profile.user)

    response = client.get(url(case, message))

    body = response.content.decode()
    message.refresh_from_db()
    assert message.status == Message.Status.READ
    assert '<div class="message-body">Line one\n&lt;script&gt;alert(1)&lt;/script&gt;</div>' in body
    assert case.application.submission.reference_number in body


def test_the_case_team_is_named_once(client):
    """A message to nobody in particular goes to the case team: "Case team",
    not "Case team (Case team)"; a person is named with their role."""
    case = CaseFactory(assigned_staff_profile=None)
    message = MessageFactory(case=case, recipient=None)
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    body = client.get(url(case, message)).content.decode()

    assert "<dt>To</dt><dd>Case team</dd>" in body
    assert f"<dt>From</dt><dd>{message.sender.full_name} (Applicant)</dd>" in body


def test_opening_adopts_attachments_once_however_often(client):
    case = CaseFactory()
    message = MessageFactory(case=case)
    MessageAttachmentFactory(message=message, original_filename="one.pdf")
    MessageAttachmentFactory(message=message, original_filename="two.pdf")
    client.force_login(case.assigned_staff_profile.user)

    for _ in range(3):
        response = client.get(url(case, message))

    documents = Document.objects.filter(case=case)
    assert sorted(documents.values_list("file_name", flat=True)) == ["one.pdf", "two.pdf"]
    assert (
        MessageEvent.objects.filter(message_id=message.pk, event_type=MessageEvent.Type.ATTACHMENT_ADOPTED).count() == 2
    )
    body = response.content.decode()
    for attachment in message.attachments.all():
        assert reverse("dashboard:attachment_download", args=[case.pk, message.pk, attachment.pk]) in body


def test_opening_own_staff_message_changes_nothing_and_adopts_nothing(client):
    case = CaseFactory()
    caseworker = case.assigned_staff_profile.user
    message = message_send_to_case(
        staff_user=caseworker, case=case, subject="Hi", body="Text", files=[upload("proof.pdf")]
    )
    client.force_login(caseworker)

    response = client.get(url(case, message))

    message.refresh_from_db()
    assert message.status == Message.Status.UNREAD
    assert not Document.objects.exists()
    assert "proof.pdf" in response.content.decode()
    assert reverse("dashboard:message_withdraw", args=[case.pk, message.pk]) in response.content.decode()


def test_history_shows_who_sent_and_read(client):
    case = CaseFactory()
    message = message_send_from_applicant(
        applicant=case.application.submission.user,
        application=case.application,
        subject="Proof",
        body="Attached",
        files=[upload("proof.pdf")],
    )
    client.force_login(case.assigned_staff_profile.user)
    client.get(url(case, message))

    response = client.get(url(case, message))

    kinds = [event.event_type for event in response.context["history"]]
    # The file went into the case file when the message arrived, before anyone read it.
    assert kinds == ["attachment_uploaded", "message_sent", "attachment_adopted", "message_read"]
    body = response.content.decode()
    assert "Attachment added to the case file: proof.pdf" in body
    assert f"by {case.assigned_staff_profile.display_name} (Caseworker)" in body


def test_reply_form_is_prefilled_and_reply_links_to_parent(client):
    case = CaseFactory()
    message = MessageFactory(case=case, subject="Bus pass")
    client.force_login(case.assigned_staff_profile.user)

    page = client.get(url(case, message)).content.decode()
    response = client.post(url(case, message), {"subject": "Re: Bus pass", "body": "Approved."})

    reply = Message.objects.get(subject="Re: Bus pass")
    message.refresh_from_db()
    assert 'value="Re: Bus pass"' in page
    assert response.status_code == 302
    assert response["Location"] == url(case, reply)
    assert reply.reply_to == message
    assert reply.recipient == case.application.submission.user
    assert message.status == Message.Status.REPLIED


def test_reply_with_empty_body_keeps_subject(client):
    case = CaseFactory()
    message = MessageFactory(case=case)
    client.force_login(case.assigned_staff_profile.user)

    response = client.post(url(case, message), {"subject": "Re: kept", "body": ""})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter a message." in body
    assert 'value="Re: kept"' in body
    assert Message.objects.count() == 1


def test_withdrawn_message_shows_only_the_notice(client):
    case = CaseFactory()
    caseworker = case.assigned_staff_profile.user
    message = message_send_to_case(staff_user=caseworker, case=case, subject="Secret subject", body="Secret")
    client.force_login(caseworker)
    client.post(reverse("dashboard:message_withdraw", args=[case.pk, message.pk]))

    body = client.get(url(case, message)).content.decode()

    assert "This message was withdrawn by the ISET case team." in body
    assert "Secret" not in body


def test_message_of_another_case_is_404_even_for_supervisor(client):
    case, other = CaseFactory(), CaseFactory()
    message = MessageFactory(case=other)
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    assert client.get(url(case, message)).status_code == 404


def test_supervisor_can_open_any_message(client):
    case = CaseFactory()
    message = MessageFactory(case=case)
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    assert client.get(url(case, message)).status_code == 200


def test_other_caseworker_gets_404_for_message_attachment_and_document(client):
    case = CaseFactory()
    document = DocumentFactory(origin_attachment__message__case=case)
    attachment, message = document.origin_attachment, document.origin_message
    client.force_login(staff_user())

    assert client.get(url(case, message)).status_code == 404
    assert client.post(url(case, message), {"subject": "x", "body": "y"}).status_code == 404
    assert (
        client.get(reverse("dashboard:attachment_download", args=[case.pk, message.pk, attachment.pk])).status_code
        == 404
    )
    assert client.get(reverse("dashboard:document_download", args=[case.pk, document.pk])).status_code == 404
    message.refresh_from_db()
    assert message.status == Message.Status.UNREAD
    assert Message.objects.count() == 1


def test_applicant_gets_404_for_message_attachment_and_document(client):
    case = CaseFactory()
    document = DocumentFactory(origin_attachment__message__case=case)
    attachment, message = document.origin_attachment, document.origin_message
    client.force_login(case.application.submission.user)

    assert client.get(url(case, message)).status_code == 404
    assert (
        client.get(reverse("dashboard:attachment_download", args=[case.pk, message.pk, attachment.pk])).status_code
        == 404
    )
    assert client.get(reverse("dashboard:document_download", args=[case.pk, document.pk])).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client):
    case = CaseFactory()
    message = MessageFactory(case=case)

    response = client.get(url(case, message))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url(case, message)}"
    message.refresh_from_db()
    assert message.status == Message.Status.UNREAD


@pytest.mark.parametrize("count", [1, 50])
def test_query_count_does_not_grow_with_messages(client, django_assert_num_queries, count):
    case = CaseFactory()
    for message in MessageFactory.create_batch(count, case=case):
        MessageAttachmentFactory(message=message)
    client.force_login(case.assigned_staff_profile.user)
    client.get(url(case, message))  # first opening adopts; measure a repeat opening

    # session, user (with staff profile), case with its tab counts, message
    # (already read: no write), attachments with their documents (all adopted
    # already: no lock, no write), message rows (the row count comes from the
    # tab counts), case-file documents, history events with their actors, the
    # case's history (its own audit events with their actors), the access
    # log's INSERT (message viewed), the message's e-mail notices with their
    # recipients
    # + the case's internal notes, the colleagues a note may mention, the saved replies to choose from
    # + the writer's saved draft of this conversation (none here)
    with django_assert_num_queries(15):
        response = client.get(url(case, message))

    assert response.status_code == 200
