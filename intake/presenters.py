"""Plain-data views of messages for the JSON API. A withdrawn message shows
only the neutral notice, wherever it appears."""

import re
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casework.models import Case, Document, StaffProfile, User
from intake.models import Message, MessageAttachment
from intake.validators import SUBJECT_MAX


def withdrawn_subject() -> str:
    return _("Message withdrawn")


def withdrawn_body() -> str:
    return _("This message was withdrawn by the ISET case team.")


def shown_subject(message: Message) -> str:
    return withdrawn_subject() if message.deleted else message.subject


def shown_body(message: Message) -> str:
    return withdrawn_notice(message) if message.deleted else message.body


def withdrawn_notice(message: Message) -> str:
    """What the applicant reads in place of a withdrawn message: that it was
    withdrawn, why (when the caseworker said) and whether they need to do anything."""
    reason = getattr(message, "withdrawal_reason", None)
    if reason == Message.WithdrawalReason.SENT_IN_ERROR:
        return _("The ISET case team withdrew this message: it was sent to you in error. Please ignore it; you do not need to do anything.")
    if reason == Message.WithdrawalReason.CONTAINED_A_MISTAKE:
        return _("The ISET case team withdrew this message because it contained a mistake. They will write to you again; you do not need to do anything now.")
    if reason == Message.WithdrawalReason.REPLACED:
        return _("The ISET case team withdrew this message and replaced it with a newer one. Read the newer message in this conversation.")
    return withdrawn_body()


# "Re:", "RE :", "re :" (with any spaces, a no-break one too), once or repeated.
REPLY_PREFIX = re.compile(r"^(?:\s*re\s*:\s*)+", re.IGNORECASE)


def reply_subject(message: Message) -> str:
    """The subject a reply form starts with: the page's prefix once ("Re: …",
    in French "RE : …"), whatever prefix the message had, within the length limit."""
    if message.deleted:
        return ""
    subject = REPLY_PREFIX.sub("", message.subject)
    if not subject:  # the subject is a prefix and nothing else
        return message.subject
    return (_("Re: %(subject)s") % {"subject": subject})[:SUBJECT_MAX]


def response_target_sentence() -> str:
    """What applicants are told about the response target, where they write
    and when a message is sent (settings.RESPONSE_TARGET_BUSINESS_DAYS)."""
    days = settings.RESPONSE_TARGET_BUSINESS_DAYS
    if days == 0:
        return _("We usually answer on the same business day.")
    return ngettext(
        "We usually answer within %(count)d business day.",
        "We usually answer within %(count)d business days.",
        days,
    ) % {"count": days}


# A conversation's state for the applicant, in the order it is decided.
CONVERSATION_NEW_MESSAGE = "new_message"  # the case team wrote and the applicant has not read it
CONVERSATION_WAITING = "waiting"  # the applicant wrote and the case team has not answered yet
CONVERSATION_ANSWERED = "answered"  # the case team had the last word, and it was read
# The applicant had the last word and the case team read it and marked that no
# reply is needed (a "thank you"): not "answered", which it was not.
CONVERSATION_READ = "read"


def conversation_status(conversation: Any) -> str:
    if conversation.unread_by_applicant:
        return CONVERSATION_NEW_MESSAGE
    if conversation.awaiting_reply_since is not None:
        return CONVERSATION_WAITING
    if conversation.last_message_id is not None and conversation.last_message_id != conversation.last_staff_message_id:
        return CONVERSATION_READ
    return CONVERSATION_ANSWERED


def conversation_status_label(conversation: Any) -> str:
    return {
        CONVERSATION_NEW_MESSAGE: _("New message"),
        CONVERSATION_WAITING: _("Waiting for the case team"),
        CONVERSATION_ANSWERED: _("Answered"),
        CONVERSATION_READ: _("Read by the case team"),
    }[conversation_status(conversation)]


