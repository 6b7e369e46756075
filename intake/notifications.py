"""E-mail to the other side of a thread when a message arrives.

The e-mail says only that there is a new message and which booking reference
it is about: no subject, no body, no file names (invariant 7). It goes out
after the message is committed, in the recipient's language; a failure to
send is logged and never undoes the message.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from casework.models import StaffProfile, User
from intake.models import Message

logger = logging.getLogger(__name__)


def notify_new_message(message_id):
    from intake.selectors import messages_annotated

    message = messages_annotated().filter(pk=message_id).first()
    if message is None:
        return 0
    sent = 0
    for recipient in _recipients(message):
        try:
            _send(message, recipient)
            sent += 1
        except Exception:
            logger.exception("Notification for message %s to user %s could not be sent.", message.pk, recipient.pk)
    return sent


def _recipients(message):
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


def _send(message, recipient):
    to_staff = message.direction == Message.Direction.APPLICANT_TO_STAFF
    if to_staff and message.case_id:
        path = reverse("dashboard:case_detail", args=[message.case_id])
    elif to_staff:
        path = reverse("dashboard:case_list")
    else:
        path = reverse("portal:message_detail", args=[message.pk])
    context = {
        "recipient": recipient,
        "tracking_id": message.tracking_id,
        "sign_in_url": settings.SITE_URL.rstrip("/") + reverse("login") + "?next=" + path,
    }
    with translation.override(recipient.preferred_language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("emails/new_message_subject.txt", context).split())
        text = render_to_string("emails/new_message.txt", context)
        html = render_to_string("emails/new_message.html", context)
    email = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [recipient.email])
    email.attach_alternative(html, "text/html")
    email.send()
