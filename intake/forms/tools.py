"""Forms of the caseworker tools (issue 13): saved replies, internal notes,
and the search of messages (staff and applicants). They collect what was
typed; the services make the final checks and name the field at fault."""

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.models import StaffProfile
from common.errors import DomainError
from intake.models import Message
from intake.notes import NOTE_MAX
from intake.saved_replies import BODY_MAX, SUBJECT_MAX, TITLE_MAX, placeholder_list, placeholders_check
from intake.search import MAX_LENGTH


class ToolsForm(forms.Form):
    def service_error_add(self, error: DomainError) -> None:
        """Show a DomainError from a service next to the field it names (or above the form)."""
        self.add_error(error.field if error.field in self.fields else None, str(error.message))

    def _choices_set(self, name: str, choices: list) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class SavedReplyForm(ToolsForm):
    TEAM = "team"
    PERSONAL = "personal"

    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX,
        help_text=_("Only staff see it: it names the reply in the list you choose from."),
        error_messages={"required": _("Enter a title.")},
    )
    subject_en = forms.CharField(
        label=_("Subject in English"), max_length=SUBJECT_MAX, required=False, widget=forms.TextInput(attrs={"lang": "en"})
    )
    body_en = forms.CharField(
        label=_("Message in English"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 8, "lang": "en"}),
        error_messages={"required": _("Enter the English message.")},
    )
    subject_fr = forms.CharField(
        label=_("Subject in French"), max_length=SUBJECT_MAX, required=False, widget=forms.TextInput(attrs={"lang": "fr"})
    )
    body_fr = forms.CharField(
        label=_("Message in French"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 8, "lang": "fr"}),
        error_messages={"required": _("Enter the French message.")},
    )
    shared = forms.ChoiceField(
        label=_("Who can use it"),
        choices=[(PERSONAL, _("Only me")), (TEAM, _("The whole team"))],
        widget=forms.RadioSelect,
        initial=PERSONAL,
    )

    def __init__(self, *args, may_share: bool, **kwargs):
        super().__init__(*args, **kwargs)
        hint = _("You can use these placeholders: %(placeholders)s.") % {"placeholders": placeholder_list()}
        for name in ("body_en", "body_fr"):
            self.fields[name].help_text = hint
        if not may_share:
            # A caseworker's replies are their own: no choice to offer.
            del self.fields["shared"]

    def _placeholders_clean(self, name: str) -> str:
        value = self.cleaned_data[name]
        try:
            placeholders_check(value, field=name)
        except DomainError as error:
            raise forms.ValidationError(str(error.message), code=error.code) from None
        return value

    def clean_subject_en(self):
        return self._placeholders_clean("subject_en")

    def clean_body_en(self):
        return self._placeholders_clean("body_en")

    def clean_subject_fr(self):
        return self._placeholders_clean("subject_fr")

    def clean_body_fr(self):
        return self._placeholders_clean("body_fr")

    @property
    def team(self) -> bool:
        return self.cleaned_data.get("shared") == self.TEAM


class NoteForm(ToolsForm):
    # On the case page beside the compose form: its fields are note-body, note-about, note-mentions.
    prefix = "note"

    body = forms.CharField(
        label=_("Note"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only staff see notes. They are never sent to the applicant."),
        error_messages={"required": _("Write the note.")},
    )
    about = forms.BooleanField(required=False)
    mentions = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Mention colleagues"),
        help_text=_("They get an e-mail saying there is a note on this case, without the note itself."),
        error_messages={"invalid_choice": _("You can mention the case's caseworker and the supervisors only.")},
    )

    def __init__(self, *args, candidates: list[StaffProfile], about_message: Message | None = None, **kwargs):
        """`candidates`: whom the note may mention (notes.mention_candidates), read once."""
        super().__init__(*args, **kwargs)
        self.candidates = {profile.pk: profile for profile in candidates}
        self._choices_set("mentions", [(profile.pk, f"@{profile.display_name}") for profile in candidates])
        if about_message is None:
            del self.fields["about"]
        else:
            self.fields["about"].label = _("About the message “%(subject)s”") % {"subject": about_message.subject}
            self.fields["about"].initial = True

    def clean_mentions(self) -> list[StaffProfile]:
        return [self.candidates[pk] for pk in self.cleaned_data["mentions"]]


class NoteEditForm(ToolsForm):
    body = forms.CharField(
        label=_("Note"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write the note.")},
    )


class SearchForm(ToolsForm):
    """The search of messages: the words, and optional limits. Posted, and kept
    in the session rather than the URL (intake.views.search)."""

    q = forms.CharField(
        label=_("Words to find"),
        max_length=MAX_LENGTH,
        error_messages={"required": _("Enter at least one word to find: letters or numbers.")},
    )
    date_from = forms.DateField(
        label=_("Sent on or after"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("Sent on or before"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    direction = forms.ChoiceField(label=_("Direction"), required=False)

    def clean(self):
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Choose a date on or after the first date."))
        return cleaned


class StaffSearchForm(SearchForm):
    reference = forms.CharField(
        label=_("Booking reference"),
        max_length=32,
        required=False,
        help_text=_("Only the messages of this case, for example ISET-20260105-1A2B3C."),
    )
    # From a case page: only that case's messages (by id, the page's own).
    case = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    field_order = ["q", "reference", "date_from", "date_to", "direction", "case"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._choices_set(
            "direction",
            [
                ("", _("Both directions")),
                (Message.Direction.APPLICANT_TO_STAFF, _("From the applicant")),
                (Message.Direction.STAFF_TO_APPLICANT, _("To the applicant")),
            ],
        )

    def clean_reference(self):
        return self.cleaned_data["reference"].strip().upper()


class ApplicantSearchForm(SearchForm):
    application = forms.TypedChoiceField(label=_("Application"), required=False, coerce=int, empty_value=None)
    field_order = ["q", "application", "date_from", "date_to", "direction"]

    def __init__(self, *args, applications, **kwargs):
        super().__init__(*args, **kwargs)
        self._choices_set(
            "direction",
            [
                ("", _("Both directions")),
                (Message.Direction.APPLICANT_TO_STAFF, _("Sent by me")),
                (Message.Direction.STAFF_TO_APPLICANT, _("From the case team")),
            ],
        )
        if len(applications) > 1:
            self._choices_set(
                "application",
                [("", _("All your applications"))]
                + [(application.pk, application.submission.reference_number) for application in applications],
            )
        else:
            del self.fields["application"]
