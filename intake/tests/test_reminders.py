"""Unread reminders (issue 14): one content-free e-mail, in the applicant's
language, for a staff message left unread for REMINDER_AFTER_DAYS days
(REMINDER_AFTER_DAYS_URGENT when urgent); never a second one, never for a
read or withdrawn message; audited; safe when two workers run it at once."""

import io
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from casework.models import User
from intake.models import EmailNotice, Message, MessageEvent
from intake.reminders import reminders_due, reminders_queue
from intake.services.read_state import message_mark_read
from intake.services.withdrawal import message_withdraw
from intake.tests.factories import MessageFactory, StaffMessageFactory
from intake.tests.worker import tasks_run

SECRET_SUBJECT = "Your income assessment"
SECRET_BODY = "Your SIN 046 454 286"


def days_ago(days, *, hours=0, minutes=0):
    return timezone.now() - timedelta(days=days, hours=hours, minutes=minutes)


def unread_for(case, days, *, hours=0, minutes=0, **fields):
    """A staff message to the case's applicant, sent that long ago and still unread."""
    return StaffMessageFactory(
        case=case,
        created_at=days_ago(days, hours=hours, minutes=minutes),
        subject=SECRET_SUBJECT,
        body=SECRET_BODY,
        **fields,
    )


def all_text(email):
    return email.subject + email.body + "".join(content for content, _type in email.alternatives)


@pytest.mark.django_db
def test_a_message_unread_for_seven_days_gets_one_content_free_reminder(cast):
    message = unread_for(cast.case, days=7, minutes=1)

    assert reminders_queue() == 1
    tasks_run()

    [email] = mail.outbox
    reference = cast.case.application.submission.reference_number
    assert email.to == [cast.applicant.email]
    assert email.subject == f"Reminder: unread secure message about {reference}"
    assert f"You have an unread secure message about {reference}. Sign in to read it." in email.body
    assert f"/login/?next=/messages/{message.pk}/" in email.body
    for content in (SECRET_SUBJECT, "income", "SIN", "046"):
        assert content not in all_text(email)
    [event] = MessageEvent.objects.filter(event_type=MessageEvent.Type.UNREAD_REMINDER_SENT)
    assert (event.message_id, event.case_id, event.actor_user_id) == (message.pk, cast.case.pk, None)
    assert event.detail == {"notice_id": EmailNotice.objects.get().pk, "recipient_user_id": cast.applicant.pk}


@pytest.mark.django_db
def test_never_a_second_reminder_for_the_same_message(cast):
    unread_for(cast.case, days=8)
    reminders_queue()
    tasks_run()

    assert reminders_queue() == 0
    assert reminders_queue(now=timezone.now() + timedelta(days=30)) == 0
    tasks_run()

    assert len(mail.outbox) == 1
    assert EmailNotice.objects.filter(kind="unread_reminder").count() == 1


@pytest.mark.django_db
def test_not_before_its_time_and_sooner_when_urgent(cast, settings):
    settings.REMINDER_AFTER_DAYS, settings.REMINDER_AFTER_DAYS_URGENT = 7, 3
    six_days = unread_for(cast.case, days=6, hours=23)
    urgent = unread_for(cast.case, days=3, minutes=1, urgent=True)
    urgent_too_soon = unread_for(cast.case, days=2, hours=23, urgent=True)

    assert list(reminders_due()) == [urgent]

    assert set(reminders_due(now=timezone.now() + timedelta(hours=2))) == {six_days, urgent, urgent_too_soon}


@pytest.mark.django_db
def test_the_delays_come_from_the_settings(cast, settings):
    settings.REMINDER_AFTER_DAYS, settings.REMINDER_AFTER_DAYS_URGENT = 2, 1
    two_days = unread_for(cast.case, days=2, minutes=1)
    one_day_urgent = unread_for(cast.case, days=1, minutes=1, urgent=True)
    unread_for(cast.case, days=1, minutes=1)

    assert set(reminders_due()) == {two_days, one_day_urgent}


@pytest.mark.django_db
def test_no_reminder_for_a_read_replied_or_withdrawn_message_nor_for_the_applicants_own(cast):
    read = unread_for(cast.case, days=10)
    message_mark_read(message=read, reader=cast.applicant)
    unread_for(cast.case, days=10, status=Message.Status.REPLIED)
    withdrawn = unread_for(cast.case, days=10)
    message_withdraw(staff_user=cast.caseworker, case=cast.case, message=withdrawn)
    MessageFactory(case=cast.case, created_at=days_ago(10))  # applicant -> staff, unread by staff

    assert reminders_queue() == 0
    tasks_run()
    assert mail.outbox == []


@pytest.mark.django_db
def test_read_or_withdrawn_before_the_email_went_cancels_it(cast):
    read = unread_for(cast.case, days=8)
    withdrawn = unread_for(cast.case, days=8)
    assert reminders_queue() == 2

    message_mark_read(message=read, reader=cast.applicant)
    message_withdraw(staff_user=cast.caseworker, case=cast.case, message=withdrawn)
    tasks_run()

    assert mail.outbox == []
    assert set(EmailNotice.objects.filter(kind="unread_reminder").values_list("status", flat=True)) == {"cancelled"}
    assert not MessageEvent.objects.filter(event_type=MessageEvent.Type.UNREAD_REMINDER_SENT).exists()


@pytest.mark.django_db
def test_the_reminder_speaks_the_applicants_language(cast):
    User.objects.filter(pk=cast.applicant.pk).update(preferred_language="fr")
    unread_for(cast.case, days=8)

    reminders_queue()
    tasks_run()

    [email] = mail.outbox
    html = email.alternatives[0][0]
    assert '<html lang="fr">' in html
    # Lines the French catalogue already had before this reminder existed.
    assert email.body.startswith(f"Bonjour {cast.applicant.full_name},")
    assert "Pour protéger votre vie privée, ce courriel ne contient jamais le message" in email.body


@pytest.mark.django_db
def test_the_command_for_cron_queues_and_reports(cast):
    unread_for(cast.case, days=8)
    unread_for(cast.case, days=9)
    out = io.StringIO()

    call_command("send_reminders", stdout=out)

    assert out.getvalue().startswith("Queued 2 unread reminders in ")
    tasks_run()
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_many_due_are_claimed_in_batches_in_age_order(cast):
    messages = [unread_for(cast.case, days=10 + n) for n in range(7)]

    assert reminders_queue(batch_size=3) == 7

    claimed = EmailNotice.objects.filter(kind="unread_reminder").order_by("pk").values_list("message_id", flat=True)
    assert list(claimed) == [message.pk for message in reversed(messages)]
    tasks_run()
    assert len(mail.outbox) == 7


@pytest.mark.mysql
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_one_reminder_per_message(cast):
    messages = [unread_for(cast.case, days=8 + n % 5) for n in range(60)]
    start = threading.Barrier(2)
    errors = []

    def worker():
        try:
            start.wait()
            reminders_queue(batch_size=7)
        except Exception as exc:  # reported below, with the test's failure
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    notices = EmailNotice.objects.filter(kind="unread_reminder")
    assert sorted(notices.values_list("message_id", flat=True)) == sorted(m.pk for m in messages)
    tasks_run()
    assert sorted(email.to[0] for email in mail.outbox) == [cast.applicant.email] * 60
    assert MessageEvent.objects.filter(event_type=MessageEvent.Type.UNREAD_REMINDER_SENT).count() == 60
