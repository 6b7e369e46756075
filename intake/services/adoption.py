"""Adoption: an applicant's attachments become documents of the case file
(`iset_document`), once each (invariant 9)."""

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from casework.models import Case, Document, User
from common.storage import storage_key_new
from intake import outbox
from intake.models import FileOutbox, Message, MessageAttachment, MessageEvent
from intake.services.events import event_record

Adopted = list[tuple[MessageAttachment, Document | None]]


def attachments_adopt(
    *,
    staff_user: User,
    case: Case,
    message: Message,
    new_files: list[str] | None = None,
    copy_keys: list[str] | None = None,
) -> Adopted:
    """Put each attachment of an applicant's message into the case file, once.

    `message` belongs to `case`'s thread (the caller fetched both through the
    staff access rule). Only applicant messages are adopted: a staff message's
    files stay out of the case file, so their sender can still withdraw it;
    for those, and for a withdrawn message, the attachments come back with no
    document and nothing changes.

    Idempotent: keyed on origin_attachment_id (unique in the schema), so a
    repeat call, or two at once, leaves one document per attachment; a call
    also repairs case/application ids missing on the message, its attachments
    and their documents. A repeat call that finds everything in place reads
    one query and writes nothing. Returns [(attachment, document or None)].

    `staff_user` is who the audit trail names as adopting: the staff member
    who opened the message, or whoever's action brought the files in (the
    applicant whose message arrived on a case, the supervisor who opened a
    case for an application). A caller whose own transaction encloses this
    one passes `new_files`: it receives the storage keys of the copies made
    here, which are the caller's to remove if its transaction fails after.
    `copy_keys`: storage keys the caller recorded in the file outbox before its
    transaction opened (intake.outbox.uploads_expect); the copies take them,
    one each, so a process killed before the commit leaves none unrecorded.
    Without them, this records its own before its transaction opens, one for
    each attachment that has no document yet, and its transaction confirms
    them.
    """
    attachments = list(message.attachments.select_related("document").order_by("id"))
    if not message.from_applicant or message.deleted:
        return [(attachment, None) for attachment in attachments]
    if not _repairs_needed(message, case, attachments):
        return [(attachment, attachment.document) for attachment in attachments]
    own_keys: list[str] = []
    if copy_keys is None:
        own_keys = [
            storage_key_new(f"documents/case-{case.pk}") for attachment in attachments if _document_of(attachment) is None
        ]
        outbox.uploads_expect(own_keys)
        copy_keys = list(own_keys)
    copies: list[str] = []
    committing = False
    try:
        with transaction.atomic():
            # Serialises with withdrawal and with other adoptions of this message.
            locked = Message.objects.select_for_update().get(pk=message.pk)
            _message_repair(locked, case)
            adopted: Adopted = []
            for attachment in locked.attachments.order_by("id"):
                if attachment.case_id != case.pk:
                    attachment.case_id = case.pk
                    attachment.save(update_fields=["case"])
                adopted.append((attachment, _document_for(attachment, locked, case, staff_user, copies, copy_keys)))
            outbox.uploads_confirm(own_keys)
            committing = True
    except BaseException:
        if committing:
            # Failed at the commit, which may have happened all the same:
            # nothing is deleted now. The keys recorded in advance are the
            # drain's, which deletes only files no document names.
            outbox.uploads_leave_to_drain(copies, recorded=own_keys)
            raise
        # The documents rolled back: their copies go too (intake.outbox).
        outbox.files_discard(copies + own_keys, reason=FileOutbox.Reason.ROLLED_BACK)
        raise
    message.case_id, message.application_id = locked.case_id, locked.application_id
    if new_files is not None:
        new_files.extend(copies)
    return adopted


def _document_of(attachment: MessageAttachment) -> Document | None:
    try:
        return attachment.document
    except Document.DoesNotExist:
        return None


def _repairs_needed(message: Message, case: Case, attachments: list[MessageAttachment]) -> bool:
    if message.case_id is None or message.application_id is None:
        return True
    for attachment in attachments:
        document = _document_of(attachment)
        if attachment.case_id != case.pk or document is None:
            return True
        if any(getattr(document, field) is None for field in _document_origin(message, case)):
            return True
    return False


def _document_origin(message: Message, case: Case) -> dict[str, int]:
    """What a document adopted from this message says about where it came from."""
    return {
        "case_id": case.pk,
        "application_id": case.application_id,
        "applicant_user_id": case.application.submission.user_id,
        "origin_message_id": message.pk,
    }


def _message_repair(message: Message, case: Case) -> None:
    changed = []
    if message.case_id is None:
        message.case_id = case.pk
        changed.append("case")
    if message.application_id is None:
        message.application_id = case.application_id
        changed.append("application")
    if changed:
        message.save(update_fields=changed)


def _document_for(
    attachment: MessageAttachment,
    message: Message,
    case: Case,
    staff_user: User,
    copies: list[str],
    copy_keys: list[str],
) -> Document:
    document = Document.objects.filter(origin_attachment=attachment).first()
    if document is None:
        key = copy_keys.pop(0) if copy_keys else storage_key_new(f"documents/case-{case.pk}")
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
            # Another request adopted it first: keep theirs; our copy goes
            # through the outbox, recorded in this transaction (and still
            # among `copies`, should the transaction roll back instead).
            outbox.files_unlink([key], reason=FileOutbox.Reason.ADOPTION_RACE)
            document = Document.objects.get(origin_attachment=attachment)
        else:
            event_record(
                event_type=MessageEvent.Type.ATTACHMENT_ADOPTED,
                message=message,
                actor=staff_user,
                detail={"attachment_id": attachment.pk, "document_id": document.pk},
            )
            return document
    missing = {
        field: value
        for field, value in _document_origin(message, case).items()
        if getattr(document, field) is None
    }
    if missing:
        Document.objects.filter(pk=document.pk).update(**missing)
        for field, value in missing.items():
            setattr(document, field, value)
    return document