def application_label(program: Any) -> str:
    """What an application is, in words: the program its intake names, or a
    plain label when the intake names none."""
    if isinstance(program, str) and program.strip():
        return program.strip()
    return _("ISET application")


def conversation_for_applicant(conversation: Any) -> dict[str, Any]:
    last = conversation.last_message
    return {
        "application_id": conversation.application_id,
        "case_id": conversation.case_id,
        "tracking_id": conversation.application.submission.reference_number,
        "application_label": application_label(conversation.program),
        "submitted_at": conversation.application.submission.submitted_at.isoformat(),
        "subject": shown_subject(last) if last is not None else None,
        "last_message_id": conversation.last_message_id,
        "last_message_at": conversation.last_message_at.isoformat() if conversation.last_message_at else None,
        "message_count": conversation.message_count,
        "unread_count": conversation.unread_by_applicant,
        "status": conversation_status(conversation),
        "url": reverse("portal:conversation", args=[conversation.application_id]),
    }


def person_name(user: User | None) -> str:
    return person(user)["name"]


def person(user: User | None) -> dict[str, Any]:
    if user is None:
        return {"user_id": None, "name": _("Case team"), "role": "case_team"}
    try:
        profile = user.staff_profile
    except StaffProfile.DoesNotExist:
        profile = None
    if profile is not None:
        return {"user_id": user.pk, "name": profile.display_name, "role": profile.primary_role}
    return {"user_id": user.pk, "name": user.full_name or user.email, "role": "applicant"}


def message_summary(message: Any) -> dict[str, Any]:
    return {
        "id": message.pk,
        "case_id": message.case_id,
        "application_id": message.application_id,
        "tracking_id": message.tracking_id,
        "direction": message.direction,
        "sender": person(message.sender),
        "recipient": person(message.recipient),
        "subject": shown_subject(message),
        "status": message.status,
        "urgent": message.urgent,
        "due_date": message.due_date.isoformat() if message.due_date and not message.deleted else None,
        "withdrawn": message.deleted,
        "reply_to_id": message.reply_to_id,
        "created_at": message.created_at.isoformat(),
        "read_at": message.read_at.isoformat() if message.read_at else None,
        "attachment_count": 0 if message.deleted else message.attachment_count,
    }


def message_for_applicant(message: Any, attachments: list[MessageAttachment]) -> dict[str, Any]:
    data = message_summary(message)
    data["body"] = shown_body(message)
    data["attachments"] = [
        {
            **attachment_summary(attachment),
            "download_url": reverse("portal:attachment_download", args=[message.pk, attachment.pk]),
        }
        for attachment in attachments
    ]
    return data


def attachment_summary(attachment: MessageAttachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "name": attachment.original_filename,
        "content_type": attachment.content_type,
        "size_bytes": attachment.size_bytes,
        "uploaded_at": attachment.uploaded_at.isoformat(),
    }


def case_attachment(
    case: Case, message: Message, attachment: MessageAttachment, document: Document | None
) -> dict[str, Any]:
    """An attachment as staff see it, with its case-file document (None when it
    was not adopted: a staff message's files stay out of the case file)."""
    return {
        **attachment_summary(attachment),
        "checksum_sha256": attachment.checksum_sha256,
        "document_id": document.pk if document else None,
        "download_url": reverse("dashboard:attachment_download", args=[case.pk, message.pk, attachment.pk]),
        "document_url": reverse("dashboard:document_download", args=[case.pk, document.pk]) if document else None,
    }


def already_sent_notice(message: Message) -> str:
    """What a person who sent the same form twice is told: nothing new was sent."""
    sent = timezone.localtime(message.created_at)
    if sent.date() == timezone.localdate():
        return _("You already sent this message at %(time)s. It was not sent again.") % {
            "time": formats.time_format(sent, "TIME_FORMAT")
        }
    return _("You already sent this message on %(date)s. It was not sent again.") % {
        "date": formats.date_format(sent, "DATETIME_FORMAT")
    }
