"""Assignment (issue 12): supervisors assign and reassign, caseworkers claim,
a case is opened for an application whose applicant wrote first. Routing
follows the assignment at once; every change is an audit event of ids only;
the new assignee hears of it by an e-mail without content."""

import threading
import time

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.http import Http404

from casework.access import case_for_staff
from casework.models import Case, Document, StaffProfile, User
from casework.tests.factories import (
    ApplicationFactory,
    CaseFactory,
    StaffProfileFactory,
    SupervisorProfileFactory,
    staff_user,
)
from common.errors import Conflict, InvalidInput, NotFound, PermissionRefused, StorageUnavailable
from intake.conversations import conversations_differences
from intake.models import ACCESS_EVENT_TYPES, Conversation, EmailNotice, Message, MessageAttachment, MessageEvent
from intake.services.assignment import case_assign, case_claim, case_open_for_application
from intake.services.sending import message_send_from_applicant, message_send_to_application, message_send_to_case
from intake.tests.helpers import stored_files, upload
from intake.tests.worker import tasks_run

pytestmark = pytest.mark.django_db

SECRET_SUBJECT = "Income assessment 2025"
SECRET_BODY = "Your SIN 046 454 286 and income 41 000 $"


def assignment_events(case):
    return list(
        MessageEvent.objects.filter(case_id=case.pk, event_type=MessageEvent.Type.CASE_ASSIGNED)
        .order_by("id")
        .values("actor_user_id", "detail", "message_id")
    )


def all_text(email):
    return email.subject + email.body + "".join(content for content, _type in email.alternatives)


# case_assign ------------------------------------------------------------------------


def test_supervisor_assigns_an_unassigned_case_and_it_is_recorded_with_ids_only():
    case = CaseFactory(assigned_staff_profile=None)
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    caseworker = StaffProfileFactory()

    changed = case_assign(actor=supervisor, case=case, caseworker=caseworker)

    assert changed is True
    case.refresh_from_db()
    assert case.assigned_staff_profile_id == caseworker.pk
    assert assignment_events(case) == [
        {
            "actor_user_id": supervisor.pk,
            "detail": {"from_staff_profile_id": None, "to_staff_profile_id": caseworker.pk},
            "message_id": None,
        }
    ]


def test_reassignment_records_from_whom_and_to_whom():
    case = CaseFactory()
    before = case.assigned_staff_profile
    admin = staff_user(StaffProfile.Role.ADMIN)
    after = StaffProfileFactory()

    case_assign(actor=admin, case=case, caseworker=after)

    [event] = assignment_events(case)
    assert event["detail"] == {"from_staff_profile_id": before.pk, "to_staff_profile_id": after.pk}
    assert event["actor_user_id"] == admin.pk


def test_assigning_to_the_current_assignee_changes_nothing_records_nothing_sends_nothing(
    django_capture_on_commit_callbacks,
):
    case = CaseFactory()
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        changed = case_assign(actor=supervisor, case=case, caseworker=case.assigned_staff_profile)
    tasks_run()

    assert changed is False
    assert assignment_events(case) == []
    assert callbacks == []
    assert not EmailNotice.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("role", [StaffProfile.Role.CASEWORKER, None])
def test_only_supervisors_and_admins_assign(role):
    case = CaseFactory()
    actor = staff_user(role) if role else case.application.submission.user
    other = StaffProfileFactory()

    with pytest.raises(PermissionRefused):
        case_assign(actor=actor, case=case, caseworker=other)

    case.refresh_from_db()
    assert case.assigned_staff_profile_id != other.pk
    assert assignment_events(case) == []


def make_supervisor_profile():
    return SupervisorProfileFactory()


def make_disabled_caseworker():
    return StaffProfileFactory(status=StaffProfile.Status.DISABLED)


def make_caseworker_who_cannot_sign_in():
    profile = StaffProfileFactory()
    User.objects.filter(pk=profile.user_id).update(is_active=False)
    return profile


