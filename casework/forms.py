from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from casework.models import StaffProfile, User


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": _("That e-mail address and password do not match an account. Check both and try again."),
        "inactive": _("This account is disabled."),
    }


class CodeForm(forms.Form):
    """The code step of a sign-in: a code from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        help_text=_("The 6-digit code your authenticator app shows now, or one of your recovery codes."),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}),
    )


class AuthenticatorCodeForm(forms.Form):
    """Setting up an authenticator: the code it shows proves it has the key."""

    code = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("6 digits. A new code appears every 30 seconds; any current one works."),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PasswordResetRequestForm(PasswordResetForm):
    """Django's password reset form: the same answer whether or not an account
    has the address; the e-mail goes out in the account's language and holds
    nothing but the link."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def get_users(self, email):
        """Active accounts with the address, except staff whose profile is disabled
        (they cannot sign in, so a new password would only mislead)."""
        users = User.objects.filter(email__iexact=email.strip(), is_active=True).exclude(
            staff_profile__status=StaffProfile.Status.DISABLED
        )
        return (user for user in users if user.has_usable_password())

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None):
        context = {**context, "site_url": settings.SITE_URL.rstrip("/"), "valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60}
        with translation.override(context["user"].preferred_language):
            super().send_mail(
                subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name
            )
