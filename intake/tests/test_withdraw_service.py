"""Withdrawal redacts for everyone and keeps an audit record with no content
(invariant 10); adoption leaves a staff message's files out of the case file,
so its sender can still withdraw it."""

import hashlib

import pytest
from django.db import IntegrityError, transaction
from django.http import Http404

from casework.access import case_for_staff
from casework.models import Document, StaffProfile
from casework.tests.factories import staff_user
from common.errors import Conflict, PermissionRefused
from intake.models import FileOutbox, Message, MessageAttachment, MessageEvent
from intake.services.adoption import attachments_adopt
from intake.services.sending import message_send_from_applicant, message_send_to_case
from intake.services.withdrawal import WITHDRAWN_BODY, WITHDRAWN_SUBJECT, message_withdraw
from intake.tests.factories import (
    DocumentFactory,
    MessageAttachmentFactory,
    MessageFactory,
    StaffMessageFactory,
)
from intake.tests.helpers import stored_files, upload
from intake.tests.worker import tasks_run

pytestmark = pytest.mark.django_db


def test_withdraw_replaces_text_removes_files_and_audits_hashes_only(cast):
    message = StaffMessageFactory(case=cast.case, subject="Income check", body="Your SIN is 123 456 789")
    key = MessageAttachmentFactory(message=message, original_filename="sin-card.pdf").file_path
    assert key in stored_files()

    message_withdraw(staff_user=cast.caseworker, case=cast.case, message=message)
    tasks_run()  # the worker drains the file outbox

    message.refresh_from_db()
    assert message.deleted is True
    assert (message.subject, message.body) == (WITHDRAWN_SUBJECT, WITHDRAWN_BODY)
    assert "SIN" not in message.body and "Income" not in message.subject
    assert not MessageAttachment.objects.filter(message=message).exists()
    assert key not in stored_files()
    event = MessageEvent.objects.get(event_type="message_withdrawn", message_id=message.pk)
    assert event.actor_user_id == cast.caseworker.pk
    assert event.case_id == cast.case.pk
    # Keyed digests only (tests/test_withdrawal_digest.py): no plain hash anyone could test guesses against.
    assert set(event.detail) == {"digest", "digest_key_id", "subject_hmac", "body_hmac", "attachments_removed"}
    assert event.detail["attachments_removed"] == 1
    assert hashlib.sha256(b"Your SIN is 123 456 789").hexdigest() not in repr(event.detail)
    assert "SIN" not in repr(event.detail) and "sin-card" not in repr(event.detail)


def test_files_stay_until_the_worker_drains_the_outbox_the_withdrawal_wrote(cast, django_capture_on_commit_callbacks):
    message = StaffMessageFactory(case=cast.case)
    key = MessageAttachmentFactory(message=message).file_path

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message_withdraw(staff_user=cast.caseworker, case=cast.case, message=message)

    # Nothing left to a commit hook: the key is a row of the withdrawal's own transaction.
    assert callbacks == []
    assert key in stored_files()
    assert list(FileOutbox.objects.values_list("storage_key", "reason")) == [(key, "withdrawal")]
    tasks_run()
    assert key not in stored_files()
    assert not FileOutbox.objects.exists()


def test_withdrawn_content_is_gone_from_every_endpoint(cast):
    message = StaffMessageFactory(case=cast.case, subject="Income check", body="Your SIN is 123 456 789")
    attachment = MessageAttachmentFactory(message=message, original_filename="sin-card.pdf")
    message_withdraw(staff_user=cast.caseworker, case=cast.case, message=message)
    applicant, caseworker = cast.client_for(cast.applicant), cast.client_for(cast.caseworker)

    pages = [
        applicant.get(f"/api/messages/{message.pk}"),
        caseworker.get(f"/api/cases/{cast.case.pk}/messages"),
        caseworker.get(f"/api/admin/messages/{message.pk}/attachments?case_id={cast.case.pk}"),
    ]

    for response in pages:
        assert response.status_code == 200
        text = response.content.decode()
        assert "Income check" not in text and "SIN" not in text and "sin-card" not in text
    assert applicant.get(f"/messages/{message.pk}/attachments/{attachment.pk}/").status_code == 404


def test_supervisor_may_withdraw_a_caseworkers_message(cast):
    message = StaffMessageFactory(case=cast.case)

    message_withdraw(staff_user=cast.supervisor, case=case_for_staff(cast.supervisor, cast.case.pk), message=message)

    assert Message.objects.get(pk=message.pk).deleted


def test_another_caseworker_with_access_may_not_withdraw(cast):
    message = StaffMessageFactory(case=cast.case)
    colleague = staff_user()
    cast.case.assigned_staff_profile = colleague.staff_profile
    cast.case.save()

    with pytest.raises(PermissionRefused) as error:
        message_withdraw(staff_user=colleague, case=case_for_staff(colleague, cast.case.pk), message=message)

    assert error.value.code == "not_sender"
    assert not Message.objects.get(pk=message.pk).deleted


def test_caseworker_of_another_case_never_reaches_the_case(cast):
    # The service trusts the case it is given; the access rule keeps it from outsiders.
    message = StaffMessageFactory(case=cast.case)

    with pytest.raises(Http404):
        case_for_staff(cast.other_caseworker, cast.case.pk)
    assert not Message.objects.get(pk=message.pk).deleted


