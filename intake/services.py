"""Writes for secure messaging. Each public function is one transaction.

Routing is derived, never supplied (invariant 1): staff messages go to the
case's applicant; applicant messages go to the assigned caseworker's user id,
or to nobody in particular (the case team). No argument names a recipient.
"""

import hashlib
import logging

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.access import application_for_applicant, applications_for_applicant, case_for_staff, require_staff
from casework.errors import Conflict, InvalidInput, NotFound, PermissionRefused
from casework.models import Case, Document
from intake.models import Message, MessageAttachment, MessageEvent
from intake.notifications import notify_new_message
from intake.selectors import applicant_message, case_message
from intake.uploads import files_check, storage_key_new

logger = logging.getLogger(__name__)

SUBJECT_MAX = 255
BODY_MAX = 20_000
# Stored in place of a withdrawn message's text; pages show a translated notice.
WITHDRAWN_SUBJECT = "Message withdrawn"
WITHDRAWN_BODY = "This message was withdrawn by the ISET case team."


def event_record(*, event_type, message=None, case_id=None, actor=None, detail=None):
    """One audit event: ids, counts and hashes only, never message content."""
    return MessageEvent.objects.create(
        event_type=event_type,
        message_id=message.pk if message else None,
        case_id=case_id if case_id is not None else (message.case_id if message else None),
        actor_user_id=actor.pk if actor else None,
        detail=detail or {},
    )


# Sending ----------------------------------------------------------------------


def message_send_to_case(*, staff_user, case_id, subject, body, urgent=False, reply_to_id=None, files=()):
    """A caseworker writes to the applicant of a case they may open."""
    case = case_for_staff(staff_user, case_id)
    subject, body = _text_check(subject, body)
    checked = files_check(files)
    reply_to = None
    if reply_to_id not in (None, ""):
        reply_to = _reply_parent_in_case(case, reply_to_id)
    return _message_save(
        sender=staff_user,
        recipient=case.application.submission.user,
        case=case,
        application=case.application,
        direction=Message.Direction.STAFF_TO_APPLICANT,
        subject=subject,
        body=body,
        urgent=bool(urgent),
        reply_to=reply_to,
        checked=checked,
    )


def message_send_from_applicant(*, applicant, subject, body, application_id=None, reply_to_id=None, files=()):
    """An applicant writes about one of their own applications (or answers a message)."""
    if not applications_for_applicant(applicant).exists():
        raise InvalidInput(
            _("You can write to the case team once you have submitted an application."),
            code="no_submission",
        )
    reply_to = None
    if reply_to_id not in (None, ""):
        reply_to = applicant_message(applicant, reply_to_id)
        if reply_to.deleted:
            raise Conflict(_("That message was withdrawn, so it cannot be answered."), code="reply_to_withdrawn")
        application = application_for_applicant(applicant, reply_to.application_id or reply_to.case.application_id)
    elif application_id in (None, ""):
        raise InvalidInput(_("Choose which application your message is about."), code="thread_required", field="thread")
    else:
        application = application_for_applicant(applicant, application_id)
    subject, body = _text_check(subject, body)
    checked = files_check(files)
    case = _case_of(application)
    caseworker = case.assigned_staff_profile if case else None
    recipient = caseworker.user if caseworker and caseworker.status == caseworker.Status.ACTIVE else None
    return _message_save(
        sender=applicant,
        recipient=recipient,
        case=case,
        application=application,
        direction=Message.Direction.APPLICANT_TO_STAFF,
        subject=subject,
        body=body,
        urgent=False,
        reply_to=reply_to,
        checked=checked,
    )