def make_nobody():
    return None


@pytest.mark.parametrize(
    "make", [make_supervisor_profile, make_disabled_caseworker, make_caseworker_who_cannot_sign_in, make_nobody]
)
def test_only_an_active_caseworker_can_be_assigned(make):
    case = CaseFactory()
    before = case.assigned_staff_profile_id
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)

    with pytest.raises(InvalidInput) as error:
        case_assign(actor=supervisor, case=case, caseworker=make())

    assert error.value.field == "caseworker"
    assert str(error.value.message) == "Choose an active caseworker to assign the case to."
    case.refresh_from_db()
    assert case.assigned_staff_profile_id == before
    assert assignment_events(case) == []


def test_a_profile_disabled_after_the_page_was_shown_is_refused():
    # The form's choice was made from an older list: the service reads the profile again.
    case = CaseFactory(assigned_staff_profile=None)
    chosen = StaffProfileFactory()
    StaffProfile.objects.filter(pk=chosen.pk).update(status=StaffProfile.Status.DISABLED)

    with pytest.raises(InvalidInput):
        case_assign(actor=staff_user(StaffProfile.Role.SUPERVISOR), case=case, caseworker=chosen)

    case.refresh_from_db()
    assert case.assigned_staff_profile_id is None


# Routing follows at once ----------------------------------------------------------------


def test_after_reassignment_the_applicants_reply_goes_to_the_new_caseworker_and_access_moves():
    case = CaseFactory()
    applicant = case.application.submission.user
    first = case.assigned_staff_profile
    second = StaffProfileFactory()
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    sent = message_send_to_case(staff_user=first.user, case=case, subject="Your documents", body="Please send them.")

    case_assign(actor=supervisor, case=case_for_staff(supervisor, case.pk), caseworker=second)
    reply = message_send_from_applicant(applicant=applicant, reply_to=sent, subject="Re: Your documents", body="Here.")

    assert reply.recipient_id == second.user_id
    assert (reply.case_id, reply.reply_to_id) == (case.pk, sent.pk)
    with pytest.raises(Http404):
        case_for_staff(first.user, case.pk)
    assert case_for_staff(second.user, case.pk) == case
    assert case_for_staff(supervisor, case.pk) == case
    # The conversation summary (read by the queue) follows in the same transaction.
    assert Conversation.objects.get(application=case.application).assigned_staff_profile_id == second.pk
    assert conversations_differences() == []


# The e-mail ---------------------------------------------------------------------------------


def test_the_new_assignee_gets_an_email_without_content_from_the_worker():
    case = CaseFactory(assigned_staff_profile=None)
    applicant = case.application.submission.user
    message_send_from_applicant(
        applicant=applicant,
        application=case.application,
        subject=SECRET_SUBJECT,
        body=SECRET_BODY,
        files=[upload("tax-return-2025.pdf")],
    )
    caseworker = StaffProfileFactory()
    tasks_run()
    mail.outbox.clear()

    case_assign(actor=staff_user(StaffProfile.Role.SUPERVISOR), case=case, caseworker=caseworker)
    # Queued with the assignment; the request itself sends nothing.
    assert mail.outbox == []
    [notice] = EmailNotice.objects.filter(kind=EmailNotice.Kind.CASE_ASSIGNED)
    assert (notice.case_id, notice.recipient_user_id, notice.status) == (case.pk, caseworker.user_id, "pending")
    tasks_run()

    [email] = mail.outbox
    reference = case.application.submission.reference_number
    assert email.to == [caseworker.user.email]
    assert email.subject == f"Case {reference} was assigned to you"
    assert f"A case was assigned to you: {reference}. Sign in to open it." in email.body
    assert f"/login/?next=/dashboard/cases/{case.pk}/" in email.body
    text = all_text(email)
    for content in (SECRET_SUBJECT, "Income", "SIN", "41 000", "tax-return-2025", applicant.first_name, applicant.email):
        assert content not in text


