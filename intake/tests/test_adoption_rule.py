"""Only an applicant's attachments go into the case file, whichever way a
message is opened (the case page or the JSON API): a staff message's files
stay out, so its sender can still withdraw it."""

import pytest
from django.urls import reverse

from casework.models import Document
from intake.models import Message, MessageEvent
from intake.services.sending import message_send_from_applicant, message_send_to_case
from intake.tests.helpers import stored_files, upload
from intake.tests.worker import tasks_run

pytestmark = pytest.mark.django_db


def staff_message_with_file(cast):
    return message_send_to_case(
        staff_user=cast.caseworker, case=cast.case, subject="Your letter", body="Attached.", files=[upload("letter.pdf")]
    )


@pytest.mark.parametrize("who", ["caseworker", "supervisor"])
def test_api_lists_a_staff_messages_attachments_and_adopts_nothing(cast, who):
    message = staff_message_with_file(cast)
    attachment = message.attachments.get()

    response = cast.client_for(getattr(cast, who)).get(
        f"/api/admin/messages/{message.pk}/attachments?case_id={cast.case.pk}"
    )

    assert response.status_code == 200
    listed = response.json()["attachments"]
    assert [(item["id"], item["name"], item["document_id"], item["document_url"]) for item in listed] == [
        (attachment.pk, "letter.pdf", None, None)
    ]
    assert listed[0]["download_url"] == reverse(
        "dashboard:attachment_download", args=[cast.case.pk, message.pk, attachment.pk]
    )
    assert not Document.objects.exists()
    assert not MessageEvent.objects.filter(event_type=MessageEvent.Type.ATTACHMENT_ADOPTED).exists()


def test_after_the_api_listed_it_the_sender_can_still_withdraw_it(cast):
    message = staff_message_with_file(cast)
    key = message.attachments.get().file_path
    client = cast.client_for(cast.caseworker)
    client.get(f"/api/admin/messages/{message.pk}/attachments?case_id={cast.case.pk}")

    response = client.post(reverse("dashboard:message_withdraw", args=[cast.case.pk, message.pk]))
    tasks_run()  # the worker drains the file outbox

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.deleted is True
    assert not message.attachments.exists()
    assert key not in stored_files()


def test_supervisor_opening_a_staff_message_on_the_case_page_adopts_nothing(cast):
    message = staff_message_with_file(cast)

    response = cast.client_for(cast.supervisor).get(
        reverse("dashboard:message_detail", args=[cast.case.pk, message.pk])
    )

    assert response.status_code == 200
    assert "letter.pdf" in response.content.decode()
    assert not Document.objects.exists()
    message.refresh_from_db()
    assert message.status == Message.Status.UNREAD


def test_an_applicants_attachments_are_adopted_on_arrival_and_the_api_lists_them(cast):
    # Adoption now happens when the message arrives on the case (it used to wait
    # for the API or the case page to open the message); opening it finds the
    # document there and makes no second one.
    message = message_send_from_applicant(
        applicant=cast.applicant, application=cast.case.application, subject="Stub", body="Here", files=[upload()]
    )
    document = Document.objects.get()
    assert document.origin_message_id == message.pk

    data = cast.client_for(cast.caseworker).get(
        f"/api/admin/messages/{message.pk}/attachments?case_id={cast.case.pk}"
    ).json()

    assert [item["document_id"] for item in data["attachments"]] == [document.pk]
    assert list(Document.objects.values_list("pk", flat=True)) == [document.pk]
    assert MessageEvent.objects.filter(event_type=MessageEvent.Type.ATTACHMENT_ADOPTED).count() == 1
