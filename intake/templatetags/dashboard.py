"""Display helpers only the dashboard templates use; what both audiences
show of a message is in message_display."""

from django import template
from django.utils.translation import gettext as _

from intake import presenters
from intake.models import Message

register = template.Library()


@register.filter
def person_role(user):
    role = presenters.person(user)["role"]
    return {
        "applicant": _("Applicant"),
        "case_team": _("Case team"),
        "caseworker": _("Caseworker"),
        "supervisor": _("Supervisor"),
        "admin": _("Administrator"),
    }.get(role, role)


@register.filter
def message_state(message):
    """What the status means from the staff side of the case."""
    if message.deleted:
        return _("Withdrawn")
    if message.from_applicant:
        return _("Unread") if message.status == Message.Status.UNREAD else _("Read")
    return {
        Message.Status.READ: _("Read by applicant"),
        Message.Status.REPLIED: _("Applicant replied"),
    }.get(message.status, _("Sent"))


@register.filter
def attachment_name(attachment_id, attachments):
    for attachment in attachments:
        if attachment.pk == attachment_id:
            return attachment.original_filename
    return ""


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def record_status(value):
    """Case and application statuses are free text in the shared schema; the usual ones are translated."""
    return {
        "open": _("Open"),
        "closed": _("Closed"),
        "submitted": _("Submitted"),
        "in_review": _("In review"),
        "approved": _("Approved"),
        "rejected": _("Rejected"),
    }.get(value, value)
