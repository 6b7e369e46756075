"""Withdrawal: a staff message's text is replaced for everyone, its files
removed, and an audit record without content kept (invariant 10)."""

import hashlib

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from casework.models import Case, Document, User
from common.errors import Conflict, InvalidInput, PermissionRefused
from common.storage import file_delete
from intake.models import Message, MessageAttachment, MessageEvent
from intake.services.events import event_record

# Stored in place of a withdrawn message's text; pages show a translated notice.
WITHDRAWN_SUBJECT = "Message withdrawn"
WITHDRAWN_BODY = "This message was withdrawn by the ISET case team."


def message_withdraw(*, staff_user: User, case: Case, message: Message, reason: str | None = None) -> Message:
    """Withdraw a message sent to the applicant of `case`; `message` belongs to
    its thread (the caller fetched both through the staff access rule).

    Only its sender or a supervisor/admin may, only once, and not after its
    attachments were adopted into the case file."""
    profile = staff_user.active_staff_profile
    if reason is not None and reason not in Message.WithdrawalReason.values:
        raise InvalidInput(_("Choose one of the reasons offered."), code="invalid_reason", field="reason")
    removed_files: list[str] = []
    with transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message.pk)
        if locked.direction != Message.Direction.STAFF_TO_APPLICANT:
            raise Conflict(_("Only messages sent to the applicant can be withdrawn."), code="not_withdrawable")
        if locked.sender_id != staff_user.pk and not (profile and profile.sees_every_case):
            raise PermissionRefused(_("Only the sender or a supervisor can withdraw this message."), code="not_sender")
        if locked.deleted:
            raise Conflict(_("This message was already withdrawn."), code="already_withdrawn")
        if Document.objects.filter(Q(origin_message=locked) | Q(origin_attachment__message=locked)).exists():
            raise Conflict(
                _("This message's attachments are already in the case file, so it cannot be withdrawn."),
                code="attachments_adopted",
            )
        attachments = list(locked.attachments.all())
        removed_files = [attachment.file_path for attachment in attachments]
        detail = {
            "subject_sha256": hashlib.sha256(locked.subject.encode()).hexdigest(),
            "body_sha256": hashlib.sha256(locked.body.encode()).hexdigest(),
            "attachments_removed": len(attachments),
        }
        MessageAttachment.objects.filter(message=locked).delete()
        Message.objects.filter(pk=locked.pk).update(
            subject=WITHDRAWN_SUBJECT, body=WITHDRAWN_BODY, deleted=True, withdrawal_reason=reason
        )
        if reason:
            detail["reason"] = reason  # a code from WithdrawalReason, never free text
        event_record(
            event_type=MessageEvent.Type.WITHDRAWN, message=locked, case_id=case.pk, actor=staff_user, detail=detail
        )
        transaction.on_commit(lambda: [file_delete(key) for key in removed_files])
    message.refresh_from_db()
    return message