def test_the_email_speaks_the_caseworkers_language():
    case = CaseFactory(assigned_staff_profile=None)
    caseworker = StaffProfileFactory(user__preferred_language="fr")

    case_assign(actor=staff_user(StaffProfile.Role.SUPERVISOR), case=case, caseworker=caseworker)
    tasks_run()

    [email] = mail.outbox
    reference = case.application.submission.reference_number
    assert email.subject == f"Le dossier {reference} vous a été assigné"
    assert f"Un dossier vous a été assigné : {reference}. Connectez-vous pour l'ouvrir." in email.body


def test_no_email_when_the_case_went_to_someone_else_before_it_was_sent():
    case = CaseFactory(assigned_staff_profile=None)
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    first, second = StaffProfileFactory(), StaffProfileFactory()

    case_assign(actor=supervisor, case=case, caseworker=first)
    case_assign(actor=supervisor, case=case, caseworker=second)
    tasks_run()

    # The first caseworker's notice found the case gone when its turn came; the second's went.
    assert [email.to for email in mail.outbox] == [[second.user.email]]
    notices = EmailNotice.objects.filter(kind=EmailNotice.Kind.CASE_ASSIGNED)
    assert dict(notices.values_list("recipient_user_id", "status")) == {
        first.user_id: EmailNotice.Status.CANCELLED,
        second.user_id: EmailNotice.Status.SENT,
    }


# case_claim ------------------------------------------------------------------------------


def test_caseworker_claims_an_unassigned_case():
    case = CaseFactory(assigned_staff_profile=None)
    caseworker = staff_user()

    claimed = case_claim(actor=caseworker, case_id=case.pk)

    assert claimed.pk == case.pk
    assert claimed.assigned_staff_profile_id == caseworker.staff_profile.pk
    case.refresh_from_db()
    assert case.assigned_staff_profile_id == caseworker.staff_profile.pk
    assert assignment_events(case) == [
        {
            "actor_user_id": caseworker.pk,
            "detail": {"from_staff_profile_id": None, "to_staff_profile_id": caseworker.staff_profile.pk},
            "message_id": None,
        }
    ]
    assert case_for_staff(caseworker, case.pk) == case


def test_claiming_a_case_assigned_to_someone_else_is_not_found():
    case = CaseFactory()
    before = case.assigned_staff_profile_id

    with pytest.raises(NotFound):
        case_claim(actor=staff_user(), case_id=case.pk)

    case.refresh_from_db()
    assert case.assigned_staff_profile_id == before
    assert assignment_events(case) == []


@pytest.mark.parametrize("case_id", [999999, "abc", "01", -1, None])
def test_claiming_a_case_that_does_not_exist_is_not_found(case_id):
    with pytest.raises(NotFound):
        case_claim(actor=staff_user(), case_id=case_id)


def test_claiming_ones_own_case_again_changes_nothing():
    case = CaseFactory()
    caseworker = case.assigned_staff_profile.user

    assert case_claim(actor=caseworker, case_id=case.pk).pk == case.pk

    assert assignment_events(case) == []


def test_claiming_is_not_found_when_the_setting_is_off(settings):
    settings.STAFF_CAN_CLAIM_CASES = False
    case = CaseFactory(assigned_staff_profile=None)

    with pytest.raises(NotFound):
        case_claim(actor=staff_user(), case_id=case.pk)

    case.refresh_from_db()
    assert case.assigned_staff_profile_id is None


def test_supervisors_assign_rather_than_claim():
    case = CaseFactory(assigned_staff_profile=None)

    with pytest.raises(PermissionRefused) as error:
        case_claim(actor=staff_user(StaffProfile.Role.SUPERVISOR), case_id=case.pk)

    assert error.value.code == "not_caseworker"
    case.refresh_from_db()
    assert case.assigned_staff_profile_id is None


