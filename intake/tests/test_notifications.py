"""Notification e-mails carry no content (invariant 7) and speak the recipient's
language. They are queued with the send (an `email_notice` row and its task,
in the send's transaction) and delivered by the worker (`tasks_run` here), so
a send never waits for the mail server."""

import logging
import smtplib

import pytest
from django.core import mail

from casework.models import StaffProfile, User
from casework.tests.factories import CaseFactory, staff_user
from intake.models import EmailNotice
from intake.services.sending import message_send_from_applicant, message_send_to_case
from intake.tests.helpers import upload
from intake.tests.worker import tasks_queued, tasks_run

pytestmark = pytest.mark.django_db

SECRET_SUBJECT = "Income assessment 2025"
SECRET_BODY = "Your SIN 046 454 286 and income 41 000 $"


def all_text(email):
    return email.subject + email.body + "".join(content for content, _type in email.alternatives)


def test_staff_message_notifies_the_applicant_without_content(cast):
    message_send_to_case(
        staff_user=cast.caseworker,
        case=cast.case,
        subject=SECRET_SUBJECT,
        body=SECRET_BODY,
        files=[upload("tax-return-2025.pdf")],
    )
    tasks_run()

    [email] = mail.outbox
    reference = cast.case.application.submission.reference_number
    assert email.to == [cast.applicant.email]
    assert f"You have a new secure message about {reference}. Sign in to read it." in email.body
    text = all_text(email)
    for content in (SECRET_SUBJECT, "Income", "SIN", "41 000", "tax-return-2025"):
        assert content not in text
    assert "/login/?next=/messages/" in email.body


def test_french_speaking_recipient_gets_french(cast):
    User.objects.filter(pk=cast.applicant.pk).update(preferred_language="fr")

    message_send_to_case(staff_user=cast.caseworker, case=cast.case, subject=SECRET_SUBJECT, body=SECRET_BODY)
    tasks_run()

    [email] = mail.outbox
    reference = cast.case.application.submission.reference_number
    assert f"Vous avez un nouveau message sécurisé concernant {reference}." in email.body
    assert reference in email.subject
    assert SECRET_SUBJECT not in all_text(email)


@pytest.mark.parametrize(
    "language, sender, signature",
    [
        (
            "en",
            "ISET Secure Messaging <no-reply@iset.example>",
            "ISET program office\nISET Secure Messaging\nQuestions? Call 1-800-555-0199 or write to "
            "iset-office@iset.example. Do not send personal information by e-mail.",
        ),
        (
            "fr",
            "Messagerie sécurisée FCEA <no-reply@iset.example>",
            "Bureau du programme FCEA\nMessagerie sécurisée FCEA\nDes questions? Composez le 1-800-555-0199 ou "
            "écrivez à iset-office@iset.example. N'envoyez aucun renseignement personnel par courriel.",
        ),
    ],
)
def test_e_mails_are_signed_by_the_office_in_the_recipients_language(cast, language, sender, signature):
    User.objects.filter(pk=cast.applicant.pk).update(preferred_language=language)

    message_send_to_case(staff_user=cast.caseworker, case=cast.case, subject=SECRET_SUBJECT, body=SECRET_BODY)
    tasks_run()

    [email] = mail.outbox
    assert email.from_email == sender
    assert email.body.rstrip().endswith(signature)
    html = email.alternatives[0][0]
    assert signature.split("\n")[0] + "<br>" + signature.split("\n")[1] in html


def test_a_sender_name_of_the_office_own_is_kept(cast, settings):
    settings.DEFAULT_FROM_EMAIL = "Nation Training <training@nation.example>"
    settings.OFFICE_NAME = "Nation Employment and Training Services"
    User.objects.filter(pk=cast.applicant.pk).update(preferred_language="fr")

    message_send_to_case(staff_user=cast.caseworker, case=cast.case, subject="s", body="b")
    tasks_run()

    [email] = mail.outbox
    assert email.from_email == "Nation Training <training@nation.example>"
    assert "Nation Employment and Training Services\nMessagerie sécurisée FCEA" in email.body


def test_applicant_message_notifies_the_assigned_caseworker(cast):
    message_send_from_applicant(
        applicant=cast.applicant, application=cast.case.application, subject=SECRET_SUBJECT, body=SECRET_BODY
    )
    tasks_run()

    assert [email.to for email in mail.outbox] == [[cast.caseworker.email]]
    assert f"/dashboard/cases/{cast.case.pk}/" in mail.outbox[0].body


def test_unassigned_case_notifies_every_active_supervisor():
    case = CaseFactory(assigned_staff_profile=None)
    supervisors = [staff_user(StaffProfile.Role.SUPERVISOR) for _ in range(2)]
    disabled = staff_user(StaffProfile.Role.SUPERVISOR)
    StaffProfile.objects.filter(user=disabled).update(status=StaffProfile.Status.DISABLED)
    staff_user(StaffProfile.Role.CASEWORKER)

    message_send_from_applicant(
        applicant=case.application.submission.user, application=case.application, subject="s", body="b"
    )
    tasks_run()

    assert sorted(email.to[0] for email in mail.outbox) == sorted(s.email for s in supervisors)


def test_the_send_only_queues_one_notice_per_recipient_and_one_task(cast, django_capture_on_commit_callbacks):
    """The rule that replaced "sent after commit": the request sends nothing and
    leaves no work to a commit hook; the notice and its task are rows of the send."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = message_send_to_case(staff_user=cast.caseworker, case=cast.case, subject="s", body="b")

    assert callbacks == []
    assert mail.outbox == []
    [notice] = EmailNotice.objects.all()
    assert (notice.kind, notice.message_id, notice.recipient_user_id) == ("new_message", message.pk, cast.applicant.pk)
    assert (notice.status, notice.attempts, notice.sent_at) == ("pending", 0, None)
    [task] = tasks_queued()
    assert task.task_path == "intake.tasks.notices_deliver"
    assert task.args_kwargs == {"args": [[notice.pk]], "kwargs": {}}


def test_send_failure_is_logged_and_keeps_the_message(cast, monkeypatch, caplog):
    def broken_send(self, email_messages):
        raise smtplib.SMTPDataError(451, "try later")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", broken_send)

    with caplog.at_level(logging.WARNING):
        message = message_send_to_case(staff_user=cast.caseworker, case=cast.case, subject=SECRET_SUBJECT, body="b")
        tasks_run()

    assert message.pk is not None
    assert "could not be sent: SMTPDataError 451" in caplog.text
    assert SECRET_SUBJECT not in caplog.text
    assert cast.applicant.email not in caplog.text
    notice = EmailNotice.objects.get(message_id=message.pk)
    assert (notice.status, notice.attempts, notice.last_error) == ("retrying", 1, "SMTPDataError 451")
