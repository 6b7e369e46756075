"""A reply to a message withdrawn meanwhile (issue 15) says so, next to the
form, with everything typed still there; before, the applicant's page came
back without the reply form and without a word, and the text was lost."""

import pytest
from django.urls import reverse

from intake.models import Message
from intake.services.sending import message_send_to_case
from intake.services.withdrawal import message_withdraw

pytestmark = pytest.mark.django_db

REFUSAL = "That message was withdrawn, so it cannot be answered."


@pytest.fixture
def withdrawn(case):
    caseworker = case.assigned_staff_profile.user
    message = message_send_to_case(staff_user=caseworker, case=case, subject="Your SIN", body="Secret")
    message_withdraw(staff_user=caseworker, case=case, message=message)
    message.refresh_from_db()
    return message


def test_applicant_reply_to_a_withdrawn_message_shows_the_error_and_keeps_the_text(applicant_client, case, withdrawn):
    response = applicant_client.post(
        reverse("portal:message_detail", args=[withdrawn.pk]),
        {"subject": "Re: my SIN", "body": "Here is what I typed for a long time"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert REFUSAL in page
    assert 'role="alert"' in page
    assert 'value="Re: my SIN"' in page and "Here is what I typed for a long time" in page
    # The text can go to the conversation instead, with one click.
    assert f'action="{reverse("portal:conversation", args=[case.application.pk])}"' in page
    assert not Message.objects.filter(direction=Message.Direction.APPLICANT_TO_STAFF).exists()


def test_the_kept_text_sent_to_the_conversation_arrives(applicant_client, case, withdrawn):
    response = applicant_client.post(
        reverse("portal:conversation", args=[case.application.pk]),
        {"subject": "Re: my SIN", "body": "Here is what I typed"},
    )

    sent = Message.objects.get(direction=Message.Direction.APPLICANT_TO_STAFF)
    assert response.status_code == 302
    assert sent.reply_to_id is None  # the withdrawn message is answered by nothing
    assert sent.body == "Here is what I typed"


def test_staff_reply_to_a_withdrawn_message_shows_the_error_and_keeps_the_text(client, case, withdrawn):
    client.force_login(case.assigned_staff_profile.user)

    response = client.post(
        reverse("dashboard:message_detail", args=[case.pk, withdrawn.pk]),
        {"subject": "Correction", "body": "The corrected text I typed"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert REFUSAL in page
    assert "The corrected text I typed" in page
    assert Message.objects.count() == 1