def _message_save(*, sender, recipient, case, application, direction, subject, body, urgent, reply_to, checked):
    stored = []
    try:
        with transaction.atomic():
            message = Message.objects.create(
                sender=sender,
                recipient=recipient,
                case=case,
                application=application,
                reply_to=reply_to,
                direction=direction,
                subject=subject,
                body=body,
                urgent=urgent,
            )
            for item in checked:
                key = default_storage.save(storage_key_new("attachments"), item.upload)
                stored.append(key)
                attachment = MessageAttachment.objects.create(
                    message=message,
                    case=case,
                    user=sender,
                    file_path=key,
                    original_filename=item.name,
                    content_type=item.content_type,
                    size_bytes=item.size,
                    checksum_sha256=item.sha256,
                )
                event_record(
                    event_type=MessageEvent.Type.ATTACHMENT_UPLOADED,
                    message=message,
                    actor=sender,
                    detail={"attachment_id": attachment.pk, "content_type": item.content_type, "size_bytes": item.size},
                )
            if reply_to is not None:
                Message.objects.filter(pk=reply_to.pk).update(status=Message.Status.REPLIED)
            event_record(
                event_type=MessageEvent.Type.SENT,
                message=message,
                actor=sender,
                detail={
                    "direction": direction,
                    "recipient_user_id": recipient.pk if recipient else None,
                    "application_id": application.pk,
                    "reply_to_id": reply_to.pk if reply_to else None,
                    "attachment_count": len(checked),
                    "urgent": urgent,
                },
            )
            transaction.on_commit(lambda: notify_new_message(message.pk))
    except BaseException:
        # Nothing half-sent: the rows rolled back, so the files go too.
        for key in stored:
            _file_delete(key)
        raise
    return message


def _text_check(subject, body):
    subject = (subject or "").strip()
    body = (body or "").strip()
    if not subject:
        raise InvalidInput(_("Enter a subject."), code="subject_required", field="subject")
    if len(subject) > SUBJECT_MAX:
        raise InvalidInput(
            _("The subject can be at most %(max)d characters.") % {"max": SUBJECT_MAX},
            code="subject_too_long",
            field="subject",
        )
    if not body:
        raise InvalidInput(_("Enter a message."), code="body_required", field="body")
    if len(body) > BODY_MAX:
        raise InvalidInput(
            _("The message can be at most %(max)d characters.") % {"max": BODY_MAX},
            code="body_too_long",
            field="body",
        )
    return subject, body


def _reply_parent_in_case(case, reply_to_id):
    try:
        parent = case_message(case, reply_to_id)
    except NotFound:
        # Same answer whether it exists elsewhere or not at all: no probing.
        raise Conflict(
            _("The message you are replying to is not part of this case."), code="reply_to_other_case"
        ) from None
    if parent.deleted:
        raise Conflict(_("That message was withdrawn, so it cannot be answered."), code="reply_to_withdrawn")
    return parent


def _case_of(application):
    try:
        return application.case
    except Case.DoesNotExist:
        return None


# Read state -------------------------------------------------------------------


def message_mark_read(*, message, reader):
    """The recipient side opened the message: unread becomes read, once.

    The applicant reads staff messages; any staff member with access to the
    case reads applicant messages. The sender opening their own message
    changes nothing.
    """
    reader_is_staff = reader.active_staff_profile is not None
    if message.from_applicant != reader_is_staff or message.status != Message.Status.UNREAD:
        return False
    now = timezone.now()
    with transaction.atomic():
        changed = Message.objects.filter(pk=message.pk, status=Message.Status.UNREAD).update(
            status=Message.Status.READ, read_at=now
        )
        if changed:
            event_record(event_type=MessageEvent.Type.READ, message=message, actor=reader)
    if changed:
        message.status, message.read_at = Message.Status.READ, now
    return bool(changed)


def attachment_download_record(*, attachment, message, actor):
    event_record(
        event_type=MessageEvent.Type.ATTACHMENT_DOWNLOADED,
        message=message,
        actor=actor,
        detail={"attachment_id": attachment.pk},
    )


# Adoption into the case file ----------------------------------------------------


def attachments_adopt(*, staff_user, case_id, message_id):
    """Put each attachment of a message into the case file (`iset_document`), once.

    Idempotent: keyed on origin_attachment_id (unique in the schema), so a
    repeat call, or two at once, leaves one document per attachment; each call
    also repairs case/application ids missing on the message, its
    attachments and their documents. Returns [(attachment, document)].
    """
    case = case_for_staff(staff_user, case_id)
    case_message(case, message_id)
    copies = []
    try:
        with transaction.atomic():
            # Serialises with withdrawal and with other adoptions of this message.
            message = Message.objects.select_for_update().get(pk=message_id)
            _message_repair(message, case)
            adopted = []
            for attachment in message.attachments.order_by("id"):
                if attachment.case_id != case.pk:
                    attachment.case_id = case.pk
                    attachment.save(update_fields=["case"])
                document = _document_for(attachment, message, case, staff_user, copies)
                adopted.append((attachment, document))
    except BaseException:
        for key in copies:
            _file_delete(key)
        raise
    return adopted


