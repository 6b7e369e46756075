from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": _("That e-mail address and password do not match an account. Check both and try again."),
        "inactive": _("This account is disabled."),
    }