def test_an_applicant_cannot_claim():
    case = CaseFactory(assigned_staff_profile=None)

    with pytest.raises(NotFound):
        case_claim(actor=case.application.submission.user, case_id=case.pk)


@pytest.mark.mysql
@pytest.mark.django_db(transaction=True)
def test_two_claims_at_once_give_one_winner_and_a_clear_conflict():
    case = CaseFactory(assigned_staff_profile=None)
    caseworkers = [staff_user(), staff_user()]
    outcomes = {}

    def claim(caseworker):
        # Each thread is a request of its own: its own connection.
        try:
            outcomes[caseworker.pk] = case_claim(actor=caseworker, case_id=case.pk)
        except Exception as exc:  # collected and asserted below
            outcomes[caseworker.pk] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(caseworker,)) for caseworker in caseworkers]
    # "At once": both claims have found the case unassigned before either
    # writes. This test's own transaction holds the row, so both wait at their
    # UPDATE (InnoDB's plain reads do not wait for a row lock); then it lets go.
    with transaction.atomic():
        Case.objects.select_for_update().get(pk=case.pk)
        for thread in threads:
            thread.start()
        updates_waiting_until(2)
    for thread in threads:
        thread.join()

    results = list(outcomes.values())
    [winner] = [result for result in results if isinstance(result, Case)]
    [loser] = [result for result in results if not isinstance(result, Case)]
    assert isinstance(loser, Conflict)
    assert str(loser.message) == "Another caseworker claimed this case a moment ago. Choose another case."
    case.refresh_from_db()
    assert case.assigned_staff_profile_id == winner.assigned_staff_profile_id
    assert len(assignment_events(case)) == 1


