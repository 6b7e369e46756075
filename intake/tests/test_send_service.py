"""Sending: routing is derived (invariants 1-4), attachments are checked by
content, and a send is atomic (invariant 6)."""

import pytest
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.http import Http404

from casework.access import case_for_staff
from casework.models import Document, StaffProfile
from casework.tests.factories import ApplicantFactory, ApplicationFactory, CaseFactory, UserFactory, staff_user
from common.errors import Conflict, InvalidInput, NotFound, StorageUnavailable, TooLarge
from intake.models import Message, MessageAttachment, MessageEvent
from intake.services.sending import message_send_from_applicant, message_send_to_case
from intake.tests.helpers import EXE, HEIC, JPEG, PDF, PNG, TEXT, office_file, stored_files, upload

pytestmark = pytest.mark.django_db


# Invariant 1: routing is derived, never supplied ---------------------------------


def test_staff_message_goes_to_the_case_applicant():
    case = CaseFactory()

    message = message_send_to_case(staff_user=case.assigned_staff_profile.user, case=case, subject="Hello", body="Body")

    assert message.recipient_id == case.application.submission.user_id
    assert message.case_id == case.pk
    assert message.application_id == case.application_id
    assert message.direction == Message.Direction.STAFF_TO_APPLICANT


def test_applicant_message_goes_to_the_assigned_caseworkers_user_id_not_profile_id():
    # Invariant 2: make user ids and staff-profile ids diverge, so a mix-up shows.
    UserFactory.create_batch(7)
    case = CaseFactory()
    profile = case.assigned_staff_profile
    assert profile.pk != profile.user_id

    message = message_send_from_applicant(
        applicant=case.application.submission.user, application=case.application, subject="Question", body="Text"
    )

    assert message.recipient_id == profile.user_id
    assert message.case_id == case.pk


def test_applicant_message_to_unassigned_case_goes_to_the_case_team():
    case = CaseFactory(assigned_staff_profile=None)

    message = message_send_from_applicant(
        applicant=case.application.submission.user, application=case.application, subject="Question", body="Text"
    )

    assert message.recipient_id is None


def test_applicant_message_when_caseworker_disabled_goes_to_the_case_team():
    case = CaseFactory()
    StaffProfile.objects.filter(pk=case.assigned_staff_profile_id).update(status=StaffProfile.Status.DISABLED)
    case.refresh_from_db()

    message = message_send_from_applicant(
        applicant=case.application.submission.user, application=case.application, subject="Question", body="Text"
    )

    assert message.recipient_id is None


def test_applicant_message_about_application_without_case_is_bound_to_the_application():
    application = ApplicationFactory()

    message = message_send_from_applicant(
        applicant=application.submission.user, application=application, subject="Question", body="Text"
    )

    assert (message.case_id, message.application_id, message.recipient_id) == (None, application.pk, None)


def test_staff_cannot_reach_a_case_they_may_not_open():
    # The service trusts the case it is given; the access rule is what keeps
    # another caseworker from ever holding this case.
    case = CaseFactory()
    other_caseworker = staff_user()

    with pytest.raises(Http404):
        case_for_staff(other_caseworker, case.pk)
    assert not Message.objects.exists()


def test_supervisor_may_send_to_any_case_and_it_still_goes_to_the_applicant():
    case = CaseFactory()
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)

    message = message_send_to_case(
        staff_user=supervisor, case=case_for_staff(supervisor, case.pk), subject="s", body="b"
    )

    assert message.recipient_id == case.application.submission.user_id
    assert message.sender_id == supervisor.pk


# Invariant 3/5: applicants write only about their own submissions -----------------


def test_applicant_cannot_write_about_someone_elses_application():
    mine = ApplicationFactory()
    theirs = ApplicationFactory()

    with pytest.raises(NotFound):
        message_send_from_applicant(applicant=mine.submission.user, application=theirs, subject="s", body="b")
    assert not Message.objects.exists()


def test_applicant_reply_stays_in_the_parents_thread():
    case = CaseFactory()
    ApplicationFactory(submission__user=case.application.submission.user)
    parent = message_send_to_case(staff_user=case.assigned_staff_profile.user, case=case, subject="Hello", body="Body")

    reply = message_send_from_applicant(
        applicant=case.application.submission.user, reply_to=parent, subject="Re: Hello", body="Thanks"
    )

    assert (reply.case_id, reply.application_id, reply.reply_to_id) == (case.pk, case.application_id, parent.pk)
    parent.refresh_from_db()
    assert parent.status == Message.Status.REPLIED


