"""Withdrawal: a staff message's text is replaced for everyone, its files
removed, and an audit record without content kept (invariant 10).

The record keeps a keyed digest (HMAC-SHA256) of the withdrawn subject and
body, never a plain hash: a plain SHA-256 of a short text can be found again by
guessing (a withdrawn "Your SIN on file: …" was, from 10,000 guesses). Whoever
holds the key can still check a claim about what was withdrawn
(withdrawn_text_matches); nobody else can test guesses. docs/security.md."""

import hashlib
import hmac

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from casework.models import Case, Document, User
from common.errors import Conflict, InvalidInput, PermissionRefused
from intake import outbox
from intake.models import FileOutbox, Message, MessageAttachment, MessageEvent
from intake.services.events import event_record

# Stored in place of a withdrawn message's text; pages show a translated notice.
WITHDRAWN_SUBJECT = "Message withdrawn"
WITHDRAWN_BODY = "This message was withdrawn by the ISET case team."
DIGEST_ALGORITHM = "hmac-sha256"


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
        key = digest_key()
        detail = {
            "digest": DIGEST_ALGORITHM,
            "digest_key_id": digest_key_id(key),
            "subject_hmac": _digest(key, "subject", locked.subject),
            "body_hmac": _digest(key, "body", locked.body),
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
        # The files go once this commits: recorded here, deleted by the worker's drain (intake.outbox).
        outbox.files_unlink(removed_files, reason=FileOutbox.Reason.WITHDRAWAL)
    message.refresh_from_db()
    return message


def digest_key() -> bytes:
    """The key of new withdrawal digests: WITHDRAWAL_DIGEST_KEY, or one derived
    from SECRET_KEY (and so replaced when SECRET_KEY is)."""
    if settings.WITHDRAWAL_DIGEST_KEY:
        return settings.WITHDRAWAL_DIGEST_KEY.encode()
    return salted_hmac("iset_messaging.withdrawal-digest-key", "", algorithm="sha256").digest()


def digest_key_id(key: bytes) -> str:
    """Which key made a digest, without revealing it: a fingerprint of the key."""
    return hmac.new(key, b"iset_messaging.withdrawal-digest-key-id", hashlib.sha256).hexdigest()[:16]


def withdrawn_text_matches(detail: dict, *, subject: str, body: str) -> bool:
    """Whether a withdrawal record's digests are those of `subject` and
    `body`, checked with the key the record names (the current key or one of
    WITHDRAWAL_DIGEST_PREVIOUS_KEYS). False when no key at hand made it."""
    keys = [digest_key(), *(key.encode() for key in settings.WITHDRAWAL_DIGEST_PREVIOUS_KEYS)]
    key = next((key for key in keys if digest_key_id(key) == detail.get("digest_key_id")), None)
    if key is None or detail.get("digest") != DIGEST_ALGORITHM:
        return False
    return hmac.compare_digest(_digest(key, "subject", subject), str(detail.get("subject_hmac", ""))) and (
        hmac.compare_digest(_digest(key, "body", body), str(detail.get("body_hmac", "")))
    )


def _digest(key: bytes, field: str, text: str) -> str:
    # The field's name goes in too: the same text as subject and as body gives two different digests.
    return hmac.new(key, f"{field}\0{text}".encode(), hashlib.sha256).hexdigest()
