"""E-mail to the other side of a thread when a message arrives, to a
caseworker when a case is assigned to them, and to an applicant when a
message has waited unread (intake/reminders.py).

The e-mail says only that there is a new message (or a case, or an unread
message) and which booking reference it is about: no subject, no body, no
file names, no applicant's name (invariant 7), in the recipient's language.

No request waits for a mail server. The services record each notice as an
`email_notice` row in their own transaction and queue its delivery there
(`*_notices_queue`); a rolled-back change leaves neither. The worker then
delivers it (`notices_deliver`): a notice is claimed with a conditional
UPDATE, so one already sent, or being sent by another worker, is never sent
again; a failure is retried after NOTICE_RETRY_SECONDS, doubling up to an
hour, until NOTICE_MAX_ATTEMPTS tries have failed ("gave up"). Staff see each
notice's state on the message (selectors.message_email_notices).
"""

import logging
import smtplib
from collections.abc import Iterable
from datetime import timedelta
from email.headerregistry import Address
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from casework.models import Case, StaffProfile, User
from common.tasks import enqueue_in, retry_delay
from intake.models import EmailNotice, Message, MessageEvent
from intake.services.events import event_record
from intake.tasks import notices_deliver as notices_deliver_task

logger = logging.getLogger(__name__)

PRODUCT_NAME = gettext_noop("ISET Secure Messaging")

# A notice still marked "sending" this long after a worker claimed it belongs
# to a worker that died: the sweep hands it to another. Longer than any
# delivery takes (one SMTP exchange, bounded by EMAIL_TIMEOUT).
SENDING_LEASE = timedelta(minutes=15)
# A waiting notice whose task has not run it this long after it was due has
# lost its task (Redis was down when it was queued, or the task failed).
STALE_AFTER = timedelta(minutes=15)
WAITING = (EmailNotice.Status.PENDING, EmailNotice.Status.RETRYING)
DUMMY_BACKEND = "django.core.mail.backends.dummy.EmailBackend"


# Queueing: in the caller's transaction ----------------------------------------


def new_message_notices_queue(message: Message) -> list[EmailNotice]:
    """Notices of a message just sent: to its recipient, or, for an applicant
    message to an unassigned case, to every active supervisor."""
    return _queue(
        EmailNotice(
            kind=EmailNotice.Kind.NEW_MESSAGE,
            message_id=message.pk,
            case_id=message.case_id,
            recipient_user=recipient,
        )
        for recipient in _recipients(message)
    )


def case_assigned_notice_queue(*, case_id: int, profile: StaffProfile) -> list[EmailNotice]:
    """A notice to the caseworker a case was just assigned to."""
    return _queue([EmailNotice(kind=EmailNotice.Kind.CASE_ASSIGNED, case_id=case_id, recipient_user=profile.user)])


def _queue(notices: Iterable[EmailNotice]) -> list[EmailNotice]:
    notices = list(notices)
    # A process that sends no e-mail at all (demo_data writing its demo
    # people, who have no mailboxes) records its notices as not needed.
    sends_none = settings.EMAIL_BACKEND == DUMMY_BACKEND
    for notice in notices:
        if sends_none:
            notice.status = EmailNotice.Status.CANCELLED
        notice.save()
    if notices and not sends_none:
        enqueue_in(notices_deliver_task, [notice.pk for notice in notices])
    return notices


def _recipients(message: Message) -> list[User]:
    if message.recipient is not None:
        return [message.recipient] if message.recipient.is_active else []
    if message.direction == Message.Direction.APPLICANT_TO_STAFF:
        # Unassigned case: every active supervisor hears about it.
        return list(
            User.objects.filter(
                is_active=True,
                staff_profile__primary_role=StaffProfile.Role.SUPERVISOR,
                staff_profile__status=StaffProfile.Status.ACTIVE,
            ).order_by("pk")
        )
    return []


# Delivering: in the worker ------------------------------------------------------