def test_applicant_cannot_reply_to_another_applicants_message():
    case = CaseFactory()
    parent = message_send_to_case(staff_user=case.assigned_staff_profile.user, case=case, subject="Hello", body="Body")
    stranger = ApplicationFactory().submission.user

    with pytest.raises(NotFound):
        message_send_from_applicant(applicant=stranger, reply_to=parent, subject="s", body="b")
    assert Message.objects.count() == 1
    parent.refresh_from_db()
    assert parent.status == Message.Status.UNREAD


# Invariant 4: every message is bound -------------------------------------------


def test_applicant_message_about_no_application_is_refused():
    # An applicant with no application has none to pass: the compose page
    # refuses them itself (test_portal_compose.test_post_without_submission_sends_nothing).
    applicant = ApplicationFactory().submission.user

    with pytest.raises(InvalidInput) as error:
        message_send_from_applicant(applicant=applicant, subject="s", body="b")

    assert (error.value.code, error.value.field) == ("application_required", "application")
    assert not Message.objects.exists()


def test_applicant_with_no_submission_cannot_send_about_any_application():
    applicant = ApplicantFactory()

    with pytest.raises(NotFound):
        message_send_from_applicant(applicant=applicant, application=ApplicationFactory(), subject="s", body="b")
    assert not Message.objects.exists()


def test_database_refuses_a_message_bound_to_nothing():
    case = CaseFactory()
    sender = case.application.submission.user

    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(
            sender=sender, recipient=None, direction=Message.Direction.APPLICANT_TO_STAFF, subject="s", body="b"
        )


# Replies within a case -------------------------------------------------------------


def test_staff_reply_to_another_cases_message_is_refused():
    case, other = CaseFactory(), CaseFactory()
    foreign = message_send_to_case(
        staff_user=other.assigned_staff_profile.user, case=other, subject="Hello", body="Body"
    )

    with pytest.raises(Conflict) as error:
        message_send_to_case(
            staff_user=case.assigned_staff_profile.user, case=case, subject="Hello", body="Body", reply_to=foreign
        )

    assert (error.value.status, error.value.code) == (409, "reply_to_other_case")
    assert Message.objects.count() == 1
    foreign.refresh_from_db()
    assert foreign.status == Message.Status.UNREAD


def test_staff_reply_to_a_message_written_before_the_case_existed_is_in_the_thread():
    case = CaseFactory()
    early = message_send_from_applicant(
        applicant=case.application.submission.user, application=case.application, subject="Early", body="Text"
    )
    Message.objects.filter(pk=early.pk).update(case=None)
    early.refresh_from_db()

    reply = message_send_to_case(
        staff_user=case.assigned_staff_profile.user, case=case, subject="Re: Early", body="Answer", reply_to=early
    )

    assert (reply.case_id, reply.reply_to_id) == (case.pk, early.pk)


def test_staff_reply_to_a_withdrawn_message_is_refused():
    case = CaseFactory()
    withdrawn = message_send_from_applicant(
        applicant=case.application.submission.user, application=case.application, subject="Question", body="Text"
    )
    Message.objects.filter(pk=withdrawn.pk).update(deleted=True)
    withdrawn.refresh_from_db()

    with pytest.raises(Conflict) as error:
        message_send_to_case(
            staff_user=case.assigned_staff_profile.user, case=case, subject="Re", body="Answer", reply_to=withdrawn
        )

    assert error.value.code == "reply_to_withdrawn"
    assert Message.objects.count() == 1


def test_staff_reply_marks_the_applicant_message_replied():
    case = CaseFactory()
    question = message_send_from_applicant(
        applicant=case.application.submission.user, application=case.application, subject="Question", body="Text"
    )

    message_send_to_case(
        staff_user=case.assigned_staff_profile.user, case=case, subject="Hello", body="Body", reply_to=question
    )

    question.refresh_from_db()
    assert question.status == Message.Status.REPLIED


