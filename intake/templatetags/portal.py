"""What the portal pages show of a message: a withdrawn message shows only the
neutral notice, and people appear by the name the applicant knows them by."""

from django import template
from django.utils.translation import gettext_lazy as _

from intake import presenters
from intake.uploads import DOCX, HEIC, JPEG, PDF, PNG, TEXT, XLSX

register = template.Library()
# Shared with the other audience's pages: one definition, in presenters.
register.filter("shown_subject", presenters.shown_subject)
register.filter("shown_body", presenters.shown_body)
register.filter("person_name", presenters.person_name)

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
def file_kind(content_type):
    return FILE_KINDS.get(content_type, content_type)