def notices_deliver(notice_ids: Iterable[int]) -> dict[str, int]:
    """Deliver the notices among `notice_ids` that are still waiting and due,
    over one SMTP connection. Returns counts by outcome."""
    counts = {"sent": 0, "retrying": 0, "failed": 0, "cancelled": 0, "skipped": 0}
    claimed = []
    for notice_id in sorted(set(notice_ids)):
        if _claim(notice_id):
            claimed.append(notice_id)
        else:
            counts["skipped"] += 1
    if not claimed:
        return counts
    notices = list(EmailNotice.objects.filter(pk__in=claimed).select_related("recipient_user").order_by("pk"))
    messages = _messages_of(notices)
    emails: dict[int, EmailMultiAlternatives] = {}
    for notice in notices:
        email = _compose(notice, messages.get(notice.message_id))
        if email is None:
            _finish(notice, EmailNotice.Status.CANCELLED)
            counts["cancelled"] += 1
        else:
            emails[notice.pk] = email
    to_send = [notice for notice in notices if notice.pk in emails]
    if not to_send:
        return counts
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as exc:
        # The server is down or does not answer: every notice tries again later.
        _retry_later(to_send, exc, counts)
        return counts
    try:
        for position, notice in enumerate(to_send):
            try:
                connection.send_messages([emails[notice.pk]])
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                # The connection is gone: this notice and the rest try again later.
                _retry_later(to_send[position:], exc, counts)
                break
            except Exception as exc:
                _retry_later([notice], exc, counts)
            else:
                _finish(notice, EmailNotice.Status.SENT, messages.get(notice.message_id))
                counts["sent"] += 1
    finally:
        try:
            connection.close()
        except Exception:
            logger.warning("Closing the SMTP connection failed.", exc_info=True)
    return counts


def _claim(notice_id: int) -> bool:
    """One conditional UPDATE: this worker sends the notice, or nobody does
    now (already sent, cancelled, not due yet, or another worker has it)."""
    now = timezone.now()
    return bool(
        EmailNotice.objects.filter(pk=notice_id)
        .filter(
            Q(status__in=WAITING, next_attempt_at__lte=now)
            | Q(status=EmailNotice.Status.SENDING, next_attempt_at__lte=now - SENDING_LEASE)
        )
        .update(status=EmailNotice.Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=now)
    )


def _messages_of(notices: list[EmailNotice]) -> dict[int | None, Any]:
    """The messages the notices are about, with their booking references, in one query."""
    from intake.selectors import messages_annotated

    ids = {notice.message_id for notice in notices if notice.message_id is not None}
    return {message.pk: message for message in messages_annotated().filter(pk__in=ids)} if ids else {}


def _compose(notice: EmailNotice, message: Any) -> EmailMultiAlternatives | None:
    """The e-mail of a notice, or None when it is no longer needed."""
    recipient = notice.recipient_user
    if not recipient.is_active:
        return None
    if notice.kind == EmailNotice.Kind.CASE_ASSIGNED:
        return _case_assigned_email(notice, recipient)
    if message is None or message.deleted:
        return None
    if notice.kind == EmailNotice.Kind.UNREAD_REMINDER:
        if message.status != Message.Status.UNREAD or message.recipient_id != recipient.pk:
            return None
        return _email("unread_reminder", recipient, tracking_id=message.tracking_id, path=_message_path(message))
    return _email("new_message", recipient, tracking_id=message.tracking_id, path=_message_path(message))


def _message_path(message: Any) -> str:
    to_staff = message.direction == Message.Direction.APPLICANT_TO_STAFF
    if to_staff and message.case_id:
        return reverse("dashboard:case_detail", args=[message.case_id])
    if to_staff:
        # Written before a case exists: the application's page, where a
        # supervisor reads it, answers it and opens a case.
        return reverse("dashboard:application_detail", args=[message.application_id])
    return reverse("portal:message_detail", args=[message.pk])


def _case_assigned_email(notice: EmailNotice, recipient: User) -> EmailMultiAlternatives | None:
    """Nothing is sent when the case has been assigned to someone else since
    (that assignment sends its own), or the caseworker was disabled."""
    if notice.case_id is None:
        return None
    case = (
        Case.objects.select_related("application__submission")
        .filter(
            pk=notice.case_id,
            assigned_staff_profile__user=recipient,
            assigned_staff_profile__status=StaffProfile.Status.ACTIVE,
        )
        .first()
    )
    if case is None:
        return None
    return _email(
        "case_assigned",
        recipient,
        tracking_id=case.application.submission.reference_number,
        path=reverse("dashboard:case_detail", args=[case.pk]),
    )


