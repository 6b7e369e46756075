"""Forms of the admin dashboard. They collect what was typed; the messaging
service makes the final checks and names the field at fault. There is no
recipient field: the case decides who receives a message."""

from django import forms
from django.utils.translation import gettext_lazy as _

from intake.forms.fields import MessageTextForm, MultipleFileField


class CaseMessageForm(MessageTextForm):
    urgent = forms.BooleanField(label=_("Urgent"), required=False)
    due_date = forms.DateField(
        label=_("Due date"),
        required=False,
        help_text=_("Optional, for an urgent message: the date by which the applicant should act. Shown to both sides."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Enter the due date as a date, for example 2026-12-31.")},
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("PDF, PNG, JPEG, HEIC, Word (.docx), Excel (.xlsx) or plain-text files. You can choose several."),
    )

    def service_error_add(self, error):
        """A refused file has to be chosen again: browsers cannot keep file inputs."""
        for each in (error, *error.also):
            if each.field == "attachments":
                self.add_error("attachments", _("%(reason)s Choose the files again.") % {"reason": each.message})
            else:
                self.add_error(each.field if each.field in self.fields else None, str(each.message))


class CaseworkerField(forms.ModelChoiceField):
    """A choice of staff profiles (the caller gives the queryset), shown by name."""

    def label_from_instance(self, obj):
        return obj.display_name


class AssignForm(forms.Form):
    """Who a case goes to: one of the active caseworkers."""

    caseworker = CaseworkerField(
        queryset=None,
        label=_("Assign to"),
        empty_label=_("Choose a caseworker"),
        error_messages={
            "required": _("Choose the caseworker to assign the case to."),
            "invalid_choice": _("Choose an active caseworker to assign the case to."),
        },
    )

    def __init__(self, *args, caseworkers, **kwargs):
        super().__init__(*args, **kwargs)
        self.caseworker_field.queryset = caseworkers

    @property
    def caseworker_field(self) -> CaseworkerField:
        field = self.fields["caseworker"]
        assert isinstance(field, CaseworkerField)
        return field


class OpenCaseForm(AssignForm):
    """A case for an application without one: assigned now, or left for later."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.caseworker_field
        field.required = False
        field.empty_label = _("Leave unassigned for now")
        field.help_text = _("You can assign the case later, from its page.")
