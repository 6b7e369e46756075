"""E-mail to the other side of a thread when a message arrives, and to a
caseworker when a case is assigned to them.

The e-mail says only that there is a new message (or a case) and which booking
reference it is about: no subject, no body, no file names, no applicant's
name (invariant 7). It goes out after the change is committed, in the
recipient's language; a failure to send is logged and never undoes the change.
"""

import logging
from email.headerregistry import Address
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from casework.models import Case, StaffProfile, User
from intake.models import Message

logger = logging.getLogger(__name__)

PRODUCT_NAME = gettext_noop("ISET Secure Messaging")


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
        # Written before a case exists: the application's page, where a
        # supervisor reads it, answers it and opens a case.
        path = reverse("dashboard:application_detail", args=[message.application_id])
    else:
        path = reverse("portal:message_detail", args=[message.pk])
    _email_send("new_message", recipient, tracking_id=message.tracking_id, path=path)


def notify_case_assigned(case_id, staff_profile_id):
    """Tell a caseworker that a case was assigned to them: its booking
    reference and a link to its page. Nothing is sent when the case has been
    assigned to someone else since (that assignment sends its own), or when
    the caseworker can no longer sign in."""
    case = (
        Case.objects.select_related("application__submission", "assigned_staff_profile__user")
        .filter(pk=case_id, assigned_staff_profile_id=staff_profile_id)
        .first()
    )
    profile = case.assigned_staff_profile if case is not None else None
    if case is None or profile is None:
        return 0
    recipient = profile.user
    if profile.status != StaffProfile.Status.ACTIVE or not recipient.is_active:
        return 0
    try:
        _email_send(
            "case_assigned",
            recipient,
            tracking_id=case.application.submission.reference_number,
            path=reverse("dashboard:case_detail", args=[case.pk]),
        )
    except Exception:
        logger.exception("Assignment notice for case %s to user %s could not be sent.", case.pk, recipient.pk)
        return 0
    return 1


def _sender():
    """DEFAULT_FROM_EMAIL; when its name is the product's own (the default),
    that name in the recipient's language: "Messagerie sécurisée FCEA <…>"."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    if name == PRODUCT_NAME:
        return str(Address(display_name=gettext(PRODUCT_NAME), addr_spec=address))
    return settings.DEFAULT_FROM_EMAIL


def _email_send(template, recipient, *, tracking_id, path):
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
    email.send()
