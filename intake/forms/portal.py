"""Applicant portal forms: they carry what the applicant typed and show errors.

The service (`message_send_from_applicant`) is the one place that decides what
may be sent; a DomainError it raises is put next to the field it names, so the
page comes back with everything typed still there.
"""

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.display import file_size
from intake.forms.fields import MessageTextForm, MultipleFileField


class MessageForm(MessageTextForm):
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per request, so the size is written in the page's language.
        self.fields["attachments"].help_text = gettext(
            "Up to %(count)d files, each at most %(size)s: PDF, PNG, JPEG, HEIC, Word (.docx), "
            "Excel (.xlsx) or plain text."
        ) % {"count": settings.ATTACHMENT_MAX_FILES, "size": file_size(settings.ATTACHMENT_MAX_BYTES)}

    def files_dropped_note(self):
        """A page sent back cannot keep chosen files (browsers forbid it): say so."""
        if self.errors and self.files.getlist("attachments"):
            self.add_error(
                "attachments", gettext("Files are not kept when a message is sent back: choose the files again.")
            )

    def sent_text(self):
        return {"subject": self.cleaned_data["subject"], "body": self.cleaned_data["body"]}


class ComposeForm(MessageForm):
    """A new message: the applicant chooses which application it is about."""

    field_order = ["application", "subject", "body", "attachments"]

    def __init__(self, *args, applications, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the applicant's own applications (fetched through the access rule) can be chosen.
        self.applications = {str(application.pk): application for application in applications}
        choices = [(key, application.submission.reference_number) for key, application in self.applications.items()]
        if len(choices) == 1:
            # Only one possible: chosen for them, and the page shows which.
            self.fields["application"] = forms.ChoiceField(
                choices=choices, widget=forms.HiddenInput, initial=choices[0][0]
            )
        else:
            self.fields["application"] = forms.ChoiceField(
                label=_("Booking reference"),
                help_text=_("Choose the application your message is about."),
                choices=[("", _("Choose a booking reference"))] + choices,
                error_messages={
                    "required": _("Choose which application your message is about."),
                    "invalid_choice": _("Choose which application your message is about."),
                },
            )
        self.order_fields(self.field_order)

    def clean_application(self):
        return self.applications[self.cleaned_data["application"]]

    def sent_text(self):
        return {**super().sent_text(), "application": self.cleaned_data["application"]}


class ReplyForm(MessageForm):
    """An answer to one message: it goes to that message's thread."""
