"""Sending: a caseworker to a case's applicant, a supervisor to the applicant
of an application that has no case yet, an applicant about one of their
applications. Routing is derived, never supplied (invariant 1): staff messages
go to the applicant of the case or application; applicant messages go to the
assigned caseworker's user id, read when the message is sent (so a
reassignment takes effect at once), or to nobody in particular (the case
team). No argument names a recipient.

An applicant's attachments that arrive on a case go into its case file in the
same transaction as the message (intake.services.adoption)."""

import logging
import re
from collections.abc import Iterable, Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import Application, Case, User
from common.errors import AlreadySent, Conflict, InvalidInput, NotFound, SendUnconfirmed, StorageUnavailable
from common.storage import STORAGE_ERRORS, storage_key_new
from intake import outbox
from intake.models import FileOutbox, Message, MessageAttachment, MessageEvent
from intake.notifications import new_message_notices_queue
from intake.selectors import is_in_case_thread
from intake.services.adoption import attachments_adopt
from intake.services.drafts import drafts_sent
from intake.services.events import event_record
from intake.uploads import CheckedFile, files_check
from intake.validators import BODY_MAX, SUBJECT_MAX, text_characters_validate

logger = logging.getLogger(__name__)


def message_send_to_case(
    *,
    staff_user: User,
    case: Case,
    subject: str,
    body: str,
    urgent: bool = False,
    due_date: date | None = None,
    reply_to: Message | None = None,
    files: Iterable[UploadedFile] = (),
    submission_key: str | None = None,
) -> Message:
    """A caseworker writes to the applicant of `case` (which the caller fetched
    through the staff access rule), optionally answering a message of its thread."""
    subject, body = _text_check(subject, body)
    _due_date_check(due_date, urgent=bool(urgent))
    checked = files_check(files)
    if reply_to is not None:
        _reply_check(reply_to, in_thread=is_in_case_thread(reply_to, case))
    return _message_save(
        sender=staff_user,
        recipient=case.application.submission.user,
        case=case,
        application=case.application,
        direction=Message.Direction.STAFF_TO_APPLICANT,
        subject=subject,
        body=body,
        urgent=bool(urgent),
        due_date=due_date,
        reply_to=reply_to,
        checked=checked,
        submission_key=submission_key,
    )


def message_send_to_application(
    *,
    staff_user: User,
    application: Application,
    subject: str,
    body: str,
    urgent: bool = False,
    due_date: date | None = None,
    reply_to: Message | None = None,
    files: Iterable[UploadedFile] = (),
    submission_key: str | None = None,
) -> Message:
    """A supervisor writes to the applicant of an application that has no case
    yet (the caller fetched it through the supervisors' access), optionally
    answering a message of its conversation. Should a case have been opened
    for it meanwhile, the message joins that case's thread."""
    subject, body = _text_check(subject, body)
    _due_date_check(due_date, urgent=bool(urgent))
    checked = files_check(files)
    case = Case.objects.filter(application=application).first()
    if reply_to is not None:
        if case is not None:
            in_thread = is_in_case_thread(reply_to, case)
        else:
            in_thread = reply_to.case_id is None and reply_to.application_id == application.pk
        _reply_check(reply_to, in_thread=in_thread)
    return _message_save(
        sender=staff_user,
        recipient=application.submission.user,
        case=case,
        application=application,
        direction=Message.Direction.STAFF_TO_APPLICANT,
        subject=subject,
        body=body,
        urgent=bool(urgent),
        due_date=due_date,
        reply_to=reply_to,
        checked=checked,
        submission_key=submission_key,
    )


def message_send_from_applicant(
    *,
    applicant: User,
    subject: str,
    body: str,
    application: Application | None = None,
    reply_to: Message | None = None,
    files: Iterable[UploadedFile] = (),
    submission_key: str | None = None,
) -> Message:
    """An applicant writes about one of their applications, or answers a message
    they received; the answer goes to that message's thread."""
    if reply_to is not None:
        application = _application_of(reply_to)
    if application is None:
        raise InvalidInput(
            _("Choose which application your message is about."), code="application_required", field="application"
        )
    # Invariant 3: the sender of an applicant message is the thread's applicant.
    if application.submission.user_id != applicant.pk:
        raise NotFound()
    if reply_to is not None:
        _reply_check(reply_to, in_thread=True)
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
        submission_key=submission_key,
    )


