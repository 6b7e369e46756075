"""Display helpers only the portal templates use; what both audiences show of
a message is in message_display."""

from django import template
from django.utils.translation import gettext_lazy as _

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
def file_kind(content_type):
    return FILE_KINDS.get(content_type, content_type)