def updates_waiting_until(count, timeout=10.0):
    """Wait until `count` other connections are running their UPDATE of iset_case (held by our lock)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE info LIKE 'UPDATE `iset_case`%%'"
            )
            if cursor.fetchone()[0] >= count:
                return
            time.sleep(0.02)
    raise AssertionError(f"{count} connections never reached their UPDATE")


# case_open_for_application -----------------------------------------------------------------


def application_with_a_conversation():
    """An applicant wrote twice before there was a case (with two files, then
    one) and a supervisor answered between, with a file of their own."""
    application = ApplicationFactory()
    applicant = application.submission.user
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    first = message_send_from_applicant(
        applicant=applicant,
        application=application,
        subject="My pay stubs",
        body="Here they are.",
        files=[upload("stub-1.pdf"), upload("stub-2.pdf")],
    )
    answer = message_send_to_application(
        staff_user=supervisor, application=application, subject="Thanks", body="Got them.", files=[upload("form.pdf")]
    )
    second = message_send_from_applicant(
        applicant=applicant, reply_to=answer, subject="Re: Thanks", body="And my ID.", files=[upload("id-card.pdf")]
    )
    return application, supervisor, [first, answer, second]


def test_opening_a_case_takes_over_the_conversation_and_adopts_the_applicants_files():
    application, supervisor, thread = application_with_a_conversation()
    caseworker = StaffProfileFactory()
    tasks_run()
    mail.outbox.clear()

    case = case_open_for_application(actor=supervisor, application=application, caseworker=caseworker)
    tasks_run()

    case.refresh_from_db()
    assert (case.application_id, case.assigned_staff_profile_id) == (application.pk, caseworker.pk)
    assert set(Message.objects.filter(pk__in=[m.pk for m in thread]).values_list("case_id", flat=True)) == {case.pk}
    assert set(MessageAttachment.objects.values_list("case_id", flat=True)) == {case.pk}
    # The applicant's files are in the case file; the supervisor's own file is not.
    documents = Document.objects.filter(case=case).order_by("id")
    assert [(d.file_name, d.origin_message_id) for d in documents] == [
        ("stub-1.pdf", thread[0].pk),
        ("stub-2.pdf", thread[0].pk),
        ("id-card.pdf", thread[2].pk),
    ]
    assert {(d.application_id, d.applicant_user_id) for d in documents} == {
        (application.pk, application.submission.user_id)
    }
    adopted = MessageEvent.objects.filter(event_type=MessageEvent.Type.ATTACHMENT_ADOPTED)
    assert set(adopted.values_list("actor_user_id", flat=True)) == {supervisor.pk}
    assert adopted.count() == 3
    [opened] = MessageEvent.objects.filter(event_type=MessageEvent.Type.CASE_OPENED)
    assert (opened.case_id, opened.actor_user_id, opened.message_id) == (case.pk, supervisor.pk, None)
    assert opened.detail == {"application_id": application.pk, "to_staff_profile_id": caseworker.pk, "messages_joined": 3}
    summary = Conversation.objects.get(application=application)
    assert (summary.case_id, summary.assigned_staff_profile_id, summary.message_count) == (case.pk, caseworker.pk, 3)
    assert conversations_differences() == []
    # The caseworker can open it now, and was told so.
    assert case_for_staff(caseworker.user, case.pk) == case
    [email] = mail.outbox
    assert email.to == [caseworker.user.email]
    assert application.submission.reference_number in email.subject


def test_a_case_can_be_opened_unassigned():
    application, supervisor, _thread = application_with_a_conversation()
    tasks_run()
    mail.outbox.clear()

    case = case_open_for_application(actor=supervisor, application=application)
    tasks_run()

    assert case.assigned_staff_profile_id is None
    assert Conversation.objects.get(application=application).case_id == case.pk
    assert MessageEvent.objects.get(event_type=MessageEvent.Type.CASE_OPENED).detail["to_staff_profile_id"] is None
    assert mail.outbox == []


def test_the_admin_api_finds_the_files_adopted_and_adopts_nothing_twice(client):
    application, supervisor, thread = application_with_a_conversation()
    case = case_open_for_application(actor=supervisor, application=application)
    documents = list(Document.objects.order_by("id").values_list("pk", flat=True))
    of_first = list(Document.objects.filter(origin_message=thread[0]).order_by("id").values_list("pk", flat=True))
    # Listing writes nothing but its access record (each look is logged: intake/tests/test_access_audit.py).
    changes = MessageEvent.objects.exclude(event_type__in=ACCESS_EVENT_TYPES)
    events = changes.count()
    client.force_login(supervisor)

    for _ in range(2):
        data = client.get(f"/api/admin/messages/{thread[0].pk}/attachments?case_id={case.pk}").json()

    assert len(of_first) == 2
    assert [item["document_id"] for item in data["attachments"]] == of_first
    assert list(Document.objects.order_by("id").values_list("pk", flat=True)) == documents
    assert changes.count() == events


def test_a_second_case_for_the_same_application_is_a_conflict():
    application, supervisor, _thread = application_with_a_conversation()
    first = case_open_for_application(actor=supervisor, application=application)
    documents = Document.objects.count()

    with pytest.raises(Conflict) as error:
        case_open_for_application(actor=supervisor, application=application, caseworker=StaffProfileFactory())

    assert error.value.code == "case_exists"
    assert list(Case.objects.filter(application=application)) == [first]
    assert Document.objects.count() == documents
    assert MessageEvent.objects.filter(event_type=MessageEvent.Type.CASE_OPENED).count() == 1


@pytest.mark.parametrize("role", [StaffProfile.Role.CASEWORKER, None])
def test_only_supervisors_and_admins_open_a_case(role):
    application, _supervisor, _thread = application_with_a_conversation()
    actor = staff_user(role) if role else application.submission.user

    with pytest.raises(PermissionRefused):
        case_open_for_application(actor=actor, application=application)

    assert not Case.objects.exists()


def test_opening_with_a_caseworker_who_cannot_be_assigned_opens_nothing():
    application, supervisor, _thread = application_with_a_conversation()

    with pytest.raises(InvalidInput):
        case_open_for_application(actor=supervisor, application=application, caseworker=SupervisorProfileFactory())

    assert not Case.objects.exists()


def test_a_failed_adoption_opens_no_case_and_leaves_no_file(monkeypatch):
    application, supervisor, thread = application_with_a_conversation()
    before = stored_files()
    real_save = default_storage.save
    calls = []

    def failing_save(name, content, **kwargs):
        # The first message's two files are copied into the case file; the
        # second message's file fails.
        calls.append(name)
        if len(calls) == 3:
            raise OSError("disk full")
        return real_save(name, content, **kwargs)

    monkeypatch.setattr(default_storage, "save", failing_save)

    with pytest.raises(StorageUnavailable):
        case_open_for_application(actor=supervisor, application=application, caseworker=StaffProfileFactory())

    assert len(calls) == 3
    assert not Case.objects.exists()
    assert not Document.objects.exists()
    assert set(Message.objects.values_list("case_id", flat=True)) == {None}
    assert set(MessageAttachment.objects.values_list("case_id", flat=True)) == {None}
    assert not MessageEvent.objects.filter(event_type=MessageEvent.Type.CASE_OPENED).exists()
    assert stored_files() == before
    assert Conversation.objects.get(application=application).case_id is None


@pytest.mark.mysql
@pytest.mark.django_db(transaction=True)
def test_two_opens_at_once_make_one_case():
    application, supervisor, _thread = application_with_a_conversation()
    files_before = stored_files()
    start = threading.Barrier(2)
    outcomes = []

    def open_case():
        try:
            start.wait()
            outcomes.append(case_open_for_application(actor=supervisor, application=application))
        except Exception as exc:  # collected and asserted below
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=open_case) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    [case] = [outcome for outcome in outcomes if isinstance(outcome, Case)]
    [refused] = [outcome for outcome in outcomes if not isinstance(outcome, Case)]
    assert isinstance(refused, Conflict)
    assert list(Case.objects.values_list("pk", flat=True)) == [case.pk]
    assert Document.objects.count() == 3
    # Only the winner's copies are stored.
    assert stored_files() - files_before == set(Document.objects.values_list("file_path", flat=True))


# message_send_to_application ---------------------------------------------------------------


def test_a_message_to_an_application_goes_to_its_applicant():
    application = ApplicationFactory()
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)

    message = message_send_to_application(staff_user=supervisor, application=application, subject="Hi", body="Text")

    assert (message.recipient_id, message.sender_id) == (application.submission.user_id, supervisor.pk)
    assert (message.case_id, message.application_id) == (None, application.pk)
    assert message.direction == Message.Direction.STAFF_TO_APPLICANT


def test_a_message_to_an_application_that_got_a_case_meanwhile_joins_the_case():
    case = CaseFactory()

    message = message_send_to_application(
        staff_user=staff_user(StaffProfile.Role.SUPERVISOR), application=case.application, subject="Hi", body="Text"
    )

    assert (message.case_id, message.application_id) == (case.pk, case.application_id)


def test_a_reply_on_an_application_must_answer_a_message_of_its_conversation():
    application, supervisor, thread = application_with_a_conversation()
    elsewhere = message_send_from_applicant(
        applicant=(other := ApplicationFactory()).submission.user, application=other, subject="Other", body="Text"
    )

    with pytest.raises(Conflict):
        message_send_to_application(
            staff_user=supervisor, application=application, subject="Re", body="Text", reply_to=elsewhere
        )
    answer = message_send_to_application(
        staff_user=supervisor, application=application, subject="Re", body="Text", reply_to=thread[2]
    )

    assert answer.reply_to_id == thread[2].pk
    thread[2].refresh_from_db()
    assert thread[2].status == Message.Status.REPLIED