def _sender():
    """DEFAULT_FROM_EMAIL; when its name is the product's own (the default),
    that name in the recipient's language: "Messagerie sécurisée FCEA <…>"."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    if name == PRODUCT_NAME:
        return str(Address(display_name=gettext(PRODUCT_NAME), addr_spec=address))
    return settings.DEFAULT_FROM_EMAIL


def _email(template: str, recipient: User, *, tracking_id: str | None, path: str) -> EmailMultiAlternatives:
    """One e-mail from the templates emails/<template>_subject.txt, .txt and
    .html, in the recipient's language, with a sign-in link that leads to `path`."""
    context = {
        "recipient": recipient,
        "tracking_id": tracking_id,
        "sign_in_url": settings.SITE_URL.rstrip("/") + reverse("login") + "?next=" + path,
    }
    with translation.override(recipient.preferred_language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
        sender = _sender()
    email = EmailMultiAlternatives(subject, text, sender, [recipient.email])
    email.attach_alternative(html, "text/html")
    return email


def _finish(notice: EmailNotice, status: str, message: Message | None = None) -> None:
    now = timezone.now()
    with transaction.atomic():
        EmailNotice.objects.filter(pk=notice.pk, status=EmailNotice.Status.SENDING).update(
            status=status, last_error="", sent_at=now if status == EmailNotice.Status.SENT else None
        )
        if status == EmailNotice.Status.SENT and notice.kind == EmailNotice.Kind.UNREAD_REMINDER:
            # The audit trail of the message: a reminder went to its applicant (no content).
            event_record(
                event_type=MessageEvent.Type.UNREAD_REMINDER_SENT,
                message=message,
                detail={"notice_id": notice.pk, "recipient_user_id": notice.recipient_user_id},
            )


def _retry_later(notices: list[EmailNotice], exc: BaseException, counts: dict[str, int]) -> None:
    """Each notice tries again after its delay, or gives up after
    NOTICE_MAX_ATTEMPTS tries. The log and the row name the failure's kind,
    never an address or content."""
    error = _error_kind(exc)
    logger.warning("E-mail notices %s could not be sent: %s", [notice.pk for notice in notices], error)
    now = timezone.now()
    by_time: dict = {}
    with transaction.atomic():
        for notice in notices:
            attempts = EmailNotice.objects.values_list("attempts", flat=True).get(pk=notice.pk)
            if attempts >= settings.NOTICE_MAX_ATTEMPTS:
                EmailNotice.objects.filter(pk=notice.pk).update(status=EmailNotice.Status.FAILED, last_error=error)
                counts["failed"] += 1
                continue
            due = now + retry_delay(attempts)
            EmailNotice.objects.filter(pk=notice.pk).update(
                status=EmailNotice.Status.RETRYING, last_error=error, next_attempt_at=due
            )
            by_time.setdefault(due, []).append(notice.pk)
            counts["retrying"] += 1
        for due, ids in by_time.items():
            enqueue_in(notices_deliver_task, ids, run_after=due)


def _error_kind(exc: BaseException) -> str:
    """The class of a failure, with the SMTP reply code when there is one."""
    code = getattr(exc, "smtp_code", None)
    return (f"{type(exc).__name__} {code}" if code else type(exc).__name__)[:255]


def notices_requeue_stale(now=None) -> int:
    """Queue again the notices whose task was lost: waiting well past their
    time, or claimed by a worker that died while sending. Returns how many."""
    now = now or timezone.now()
    stale = list(
        EmailNotice.objects.filter(
            Q(status__in=WAITING, next_attempt_at__lte=now - STALE_AFTER)
            | Q(status=EmailNotice.Status.SENDING, next_attempt_at__lte=now - SENDING_LEASE)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:10_000]
    )
    for start in range(0, len(stale), 500):
        with transaction.atomic():
            enqueue_in(notices_deliver_task, stale[start : start + 500])
    return len(stale)
