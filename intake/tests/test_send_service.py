"""Sending: routing is derived (invariants 1-4), attachments are checked by
content, and a send is atomic (invariant 6)."""

import pytest
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from casework.errors import Conflict, InvalidInput, NotFound, TooLarge
from casework.models import StaffProfile
from casework.tests.factories import ApplicantFactory, ApplicationFactory, CaseFactory, UserFactory, staff_user
from intake.models import Message, MessageAttachment, MessageEvent
from intake.services import message_send_from_applicant, message_send_to_case
from intake.tests.helpers import EXE, HEIC, JPEG, PDF, PNG, TEXT, office_file, stored_files, upload

pytestmark = pytest.mark.django_db


def staff_send(case, **fields):
    return message_send_to_case(
        staff_user=case.assigned_staff_profile.user, case_id=case.pk, subject="Hello", body="Body", **fields
    )


def applicant_send(application, **fields):
    return message_send_from_applicant(
        applicant=application.submission.user,
        application_id=application.pk,
        subject=fields.pop("subject", "Question"),
        body=fields.pop("body", "Text"),
        **fields,
    )


# Invariant 1: routing is derived, never supplied ---------------------------------


def test_staff_message_goes_to_the_case_applicant():
    case = CaseFactory()

    message = staff_send(case)

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

    message = applicant_send(case.application)

    assert message.recipient_id == profile.user_id
    assert message.case_id == case.pk


def test_applicant_message_to_unassigned_case_goes_to_the_case_team():
    case = CaseFactory(assigned_staff_profile=None)

    assert applicant_send(case.application).recipient_id is None


def test_applicant_message_when_caseworker_disabled_goes_to_the_case_team():
    case = CaseFactory()
    StaffProfile.objects.filter(pk=case.assigned_staff_profile_id).update(status=StaffProfile.Status.DISABLED)
    case.refresh_from_db()

    assert applicant_send(case.application).recipient_id is None


def test_applicant_message_about_application_without_case_is_bound_to_the_application():
    application = ApplicationFactory()

    message = applicant_send(application)

    assert (message.case_id, message.application_id, message.recipient_id) == (None, application.pk, None)


def test_staff_cannot_send_to_a_case_they_may_not_open():
    case = CaseFactory()
    other_caseworker = staff_user()

    with pytest.raises(NotFound):
        message_send_to_case(staff_user=other_caseworker, case_id=case.pk, subject="s", body="b")
    assert not Message.objects.exists()


def test_supervisor_may_send_to_any_case_and_it_still_goes_to_the_applicant():
    case = CaseFactory()
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)

    message = message_send_to_case(staff_user=supervisor, case_id=case.pk, subject="s", body="b")

    assert message.recipient_id == case.application.submission.user_id


# Invariant 3/5: applicants write only about their own submissions -----------------


def test_applicant_cannot_write_about_someone_elses_application():
    mine = ApplicationFactory()
    theirs = ApplicationFactory()

    with pytest.raises(NotFound):
        message_send_from_applicant(
            applicant=mine.submission.user, application_id=theirs.pk, subject="s", body="b"
        )
    assert not Message.objects.exists()


def test_applicant_reply_stays_in_the_parents_thread():
    case = CaseFactory()
    ApplicationFactory(submission__user=case.application.submission.user)
    parent = staff_send(case)

    reply = message_send_from_applicant(
        applicant=case.application.submission.user, reply_to_id=parent.pk, subject="Re: Hello", body="Thanks"
    )

    assert (reply.case_id, reply.application_id, reply.reply_to_id) == (case.pk, case.application_id, parent.pk)
    parent.refresh_from_db()
    assert parent.status == Message.Status.REPLIED


def test_applicant_cannot_reply_to_another_applicants_message():
    case = CaseFactory()
    parent = staff_send(case)
    stranger = ApplicationFactory().submission.user

    with pytest.raises(NotFound):
        message_send_from_applicant(applicant=stranger, reply_to_id=parent.pk, subject="s", body="b")


# Invariant 4: every message is bound -------------------------------------------


def test_applicant_with_no_submission_cannot_send():
    applicant = ApplicantFactory()

    with pytest.raises(InvalidInput) as error:
        message_send_from_applicant(applicant=applicant, application_id=1, subject="s", body="b")

    assert error.value.code == "no_submission"
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
    foreign = staff_send(other)

    with pytest.raises(Conflict) as error:
        staff_send(case, reply_to_id=foreign.pk)

    assert error.value.status == 409
    assert Message.objects.count() == 1


def test_staff_reply_to_missing_message_gets_the_same_answer_as_another_cases():
    case = CaseFactory()

    with pytest.raises(Conflict) as error:
        staff_send(case, reply_to_id=999999)

    assert error.value.code == "reply_to_other_case"


def test_staff_reply_marks_the_applicant_message_replied():
    case = CaseFactory()
    question = applicant_send(case.application)

    staff_send(case, reply_to_id=question.pk)

    question.refresh_from_db()
    assert question.status == Message.Status.REPLIED


@pytest.mark.parametrize("subject, body, field", [("", "b", "subject"), ("   ", "b", "subject"), ("s", "", "body"), ("x" * 256, "b", "subject")])
def test_empty_or_too_long_text_is_refused(subject, body, field):
    case = CaseFactory()

    with pytest.raises(InvalidInput) as error:
        message_send_to_case(staff_user=case.assigned_staff_profile.user, case_id=case.pk, subject=subject, body=body)

    assert error.value.field == field


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

    message = staff_send(case, files=[upload(name, content, content_type="application/octet-stream")])

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
        staff_send(case, files=files)

    assert error.value.code == code
    assert error.value.field == "attachments"
    assert not Message.objects.exists()
    assert not MessageAttachment.objects.exists()
    assert stored_files() == before


def test_refused_file_is_named_in_the_error():
    case = CaseFactory()

    with pytest.raises(InvalidInput) as error:
        staff_send(case, files=[upload("pay.pdf"), upload("setup.pdf", EXE)])

    assert "setup.pdf" in str(error.value.message)


def test_oversize_file_gives_413():
    case = CaseFactory()

    with pytest.raises(TooLarge) as error:
        staff_send(case, files=[upload("big.pdf", PDF + b"0" * (10 * 1024 * 1024))])

    assert error.value.status == 413


def test_file_names_are_sanitised():
    case = CaseFactory()

    message = staff_send(case, files=[upload("../../etc/pa\x00ss\r\nwd.txt", TEXT)])

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

    with pytest.raises(OSError):
        staff_send(case, files=[upload("a.pdf"), upload("b.pdf")])

    assert len(calls) == 2
    assert not Message.objects.exists()
    assert not MessageAttachment.objects.exists()
    assert not MessageEvent.objects.exists()
    assert stored_files() == before


# Audit trail (invariant 7: never content) -------------------------------------------


def test_send_records_events_without_content():
    case = CaseFactory()

    message = staff_send(case, files=[upload("secret-name.pdf")], urgent=True)

    events = list(MessageEvent.objects.filter(message_id=message.pk).order_by("id"))
    assert [e.event_type for e in events] == ["attachment_uploaded", "message_sent"]
    assert events[1].actor_user_id == case.assigned_staff_profile.user_id
    assert events[1].case_id == case.pk
    dumped = repr([e.detail for e in events])
    for content in ("Hello", "Body", "secret-name"):
        assert content not in dumped
