"""Notification e-mail through the task queue (issue 14): queued in the
sending transaction, delivered by the worker with retries and a growing
delay, never twice, and its state shown to staff on the message."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import dateformat, timezone
from django_tasks_db.models import DBTaskResult

from casework.models import User
from common.tasks import retry_delay
from intake.models import EmailNotice, Message
from intake.notifications import notices_deliver, notices_requeue_stale
from intake.services.sending import message_send_from_applicant, message_send_to_case
from intake.services.withdrawal import message_withdraw
from intake.tests.helpers import stored_files, upload
from intake.tests.worker import tasks_queued, tasks_run, time_passes

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


@pytest.fixture
def smtp_failures(monkeypatch):
    """The mail server refuses the next `failures[0]` e-mails, then accepts them."""
    from django.core.mail.backends.locmem import EmailBackend

    failures = [0]
    real = EmailBackend.send_messages

    def send_messages(self, messages):
        if failures[0] > 0:
            failures[0] -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    return failures


def staff_send(cast, **kwargs):
    return message_send_to_case(
        staff_user=cast.caseworker, case=cast.case, subject="Documents", body="Please send them.", **kwargs
    )


# Queued in the sending transaction ---------------------------------------------------------


def test_a_rolled_back_send_queues_nothing(cast):
    with pytest.raises(Rollback), transaction.atomic():
        staff_send(cast, files=[upload()])
        assert EmailNotice.objects.count() == 1 and len(tasks_queued()) == 1  # inside: queued with the message
        raise Rollback

    assert not Message.objects.exists()
    assert not EmailNotice.objects.exists()
    assert not DBTaskResult.objects.exists()
    assert tasks_run() == 0
    assert mail.outbox == []


def test_a_send_that_fails_after_the_notice_was_written_queues_nothing(cast, monkeypatch):
    def broken_confirm(keys):
        raise RuntimeError("storage bookkeeping failed")

    monkeypatch.setattr("intake.outbox.uploads_confirm", broken_confirm)

    with pytest.raises(RuntimeError):
        staff_send(cast, files=[upload()])

    assert not EmailNotice.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_the_worker_delivers_the_notice_and_records_when(cast):
    message = staff_send(cast)
    assert mail.outbox == []

    before = timezone.now()
    assert tasks_run() == 1

    [email] = mail.outbox
    assert email.to == [cast.applicant.email]
    notice = EmailNotice.objects.get(message_id=message.pk)
    assert (notice.status, notice.attempts, notice.last_error) == ("sent", 1, "")
    assert before <= notice.sent_at <= timezone.now()


def test_a_notice_already_sent_is_not_sent_twice(cast):
    staff_send(cast)
    notice = EmailNotice.objects.get()
    tasks_run()

    # The same task again (a redelivery, a second worker), and the sweep for lost tasks.
    assert notices_deliver([notice.pk])["skipped"] == 1
    time_passes(timedelta(days=1))
    assert notices_requeue_stale() == 0
    tasks_run()

    assert len(mail.outbox) == 1
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("sent", 1)


def test_two_deliveries_of_one_notice_at_once_send_one_email(cast):
    staff_send(cast)
    notice = EmailNotice.objects.get()
    # A second worker has just claimed it (and is sending): this one leaves it alone.
    EmailNotice.objects.filter(pk=notice.pk).update(status="sending", attempts=1, next_attempt_at=timezone.now())

    assert notices_deliver([notice.pk]) == {"sent": 0, "retrying": 0, "failed": 0, "cancelled": 0, "skipped": 1}
    assert mail.outbox == []


def test_a_failure_is_retried_later_then_succeeds(cast, smtp_failures, settings):
    settings.NOTICE_RETRY_SECONDS = 60
    smtp_failures[0] = 1
    staff_send(cast)

    tasks_run()

    notice = EmailNotice.objects.get()
    assert (notice.status, notice.attempts, notice.last_error) == ("retrying", 1, "SMTPServerDisconnected")
    assert timedelta(seconds=55) < notice.next_attempt_at - timezone.now() <= timedelta(seconds=60)
    [retry] = tasks_queued("intake.tasks.notices_deliver")
    assert retry.args_kwargs["args"] == [[notice.pk]]
    assert tasks_run() == 0  # not before its time
    assert mail.outbox == []

    time_passes(timedelta(seconds=61))
    tasks_run()

    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.last_error) == ("sent", 2, "")
    assert [email.to for email in mail.outbox] == [[cast.applicant.email]]


def test_the_delay_doubles_up_to_an_hour(settings):
    settings.NOTICE_RETRY_SECONDS = 60

    assert [retry_delay(n).total_seconds() for n in range(1, 9)] == [60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_gives_up_after_the_last_attempt(cast, smtp_failures, settings):
    settings.NOTICE_MAX_ATTEMPTS = 3
    smtp_failures[0] = 100
    staff_send(cast)

    for _attempt in range(3):
        tasks_run()
        time_passes(timedelta(hours=2))
    tasks_run()

    notice = EmailNotice.objects.get()
    assert (notice.status, notice.attempts, notice.last_error) == ("failed", 3, "SMTPServerDisconnected")
    assert tasks_queued() == []
    assert mail.outbox == []


def test_mail_server_down_every_notice_of_the_batch_waits_for_the_next_try(cast, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    def refuse(self):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(EmailBackend, "open", refuse, raising=False)
    staff_send(cast)
    staff_send(cast)

    tasks_run()

    assert set(EmailNotice.objects.values_list("status", "attempts", "last_error")) == {
        ("retrying", 1, "ConnectionRefusedError")
    }


def test_a_notice_of_a_message_withdrawn_before_it_went_is_cancelled(cast):
    message = staff_send(cast)
    message_withdraw(staff_user=cast.caseworker, case=cast.case, message=message)

    tasks_run()

    assert mail.outbox == []
    assert EmailNotice.objects.get().status == "cancelled"


def test_no_notice_to_an_applicant_who_can_no_longer_sign_in(cast):
    staff_send(cast)
    User.objects.filter(pk=cast.applicant.pk).update(is_active=False)

    tasks_run()

    assert mail.outbox == []
    assert EmailNotice.objects.get().status == "cancelled"


def test_a_lost_task_is_queued_again_by_the_sweep(cast):
    staff_send(cast)
    DBTaskResult.objects.all().delete()  # as if it never reached the queue (Redis down at commit)
    assert notices_requeue_stale() == 0  # not yet: it may still be on its way

    time_passes(timedelta(minutes=16))
    assert notices_requeue_stale() == 1
    tasks_run()

    assert len(mail.outbox) == 1
    assert EmailNotice.objects.get().status == "sent"


def test_a_notice_claimed_by_a_worker_that_died_is_sent_by_another(cast):
    staff_send(cast)
    notice = EmailNotice.objects.get()
    DBTaskResult.objects.all().delete()
    EmailNotice.objects.filter(pk=notice.pk).update(status="sending", attempts=1, next_attempt_at=timezone.now())

    time_passes(timedelta(minutes=16))
    assert notices_requeue_stale() == 1
    tasks_run()

    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("sent", 2)


def test_the_send_does_not_wait_for_the_mail_server(cast, monkeypatch):
    """The request path never opens an SMTP connection: a server that would hang
    or refuse changes nothing about the send (bench/email_benchmark.py times it)."""
    from django.core.mail.backends.locmem import EmailBackend

    def must_not_be_called(*args, **kwargs):
        raise AssertionError("the send talked to the mail server")

    monkeypatch.setattr(EmailBackend, "send_messages", must_not_be_called)
    monkeypatch.setattr(EmailBackend, "open", must_not_be_called, raising=False)

    message = message_send_from_applicant(
        applicant=cast.applicant, application=cast.case.application, subject="s", body="b", files=[upload()]
    )

    assert message.pk is not None
    assert message.attachments.get().file_path in stored_files()


def test_email_timeout_is_set(settings):
    from django.core.mail import get_connection

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

    assert settings.EMAIL_TIMEOUT == 10
    assert get_connection().timeout == 10


# Shown to staff on the message -----------------------------------------------------------


def message_page(client, cast, message):
    return client.get(reverse("dashboard:message_detail", args=[cast.case.pk, message.pk])).content.decode()


def test_the_message_page_shows_each_notice_state_without_content(cast, smtp_failures, settings):
    settings.NOTICE_MAX_ATTEMPTS = 2
    client = cast.client_for(cast.caseworker)
    waiting = staff_send(cast)
    assert "E-mail notice to" in message_page(client, cast, waiting)
    assert "waiting to be sent" in message_page(client, cast, waiting)

    tasks_run()
    body = message_page(client, cast, waiting)
    notice = EmailNotice.objects.get(message_id=waiting.pk)
    sent_at = dateformat.format(timezone.localtime(notice.sent_at), "c")
    assert f'E-mail notice to {cast.applicant.full_name}:' in body
    assert f'sent at <time datetime="{sent_at}">' in body

    smtp_failures[0] = 100
    retrying = staff_send(cast)
    tasks_run()
    body = message_page(client, cast, retrying)
    assert "failed, retrying at <time" in body

    time_passes(timedelta(hours=2))
    tasks_run()
    body = message_page(client, cast, retrying)
    assert "gave up after 2 attempts" in body
    # States and names only: no address, no subject, no body of the e-mail.
    notices_part = body[body.index("E-mail notices") : body.index("History")]
    assert cast.applicant.email not in notices_part
    assert "Please send them" not in notices_part and "Documents" not in notices_part


def test_outsiders_do_not_see_the_notices(cast):
    message = staff_send(cast)
    tasks_run()
    url = reverse("dashboard:message_detail", args=[cast.case.pk, message.pk])

    assert cast.client_for(cast.other_caseworker).get(url).status_code == 404
    assert cast.client_for(cast.other_applicant).get(url).status_code == 404


def test_a_process_that_sends_no_email_records_its_notices_as_not_needed(cast, settings):
    """demo_data writes its demo through the services with the dummy backend: its people have no mailboxes."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"

    staff_send(cast)

    assert list(EmailNotice.objects.values_list("status", flat=True)) == ["cancelled"]
    assert tasks_queued() == []
