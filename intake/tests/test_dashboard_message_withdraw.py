import pytest
from django.urls import reverse

from casework.models import StaffProfile
from casework.tests.factories import CaseFactory, staff_user
from intake.models import Message, MessageAttachment, MessageEvent
from intake.tests.factories import DocumentFactory, MessageAttachmentFactory, MessageFactory, StaffMessageFactory

pytestmark = pytest.mark.django_db


def url(case, message):
    return reverse("dashboard:message_withdraw", args=[case.pk, message.pk])


def test_confirmation_says_the_applicant_sees_the_change_too(client):
    case = CaseFactory()
    message = StaffMessageFactory(case=case)
    client.force_login(case.assigned_staff_profile.user)

    response = client.get(url(case, message))

    body = response.content.decode()
    assert response.status_code == 200
    assert "for everyone, the applicant too" in body
    assert 'method="post"' in body
    message.refresh_from_db()
    assert not message.deleted


def test_post_withdraws_and_redirects_to_the_message(client):
    case = CaseFactory()
    message = StaffMessageFactory(case=case, subject="Wrong letter", body="Oops")
    client.force_login(case.assigned_staff_profile.user)

    response = client.post(url(case, message))

    message.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:message_detail", args=[case.pk, message.pk])
    assert message.deleted
    assert "Oops" not in message.body
    assert MessageEvent.objects.filter(message_id=message.pk, event_type=MessageEvent.Type.WITHDRAWN).exists()


def test_refused_with_the_reason_when_attachments_were_adopted(client):
    # Adoption now leaves staff messages alone; a document adopted from one
    # before that rule keeps its message from being withdrawn.
    case = CaseFactory()
    message = StaffMessageFactory(case=case)
    DocumentFactory(origin_attachment=MessageAttachmentFactory(message=message, original_filename="letter.pdf"))
    client.force_login(case.assigned_staff_profile.user)

    response = client.post(url(case, message))

    message.refresh_from_db()
    assert response.status_code == 409
    assert "already in the case file, so it cannot be withdrawn" in response.content.decode()
    assert not message.deleted
    assert MessageAttachment.objects.filter(message=message).count() == 1


def test_applicant_message_cannot_be_withdrawn(client):
    case = CaseFactory()
    message = MessageFactory(case=case, subject="Mine", body="Text")
    client.force_login(case.assigned_staff_profile.user)

    response = client.post(url(case, message))

    message.refresh_from_db()
    assert response.status_code == 409
    assert "Only messages sent to the applicant can be withdrawn." in response.content.decode()
    assert not message.deleted


def test_supervisor_can_withdraw_a_caseworkers_message(client):
    case = CaseFactory()
    message = StaffMessageFactory(case=case)
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    assert client.post(url(case, message)).status_code == 302
    message.refresh_from_db()
    assert message.deleted


@pytest.mark.parametrize("who", ["other_caseworker", "applicant"])
def test_outsiders_get_404_and_nothing_changes(client, who):
    case = CaseFactory()
    message = StaffMessageFactory(case=case)
    client.force_login(staff_user() if who == "other_caseworker" else case.application.submission.user)

    assert client.get(url(case, message)).status_code == 404
    assert client.post(url(case, message)).status_code == 404
    message.refresh_from_db()
    assert not message.deleted


def test_anonymous_visitor_is_sent_to_sign_in(client):
    case = CaseFactory()
    message = StaffMessageFactory(case=case)

    response = client.post(url(case, message))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url(case, message)}"
    assert not Message.objects.get().deleted
