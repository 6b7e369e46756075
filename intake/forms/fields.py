"""Form pieces both audiences use."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from intake.uploads import EXTENSIONS
from intake.validators import BODY_MAX, SUBJECT_MAX, text_characters_validate

# A hint for the browser's file picker; the service checks the real content.
ACCEPTED_EXTENSIONS = ",".join(sorted(f".{extension}" for extensions in EXTENSIONS.values() for extension in extensions))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; the service checks count, size and type."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPTED_EXTENSIONS}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files if item]


class MessageTextForm(forms.Form):
    """Subject and message, as every compose and reply form asks for them.

    `dropped_files`: the names of file parts the server could not take
    (intake.uploads.files_dropped); each is reported next to the attachments,
    so a file is never lost without a word."""

    subject = forms.CharField(
        label=_("Subject"),
        max_length=SUBJECT_MAX,
        validators=[text_characters_validate],
        error_messages={"required": _("Enter a subject.")},
    )
    body = forms.CharField(
        label=_("Message"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        validators=[text_characters_validate],
        error_messages={"required": _("Enter a message.")},
    )

    # One key per form shown: sending the same form twice (Back then Send,
    # a double click) sends one message (intake.services.sending).
    submission_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, dropped_files=(), **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["submission_key"].initial = uuid.uuid4().hex
        self.dropped_files = list(dropped_files)

    def clean(self):
        cleaned = super().clean()
        for name in self.dropped_files:
            self.add_error(
                "attachments" if "attachments" in self.fields else None,
                _("“%(name)s” was not received: a file cannot have that name. Rename it and choose it again.")
                % {"name": name},
            )
        return cleaned

    def service_error_add(self, error):
        """Show a DomainError from the messaging service next to the field it names (or above the form)."""
        for each in (error, *error.also):
            self.add_error(each.field if each.field in self.fields else None, str(each.message))