@pytest.mark.parametrize(
    "subject, body, field",
    [("", "b", "subject"), ("   ", "b", "subject"), ("s", "", "body"), ("x" * 256, "b", "subject")],
)
def test_empty_or_too_long_text_is_refused(subject, body, field):
    case = CaseFactory()

    with pytest.raises(InvalidInput) as error:
        message_send_to_case(staff_user=case.assigned_staff_profile.user, case=case, subject=subject, body=body)

    assert error.value.field == field
    assert not Message.objects.exists()


# Attachments ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("stub.pdf", PDF, "application/pdf"),
        ("photo.png", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.heic", HEIC, "image/heic"),
        ("letter.docx", office_file("docx"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("budget.xlsx", office_file("xlsx"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("notes.txt", TEXT, "text/plain"),
        ("no-extension", PDF, "application/pdf"),
    ],
)
def test_accepted_types_are_recognised_by_content(name, content, expected):
    case = CaseFactory()

    message = message_send_to_case(
        staff_user=case.assigned_staff_profile.user,
        case=case,
        subject="Hello",
        body="Body",
        files=[upload(name, content, content_type="application/octet-stream")],
    )

    attachment = message.attachments.get()
    assert attachment.content_type == expected
    assert attachment.case_id == case.pk
    assert attachment.size_bytes == len(content)
    assert default_storage.open(attachment.file_path).read() == content
    assert name not in attachment.file_path


@pytest.mark.parametrize(
    "files, code",
    [
        ([upload("invoice.pdf", EXE, "application/pdf")], "unsupported_type"),
        ([upload("invoice.pdf", TEXT, "application/pdf")], "type_mismatch"),
        ([upload("empty.pdf", b"")], "empty_file"),
        ([upload(f"f{i}.pdf") for i in range(6)], "too_many_files"),
        ([upload("big.pdf", PDF + b"0" * (10 * 1024 * 1024))], "file_too_large"),
        ([upload(f"part{i}.pdf", PDF + b"0" * (9 * 1024 * 1024)) for i in range(3)], "total_too_large"),
        ([upload("fake.docx", b"PK\x03\x04" + b"\x00" * 40)], "unsupported_type"),
    ],
)
def test_refused_files_store_nothing(files, code):
    case = CaseFactory()
    before = stored_files()

    with pytest.raises((InvalidInput, TooLarge)) as error:
        message_send_to_case(
            staff_user=case.assigned_staff_profile.user, case=case, subject="Hello", body="Body", files=files
        )

    assert error.value.code == code
    assert error.value.field == "attachments"
    assert not Message.objects.exists()
    assert not MessageAttachment.objects.exists()
    assert stored_files() == before


def test_refused_file_is_named_in_the_error():
    case = CaseFactory()

    with pytest.raises(InvalidInput) as error:
        message_send_to_case(
            staff_user=case.assigned_staff_profile.user,
            case=case,
            subject="Hello",
            body="Body",
            files=[upload("pay.pdf"), upload("setup.pdf", EXE)],
        )

    assert "setup.pdf" in str(error.value.message)


def test_oversize_file_gives_413():
    case = CaseFactory()

    with pytest.raises(TooLarge) as error:
        message_send_to_case(
            staff_user=case.assigned_staff_profile.user,
            case=case,
            subject="Hello",
            body="Body",
            files=[upload("big.pdf", PDF + b"0" * (10 * 1024 * 1024))],
        )

    assert error.value.status == 413


def test_file_names_are_sanitised():
    case = CaseFactory()

    message = message_send_to_case(
        staff_user=case.assigned_staff_profile.user,
        case=case,
        subject="Hello",
        body="Body",
        files=[upload("../../etc/pa\x00ss\r\nwd.txt", TEXT)],
    )

    assert message.attachments.get().original_filename == "passwd.txt"


def test_storage_failure_mid_send_leaves_no_row_and_no_file(monkeypatch):
    case = CaseFactory()
    before = stored_files()
    real_save = default_storage.save
    calls = []

    def failing_save(name, content, **kwargs):
        calls.append(name)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_save(name, content, **kwargs)

    monkeypatch.setattr(default_storage, "save", failing_save)

    with pytest.raises(StorageUnavailable):
        message_send_to_case(
            staff_user=case.assigned_staff_profile.user,
            case=case,
            subject="Hello",
            body="Body",
            files=[upload("a.pdf"), upload("b.pdf")],
        )

    assert len(calls) == 2
    assert not Message.objects.exists()
    assert not MessageAttachment.objects.exists()
    assert not MessageEvent.objects.exists()
    assert stored_files() == before


# Audit trail (invariant 7: never content) -------------------------------------------


def test_send_records_events_without_content():
    case = CaseFactory()

    message = message_send_to_case(
        staff_user=case.assigned_staff_profile.user,
        case=case,
        subject="Hello",
        body="Body",
        files=[upload("secret-name.pdf")],
        urgent=True,
    )

    events = list(MessageEvent.objects.filter(message_id=message.pk).order_by("id"))
    assert [e.event_type for e in events] == ["attachment_uploaded", "message_sent"]
    assert events[1].actor_user_id == case.assigned_staff_profile.user_id
    assert events[1].case_id == case.pk
    dumped = repr([e.detail for e in events])
    for content in ("Hello", "Body", "secret-name"):
        assert content not in dumped


# Adoption on arrival (issue 12) -------------------------------------------------------


def test_applicant_attachments_arriving_on_a_case_go_into_the_case_file_at_once():
    case = CaseFactory(assigned_staff_profile=None)
    applicant = case.application.submission.user

    message = message_send_from_applicant(
        applicant=applicant,
        application=case.application,
        subject="Stubs",
        body="Here.",
        files=[upload("stub.pdf"), upload("notes.txt", TEXT, "text/plain")],
    )

    attachments = list(message.attachments.order_by("id"))
    documents = list(Document.objects.filter(case=case).order_by("id"))
    assert [d.origin_attachment_id for d in documents] == [a.pk for a in attachments]
    assert [(d.file_name, d.mime_type) for d in documents] == [("stub.pdf", "application/pdf"), ("notes.txt", "text/plain")]
    assert {(d.origin_message_id, d.application_id, d.applicant_user_id, d.uploaded_by_user_id) for d in documents} == {
        (message.pk, case.application_id, applicant.pk, applicant.pk)
    }
    assert {d.source for d in documents} == {Document.Source.SECURE_MESSAGE_ATTACHMENT}
    # Each document owns a copy of the file.
    for document, attachment in zip(documents, attachments, strict=True):
        assert document.file_path != attachment.file_path
    assert default_storage.open(documents[1].file_path).read() == TEXT
    events = list(MessageEvent.objects.filter(message_id=message.pk).order_by("id"))
    assert [e.event_type for e in events] == [
        "attachment_uploaded",
        "attachment_uploaded",
        "message_sent",
        "attachment_adopted",
        "attachment_adopted",
    ]
    # Whose action brought the files in: the applicant's.
    assert {e.actor_user_id for e in events} == {applicant.pk}


def test_applicant_attachments_about_an_application_without_case_wait_for_a_case():
    application = ApplicationFactory()

    message_send_from_applicant(
        applicant=application.submission.user, application=application, subject="s", body="b", files=[upload()]
    )

    assert not Document.objects.exists()


def test_staff_attachments_are_never_adopted_on_sending():
    case = CaseFactory()

    message_send_to_case(
        staff_user=case.assigned_staff_profile.user, case=case, subject="s", body="b", files=[upload("letter.pdf")]
    )

    assert not Document.objects.exists()


@pytest.mark.parametrize("failing_call", [3, 4])
def test_failed_adoption_on_arrival_undoes_the_whole_send(monkeypatch, failing_call):
    # Invariant 6: the message, its attachments, their case-file copies and the
    # events are saved together or not at all. Saves: two attachments, then
    # their two copies; the first or the second copy fails.
    case = CaseFactory()
    before = stored_files()
    real_save = default_storage.save
    calls = []

    def failing_save(name, content, **kwargs):
        calls.append(name)
        if len(calls) == failing_call:
            raise OSError("disk full")
        return real_save(name, content, **kwargs)

    monkeypatch.setattr(default_storage, "save", failing_save)

    with pytest.raises(StorageUnavailable):
        message_send_from_applicant(
            applicant=case.application.submission.user,
            application=case.application,
            subject="Stubs",
            body="Here.",
            files=[upload("a.pdf"), upload("b.pdf")],
        )

    assert len(calls) == failing_call
    assert not Message.objects.exists()
    assert not MessageAttachment.objects.exists()
    assert not Document.objects.exists()
    assert not MessageEvent.objects.exists()
    assert stored_files() == before

