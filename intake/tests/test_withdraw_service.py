"""Withdrawal redacts for everyone and keeps an audit record with no content (invariant 10)."""

import hashlib

import pytest
from django.db import IntegrityError, transaction

from casework.errors import Conflict, NotFound, PermissionRefused
from casework.models import Document, StaffProfile
from casework.tests.factories import staff_user
from intake.models import Message, MessageAttachment, MessageEvent
from intake.services import (
    attachments_adopt,
    message_send_from_applicant,
    message_send_to_case,
    message_withdraw,
)
from intake.tests.helpers import stored_files, upload

pytestmark = pytest.mark.django_db


def sent(cast, **fields):
    return message_send_to_case(
        staff_user=cast.caseworker, case_id=cast.case.pk, subject="Income check", body="Your SIN is 123 456 789", **fields
    )


def test_withdraw_replaces_text_removes_files_and_audits_hashes_only(cast, django_capture_on_commit_callbacks):
    message = sent(cast, files=[upload("sin-card.pdf")])
    key = message.attachments.get().file_path
    assert key in stored_files()

    with django_capture_on_commit_callbacks(execute=True):
        message_withdraw(staff_user=cast.caseworker, case_id=cast.case.pk, message_id=message.pk)

    message.refresh_from_db()
    assert message.deleted is True
    assert "SIN" not in message.body and "Income" not in message.subject
    assert not MessageAttachment.objects.filter(message=message).exists()
    assert key not in stored_files()
    event = MessageEvent.objects.get(event_type="message_withdrawn", message_id=message.pk)
    assert event.actor_user_id == cast.caseworker.pk
    assert event.detail["body_sha256"] == hashlib.sha256(b"Your SIN is 123 456 789").hexdigest()
    assert "SIN" not in repr(event.detail) and "sin-card" not in repr(event.detail)


def test_withdrawn_content_is_gone_from_every_endpoint(cast):
    message = sent(cast, files=[upload("sin-card.pdf")])
    attachment = message.attachments.get()
    message_withdraw(staff_user=cast.caseworker, case_id=cast.case.pk, message_id=message.pk)
    applicant, caseworker = cast.client_for(cast.applicant), cast.client_for(cast.caseworker)

    pages = [
        applicant.get(f"/api/messages/{message.pk}"),
        caseworker.get(f"/api/cases/{cast.case.pk}/messages"),
        caseworker.get(f"/api/admin/messages/{message.pk}/attachments?case_id={cast.case.pk}"),
    ]

    for response in pages:
        text = response.content.decode()
        assert "Income check" not in text and "SIN" not in text and "sin-card" not in text
    assert applicant.get(f"/messages/{message.pk}/attachments/{attachment.pk}/").status_code == 404


def test_supervisor_may_withdraw_a_caseworkers_message(cast):
    message = sent(cast)

    message_withdraw(staff_user=cast.supervisor, case_id=cast.case.pk, message_id=message.pk)

    assert Message.objects.get(pk=message.pk).deleted


def test_another_caseworker_with_access_may_not_withdraw(cast):
    message = sent(cast)
    colleague = staff_user()
    cast.case.assigned_staff_profile = colleague.staff_profile
    cast.case.save()

    with pytest.raises(PermissionRefused):
        message_withdraw(staff_user=colleague, case_id=cast.case.pk, message_id=message.pk)
    assert not Message.objects.get(pk=message.pk).deleted


def test_caseworker_of_another_case_gets_not_found(cast):
    message = sent(cast)

    with pytest.raises(NotFound):
        message_withdraw(staff_user=cast.other_caseworker, case_id=cast.case.pk, message_id=message.pk)


def test_applicant_messages_cannot_be_withdrawn(cast):
    message = message_send_from_applicant(
        applicant=cast.applicant, application_id=cast.case.application_id, subject="s", body="b"
    )

    with pytest.raises(Conflict):
        message_withdraw(staff_user=cast.supervisor, case_id=cast.case.pk, message_id=message.pk)


def test_message_with_adopted_attachments_is_refused_with_the_reason(cast):
    message = sent(cast, files=[upload()])
    attachments_adopt(staff_user=cast.caseworker, case_id=cast.case.pk, message_id=message.pk)

    with pytest.raises(Conflict) as error:
        message_withdraw(staff_user=cast.caseworker, case_id=cast.case.pk, message_id=message.pk)

    assert error.value.code == "attachments_adopted"
    assert "case file" in str(error.value.message)
    assert not Message.objects.get(pk=message.pk).deleted


def test_withdrawn_message_cannot_be_answered(cast):
    message = sent(cast)
    message_withdraw(staff_user=cast.caseworker, case_id=cast.case.pk, message_id=message.pk)

    with pytest.raises(Conflict):
        message_send_from_applicant(applicant=cast.applicant, reply_to_id=message.pk, subject="Re", body="b")


def test_withdrawing_twice_is_refused(cast):
    message = sent(cast)
    message_withdraw(staff_user=cast.caseworker, case_id=cast.case.pk, message_id=message.pk)

    with pytest.raises(Conflict):
        message_withdraw(staff_user=cast.caseworker, case_id=cast.case.pk, message_id=message.pk)


def test_schema_allows_one_document_per_attachment(cast):
    message = sent(cast, files=[upload()])
    [(attachment, document)] = attachments_adopt(staff_user=cast.caseworker, case_id=cast.case.pk, message_id=message.pk)

    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(
            case=cast.case, origin_attachment=attachment, source=Document.Source.SECURE_MESSAGE_ATTACHMENT,
            file_name="dup", file_path="documents/dup", mime_type="application/pdf", size_bytes=1,
        )


def test_supervisor_role_is_checked_on_the_profile_not_the_user(cast):
    admin = staff_user(StaffProfile.Role.ADMIN)
    message = sent(cast)

    message_withdraw(staff_user=admin, case_id=cast.case.pk, message_id=message.pk)

    assert Message.objects.get(pk=message.pk).deleted