def test_applicant_messages_cannot_be_withdrawn(cast):
    message = MessageFactory(case=cast.case)

    with pytest.raises(Conflict) as error:
        message_withdraw(staff_user=cast.supervisor, case=cast.case, message=message)

    assert error.value.code == "not_withdrawable"
    assert not Message.objects.get(pk=message.pk).deleted


def test_message_with_adopted_attachments_is_refused_with_the_reason(cast):
    # Adoption now leaves staff messages alone, but documents adopted from them
    # before that rule are still in case files: those messages stay as they are.
    message = StaffMessageFactory(case=cast.case)
    DocumentFactory(origin_attachment=MessageAttachmentFactory(message=message))

    with pytest.raises(Conflict) as error:
        message_withdraw(staff_user=cast.caseworker, case=cast.case, message=message)

    assert error.value.code == "attachments_adopted"
    assert "case file" in str(error.value.message)
    assert not Message.objects.get(pk=message.pk).deleted
    assert MessageAttachment.objects.filter(message=message).count() == 1


def test_withdrawn_message_cannot_be_answered(cast):
    message = StaffMessageFactory(case=cast.case)
    message_withdraw(staff_user=cast.caseworker, case=cast.case, message=message)

    with pytest.raises(Conflict) as error:
        message_send_from_applicant(applicant=cast.applicant, reply_to=message, subject="Re", body="b")

    assert error.value.code == "reply_to_withdrawn"
    assert Message.objects.count() == 1


def test_withdrawing_twice_is_refused(cast):
    message = StaffMessageFactory(case=cast.case)
    message_withdraw(staff_user=cast.caseworker, case=cast.case, message=message)

    with pytest.raises(Conflict) as error:
        message_withdraw(staff_user=cast.caseworker, case=cast.case, message=message)

    assert error.value.code == "already_withdrawn"
    assert MessageEvent.objects.filter(event_type="message_withdrawn").count() == 1


def test_schema_allows_one_document_per_attachment(cast):
    document = DocumentFactory(origin_attachment__message__case=cast.case)

    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(
            case=cast.case,
            origin_attachment=document.origin_attachment,
            source=Document.Source.SECURE_MESSAGE_ATTACHMENT,
            file_name="dup",
            file_path="documents/dup",
            mime_type="application/pdf",
            size_bytes=1,
        )


def test_supervisor_role_is_checked_on_the_profile_not_the_user(cast):
    admin = staff_user(StaffProfile.Role.ADMIN)
    message = StaffMessageFactory(case=cast.case)

    message_withdraw(staff_user=admin, case=cast.case, message=message)

    assert Message.objects.get(pk=message.pk).deleted


# Adoption takes only an applicant's files -------------------------------------------


def test_adopting_a_staff_message_gives_its_attachments_without_documents(cast):
    message = message_send_to_case(
        staff_user=cast.caseworker,
        case=cast.case,
        subject="Forms",
        body="Attached.",
        files=[upload("form.pdf"), upload("guide.pdf")],
    )
    attachments = list(message.attachments.order_by("id"))
    files_before = stored_files()

    adopted = attachments_adopt(staff_user=cast.supervisor, case=cast.case, message=message)

    assert adopted == [(attachments[0], None), (attachments[1], None)]
    assert not Document.objects.exists()
    assert not MessageEvent.objects.filter(event_type=MessageEvent.Type.ATTACHMENT_ADOPTED).exists()
    assert stored_files() == files_before


def test_a_staff_message_can_still_be_withdrawn_after_an_adoption_was_asked(cast):
    message = message_send_to_case(
        staff_user=cast.caseworker, case=cast.case, subject="Wrong letter", body="Oops", files=[upload("letter.pdf")]
    )
    key = message.attachments.get().file_path
    attachments_adopt(staff_user=cast.caseworker, case=cast.case, message=message)

    message_withdraw(staff_user=cast.caseworker, case=cast.case, message=message)
    tasks_run()

    message.refresh_from_db()
    assert message.deleted is True
    assert not MessageAttachment.objects.filter(message=message).exists()
    assert key not in stored_files()
    assert MessageEvent.objects.filter(event_type=MessageEvent.Type.WITHDRAWN, message_id=message.pk).count() == 1


def test_adopting_a_withdrawn_message_changes_nothing(cast):
    # Only staff messages are withdrawn by the service, and withdrawal removes
    # their files; a withdrawn applicant message with its files still listed
    # is older data, and stays out of the case file all the same.
    message = MessageFactory(case=cast.case, deleted=True)
    attachment = MessageAttachmentFactory(message=message)

    adopted = attachments_adopt(staff_user=cast.caseworker, case=cast.case, message=message)

    assert adopted == [(attachment, None)]
    assert not Document.objects.exists()
    assert not MessageEvent.objects.exists()


def test_adopting_an_applicant_message_still_files_each_attachment_once(cast):
    message = message_send_from_applicant(
        applicant=cast.applicant, application=cast.case.application, subject="Pay stub", body="Here", files=[upload()]
    )

    first = attachments_adopt(staff_user=cast.caseworker, case=cast.case, message=message)
    second = attachments_adopt(staff_user=cast.caseworker, case=cast.case, message=message)

    [(attachment, document)] = first
    assert second == first
    assert (document.origin_attachment_id, document.case_id) == (attachment.pk, cast.case.pk)
    assert Document.objects.count() == 1
    assert MessageEvent.objects.filter(event_type=MessageEvent.Type.ATTACHMENT_ADOPTED).count() == 1
