"""Forms of the admin dashboard. They collect what was typed; the messaging
service makes the final checks and names the field at fault. There is no
recipient field: the case decides who receives a message."""

from django import forms
from django.utils.translation import gettext_lazy as _

from intake.forms.fields import MessageTextForm, MultipleFileField


class CaseMessageForm(MessageTextForm):
    urgent = forms.BooleanField(label=_("Urgent"), required=False)
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("PDF, PNG, JPEG, HEIC, Word (.docx), Excel (.xlsx) or plain-text files. You can choose several."),
    )

    def service_error_add(self, error):
        """A refused file has to be chosen again: browsers cannot keep file inputs."""
        if error.field == "attachments":
            self.add_error("attachments", _("%(reason)s Choose the files again.") % {"reason": error.message})
        else:
            super().service_error_add(error)
