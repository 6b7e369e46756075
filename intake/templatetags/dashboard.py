"""Display helpers only the dashboard templates use; what both audiences
show of a message is in message_display."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

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
def person_with_role(user):
    """'Dana Reyes (Caseworker)'; the case team, which is no one in particular, once: 'Case team'."""
    name = presenters.person_name(user)
    if user is None:
        return name
    return f"{name} ({person_role(user)})"


# The usual statuses, as the noun they describe takes them: in French a case
# (le dossier) is "ouvert", an application (la demande) "ouverte".
RECORD_STATUSES = {
    "case": {
        "open": pgettext_lazy("case status", "Open"),
        "closed": pgettext_lazy("case status", "Closed"),
        "submitted": pgettext_lazy("case status", "Submitted"),
        "in_review": pgettext_lazy("case status", "In review"),
        "approved": pgettext_lazy("case status", "Approved"),
        "rejected": pgettext_lazy("case status", "Rejected"),
    },
    "application": {
        "open": pgettext_lazy("application status", "Open"),
        "closed": pgettext_lazy("application status", "Closed"),
        "submitted": pgettext_lazy("application status", "Submitted"),
        "in_review": pgettext_lazy("application status", "In review"),
        "approved": pgettext_lazy("application status", "Approved"),
        "rejected": pgettext_lazy("application status", "Rejected"),
    },
}


@register.filter
def record_status(value, noun):
    """A case's or an application's status (`noun`: "case" or "application").
    Statuses are free text in the shared schema; the usual ones are translated."""
    return str(RECORD_STATUSES[noun].get(value, value))