def _message_repair(message, case):
    changed = []
    if message.case_id is None:
        message.case_id = case.pk
        changed.append("case")
    if message.application_id is None:
        message.application_id = case.application_id
        changed.append("application")
    if changed:
        message.save(update_fields=changed)


def _document_for(attachment, message, case, staff_user, copies):
    document = Document.objects.filter(origin_attachment=attachment).first()
    if document is None:
        key = storage_key_new(f"documents/case-{case.pk}")
        with default_storage.open(attachment.file_path, "rb") as source:
            key = default_storage.save(key, source)
        copies.append(key)
        try:
            with transaction.atomic():
                document = Document.objects.create(
                    case=case,
                    application_id=case.application_id,
                    applicant_user_id=case.application.submission.user_id,
                    uploaded_by_user_id=attachment.user_id,
                    origin_message=message,
                    origin_attachment=attachment,
                    source=Document.Source.SECURE_MESSAGE_ATTACHMENT,
                    file_name=attachment.original_filename,
                    file_path=key,
                    mime_type=attachment.content_type,
                    size_bytes=attachment.size_bytes,
                )
        except IntegrityError:
            # Another request adopted it first: keep theirs, drop our copy.
            copies.remove(key)
            _file_delete(key)
            document = Document.objects.get(origin_attachment=attachment)
        else:
            event_record(
                event_type=MessageEvent.Type.ATTACHMENT_ADOPTED,
                message=message,
                actor=staff_user,
                detail={"attachment_id": attachment.pk, "document_id": document.pk},
            )
            return document
    repairs = {
        "case_id": case.pk,
        "application_id": case.application_id,
        "applicant_user_id": case.application.submission.user_id,
        "origin_message_id": message.pk,
    }
    missing = {field: value for field, value in repairs.items() if getattr(document, field) is None}
    if missing:
        Document.objects.filter(pk=document.pk).update(**missing)
        for field, value in missing.items():
            setattr(document, field, value)
    return document


# Withdrawal -------------------------------------------------------------------


def message_withdraw(*, staff_user, case_id, message_id):
    """Replace a staff message's text for everyone; keep an audit record without content."""
    profile = require_staff(staff_user)
    case = case_for_staff(staff_user, case_id)
    case_message(case, message_id)
    removed_files = []
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        if message.direction != Message.Direction.STAFF_TO_APPLICANT:
            raise Conflict(_("Only messages sent to the applicant can be withdrawn."), code="not_withdrawable")
        if message.sender_id != staff_user.pk and not profile.sees_every_case:
            raise PermissionRefused(_("Only the sender or a supervisor can withdraw this message."), code="not_sender")
        if message.deleted:
            raise Conflict(_("This message was already withdrawn."), code="already_withdrawn")
        if Document.objects.filter(Q(origin_message=message) | Q(origin_attachment__message=message)).exists():
            raise Conflict(
                _("This message's attachments are already in the case file, so it cannot be withdrawn."),
                code="attachments_adopted",
            )
        attachments = list(message.attachments.all())
        removed_files = [attachment.file_path for attachment in attachments]
        detail = {
            "subject_sha256": hashlib.sha256(message.subject.encode()).hexdigest(),
            "body_sha256": hashlib.sha256(message.body.encode()).hexdigest(),
            "attachments_removed": len(attachments),
        }
        MessageAttachment.objects.filter(message=message).delete()
        Message.objects.filter(pk=message.pk).update(subject=WITHDRAWN_SUBJECT, body=WITHDRAWN_BODY, deleted=True)
        event_record(event_type=MessageEvent.Type.WITHDRAWN, message=message, actor=staff_user, detail=detail)
        transaction.on_commit(lambda: [_file_delete(key) for key in removed_files])
    message.refresh_from_db()
    return message


def _file_delete(key):
    try:
        default_storage.delete(key)
    except OSError:
        logger.exception("Could not delete stored file %s; its row is gone, remove the file by hand.", key)
