"""Nothing sent twice (issue 16): every compose and reply form carries a
one-time key, the JSON API takes an Idempotency-Key; a second send with the
same key creates nothing and says the message was already sent."""

import threading
import time

import pytest
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse

from casework.tests.factories import CaseFactory
from common.errors import AlreadySent
from intake.models import Message, MessageAttachment
from intake.services.sending import message_send_from_applicant, message_send_to_case
from intake.tests.helpers import upload
from intake.tests.worker import tasks_run

pytestmark = pytest.mark.django_db


def _form_key(response):
    """The one-time key of the form a page shows."""
    return response.context["form"]["submission_key"].value()


def test_the_service_sends_a_key_once():
    case = CaseFactory()
    applicant = case.application.submission.user

    first = message_send_from_applicant(
        applicant=applicant, application=case.application, subject="Hi", body="Once", submission_key="k-1"
    )
    with pytest.raises(AlreadySent) as again:
        message_send_from_applicant(
            applicant=applicant,
            application=case.application,
            subject="Hi",
            body="Once",
            submission_key="k-1",
            files=[upload("a.txt", b"a file\n", "text/plain")],
        )

    assert again.value.sent.pk == first.pk
    assert Message.objects.count() == 1
    assert not MessageAttachment.objects.exists()
    tasks_run()
    assert len(mail.outbox) == 1  # one notice, for the one message


def test_keys_belong_to_their_sender():
    case = CaseFactory()
    applicant, caseworker = case.application.submission.user, case.assigned_staff_profile.user

    message_send_from_applicant(applicant=applicant, application=case.application, subject="A", body="A", submission_key="same")
    message_send_to_case(staff_user=caseworker, case=case, subject="B", body="B", submission_key="same")

    assert Message.objects.count() == 2


def test_back_then_send_again_on_compose_sends_one_message(applicant_client, case):
    compose = reverse("portal:compose")
    key = _form_key(applicant_client.get(compose))
    data = {"application": case.application.pk, "subject": "My start date", "body": "Is it Monday?", "submission_key": key}

    first = applicant_client.post(compose, data)
    second = applicant_client.post(compose, data, follow=True)

    [message] = Message.objects.all()
    assert first["Location"] == reverse("portal:message_detail", args=[message.pk])
    assert second.redirect_chain[-1][0] == reverse("portal:message_detail", args=[message.pk])
    assert "You already sent this message at" in second.content.decode()
    assert "It was not sent again." in second.content.decode()


def test_a_form_sent_back_with_errors_keeps_its_key_and_sends_once_corrected(applicant_client, case):
    compose = reverse("portal:compose")
    key = _form_key(applicant_client.get(compose))
    data = {"application": case.application.pk, "subject": "", "body": "Typed", "submission_key": key}

    refused = applicant_client.post(compose, data)
    assert _form_key(refused) == key
    applicant_client.post(compose, {**data, "subject": "Now with a subject"})
    applicant_client.post(compose, {**data, "subject": "Now with a subject"})

    assert Message.objects.filter(subject="Now with a subject").count() == 1


def test_every_form_shown_gets_its_own_key(applicant_client, case):
    compose = reverse("portal:compose")

    assert _form_key(applicant_client.get(compose)) != _form_key(applicant_client.get(compose))


def test_a_reply_in_the_conversation_is_sent_once(applicant_client, case):
    page = reverse("portal:conversation", args=[case.application_id])
    message_send_to_case(staff_user=case.assigned_staff_profile.user, case=case, subject="Question", body="?")
    key = _form_key(applicant_client.get(page))
    data = {"subject": "Re: Question", "body": "Answer", "submission_key": key}

    applicant_client.post(page, data)
    applicant_client.post(page, data)

    assert Message.objects.filter(subject="Re: Question").count() == 1


def test_a_caseworker_reply_is_sent_once(client):
    case = CaseFactory()
    client.force_login(case.assigned_staff_profile.user)
    page = reverse("dashboard:case_detail", args=[case.pk])
    key = _form_key(client.get(page))
    data = {"subject": "Documents", "body": "Please send them.", "submission_key": key}

    client.post(page, data)
    again = client.post(page, data, follow=True)

    [message] = Message.objects.all()
    assert again.redirect_chain[-1][0] == reverse("dashboard:message_detail", args=[case.pk, message.pk])
    assert "You already sent this message at" in again.content.decode()


def test_the_api_replays_an_idempotency_key(client):
    case = CaseFactory()
    client.force_login(case.assigned_staff_profile.user)
    url = reverse("api:case_messages", args=[case.pk])
    body = {"subject": "Documents", "body": "Please send them."}

    first = client.post(url, body, content_type="application/json", headers={"Idempotency-Key": "retry-7"})
    second = client.post(url, body, content_type="application/json", headers={"Idempotency-Key": "retry-7"})
    unkeyed = [client.post(url, body, content_type="application/json") for _ in range(2)]

    assert first.status_code == 201 and "Idempotent-Replayed" not in first
    assert second.status_code == 200 and second["Idempotent-Replayed"] == "true"
    assert second.json()["id"] == first.json()["id"]
    assert [response.status_code for response in unkeyed] == [201, 201]
    assert Message.objects.count() == 3


def test_the_api_refuses_a_bad_key_and_a_key_reused_on_another_case(client):
    case, other = CaseFactory(), CaseFactory()
    caseworker = case.assigned_staff_profile.user
    other.assigned_staff_profile = case.assigned_staff_profile
    other.save()
    client.force_login(caseworker)
    body = {"subject": "S", "body": "B"}

    bad = client.post(
        reverse("api:case_messages", args=[case.pk]), body, content_type="application/json",
        headers={"Idempotency-Key": "no spaces allowed"},
    )
    client.post(
        reverse("api:case_messages", args=[case.pk]), body, content_type="application/json",
        headers={"Idempotency-Key": "k"},
    )
    reused = client.post(
        reverse("api:case_messages", args=[other.pk]), body, content_type="application/json",
        headers={"Idempotency-Key": "k"},
    )

    assert bad.status_code == 400 and bad.json()["error"] == "invalid_idempotency_key"
    assert reused.status_code == 409 and reused.json()["error"] == "idempotency_key_reused"
    assert Message.objects.count() == 1


@pytest.mark.mysql
@pytest.mark.django_db(transaction=True)
def test_two_sends_of_one_key_at_once_make_one_message():
    case = CaseFactory()
    applicant = case.application.submission.user
    outcome = {}

    def send():
        # A request of its own: its own connection. It finds no message with
        # the key (the other send has not committed) and waits at its INSERT.
        try:
            outcome["result"] = message_send_from_applicant(
                applicant=applicant, application=case.application, subject="Hi", body="Twice?", submission_key="dbl"
            )
        except Exception as exc:  # asserted below
            outcome["result"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=send)
    with transaction.atomic():
        first = message_send_from_applicant(
            applicant=applicant, application=case.application, subject="Hi", body="Twice?", submission_key="dbl"
        )
        thread.start()
        _inserts_waiting_until(1)
    thread.join()

    assert isinstance(outcome["result"], AlreadySent)
    assert outcome["result"].sent.pk == first.pk
    assert Message.objects.count() == 1


def _inserts_waiting_until(count, timeout=10.0):
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE info LIKE 'INSERT INTO `messages`%%'"
            )
            if cursor.fetchone()[0] >= count:
                return
            time.sleep(0.02)
    raise AssertionError("the second send never reached its INSERT")
