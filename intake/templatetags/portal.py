"""What the portal pages show of a message: a withdrawn message shows only the
neutral notice, and people appear by the name the applicant knows them by."""

from django import template
from django.utils.translation import gettext_lazy as _

from intake import presenters
from intake.uploads import DOCX, HEIC, JPEG, PDF, PNG, TEXT, XLSX

register = template.Library()

FILE_KINDS = {
    PDF: _("PDF document"),
    PNG: _("PNG image"),
    JPEG: _("JPEG image"),
    HEIC: _("HEIC image"),
    DOCX: _("Word document"),
    XLSX: _("Excel spreadsheet"),
    TEXT: _("Plain text"),
}


@register.filter
def person_name(user):
    """The caseworker's display name, the applicant's name, or "Case team" for nobody in particular."""
    return presenters.person(user)["name"]


@register.filter
def shown_subject(message):
    return presenters.withdrawn_subject() if message.deleted else message.subject


@register.filter
def shown_body(message):
    return presenters.withdrawn_body() if message.deleted else message.body


@register.filter
def file_kind(content_type):
    return FILE_KINDS.get(content_type, content_type)