def _message_save(
    *,
    sender: User,
    recipient: User | None,
    case: Case | None,
    application: Application,
    direction: str,
    subject: str,
    body: str,
    urgent: bool,
    reply_to: Message | None,
    checked: Sequence[CheckedFile],
    submission_key: str | None = None,
    due_date: date | None = None,
) -> Message:
    # The attachments are stored before the transaction opens, so no row lock
    # waits for a file to reach its storage; each key is in the file outbox
    # first (intake.outbox), so even a killed send leaves none behind. The
    # transaction confirms them with the rows that own them.
    _already_sent_check(sender, submission_key)
    keys = [storage_key_new("attachments") for _item in checked]
    # An applicant's files arriving on a case (`adopting`: that case) are
    # copied into its case file in the transaction: those copies' keys are
    # recorded now too, so a send killed before its commit leaves no copy the
    # outbox does not know.
    adopting = case if direction == Message.Direction.APPLICANT_TO_STAFF and checked else None
    copy_keys = [storage_key_new(f"documents/case-{adopting.pk}") for _item in checked] if adopting else []
    outbox.uploads_expect(keys + copy_keys)
    stored: list[str] = []
    # Copies made in the case file when the attachments arrive on a case.
    copies: list[str] = []
    # Set once the last statement of the transaction ran: what fails after
    # that fails at its commit (or in a commit hook), when the message may
    # already be stored, and nothing may undo it or touch its files.
    committing = False
    try:
        for key, item in zip(keys, checked, strict=True):
            stored.append(default_storage.save(key, item.upload))
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
                due_date=due_date,
                submission_key=submission_key,
            )
            for key, item in zip(stored, checked, strict=True):
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
            if adopting is not None:
                # Into the case file on arrival, not when someone happens to open it.
                attachments_adopt(
                    staff_user=sender, case=adopting, message=message, new_files=copies, copy_keys=list(copy_keys)
                )
            drafts_sent(user=sender, application=application)
            outbox.uploads_confirm(keys + stored + copy_keys)
            # The e-mail notices and their delivery task commit with the message, or not at all.
            new_message_notices_queue(message)
            committing = True
    except BaseException as error:
        if committing:
            if not isinstance(error, Exception):
                raise
            return _outcome_after_failed_commit(
                sender=sender,
                submission_key=submission_key,
                files=keys + stored + copy_keys + copies,
                copies=copies,
                recorded=copy_keys,
                error=error,
            )
        # Nothing half-sent: the rows rolled back, so the files go too.
        outbox.files_discard(keys + stored + copy_keys + copies, reason=FileOutbox.Reason.SEND_FAILED)
        if isinstance(error, IntegrityError):
            # Two sends of one submission at once: the other one won.
            _already_sent_check(sender, submission_key)
        if isinstance(error, STORAGE_ERRORS):
            logger.warning("Storage failed during a send of user %s: %r", sender.pk, error)
            raise StorageUnavailable(field="attachments") from error
        raise
    return message


def _due_date_check(due_date: date | None, *, urgent: bool) -> None:
    """A due date comes with an urgent message, and is today or later (in TIME_ZONE)."""
    if due_date is None:
        return
    if not urgent:
        raise InvalidInput(
            _("A due date goes with an urgent message: mark the message urgent, or remove the date."),
            code="due_date_without_urgent",
            field="due_date",
        )
    if due_date < timezone.localdate():
        raise InvalidInput(
            _("The due date has passed. Give today's date or a later one."), code="due_date_past", field="due_date"
        )


def _outcome_after_failed_commit(
    *,
    sender: User,
    submission_key: str | None,
    files: list[str],
    copies: list[str],
    recorded: list[str],
    error: Exception,
) -> Message:
    """The send failed at its commit (the connection was lost), or in a hook
    run after it: the database may have committed it or not. Ask it again (a
    new connection, if need be) by submission key:
    stored, the message (the send succeeded); provably not stored, the send
    failed like any other (its files go, the error goes up); otherwise
    SendUnconfirmed, and every file stays. The uploads' outbox rows, written
    before the transaction, decide later: the drain deletes only keys no row
    names. Case-file copies under a key not `recorded` in advance get one now
    if possible."""
    logger.warning("A message of user %s failed at its commit: %r", sender.pk, error)
    sent: Message | None = None
    known = False
    if submission_key is not None:
        try:
            sent = Message.objects.filter(sender=sender, submission_key=submission_key).first()
            known = True
        except DatabaseError:
            logger.warning("Could not check whether message %r of user %s was stored.", submission_key, sender.pk)
    if sent is not None:
        return sent
    if known:
        outbox.files_discard(files, reason=FileOutbox.Reason.SEND_FAILED)
        raise error
    outbox.uploads_leave_to_drain(copies, recorded=recorded)
    raise SendUnconfirmed() from error


SUBMISSION_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def submission_key_check(key: str | None) -> str | None:
    """A form's one-time key or an API's Idempotency-Key: None (no key), or
    1 to 64 letters, digits, '-' and '_'."""
    if key is None or key == "":
        return None
    if not SUBMISSION_KEY.match(key):
        raise InvalidInput(
            _("The idempotency key must be 1 to 64 letters, digits, '-' or '_'."), code="invalid_idempotency_key"
        )
    return key


def _already_sent_check(sender: User, submission_key: str | None) -> None:
    """AlreadySent when this sender already sent a message with this key."""
    if submission_key is None:
        return
    sent = Message.objects.filter(sender=sender, submission_key=submission_key).first()
    if sent is not None:
        raise AlreadySent(sent)


def _text_check(subject: str | None, body: str | None) -> tuple[str, str]:
    """The rules the forms apply (intake.validators), for every caller of the service."""
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
    for field, value in (("subject", subject), ("body", body)):
        try:
            text_characters_validate(value)
        except ValidationError as error:
            raise InvalidInput(error.messages[0], code=f"{field}_invalid_characters", field=field) from None
    return subject, body


def _reply_check(parent: Message, *, in_thread: bool) -> None:
    if not in_thread:
        # Same answer whether it exists elsewhere or not at all: no probing.
        raise Conflict(_("The message you are replying to is not part of this case."), code="reply_to_other_case")
    if parent.deleted:
        raise Conflict(_("That message was withdrawn, so it cannot be answered."), code="reply_to_withdrawn")


def _application_of(message: Message) -> Application:
    """The application a message's thread is about (a message is bound to one, or to its case)."""
    applications = Application.objects.select_related("submission", "case__assigned_staff_profile__user")
    if message.application_id is not None:
        return applications.get(pk=message.application_id)
    case_id = message.case_id
    assert case_id is not None  # the schema's ck_messages_bound: a case or an application
    return applications.get(case__pk=case_id)


def _case_of(application: Application) -> Case | None:
    try:
        return application.case
    except Case.DoesNotExist:
        return None
