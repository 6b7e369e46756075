"""System checks for what `manage.py check --deploy` must refuse.

Registered when intake's models load (intake/models.py imports this module).
"""

from django.conf import settings
from django.core import checks

# Backends that accept e-mail and deliver none of it.
UNDELIVERED_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}


@checks.register(checks.Tags.security, deploy=True)
def email_is_delivered(app_configs=None, **kwargs):
    """With DEBUG off, notification e-mail must go to a real mail server:
    without EMAIL_URL every notice would be printed to the console, marked
    sent, and never reach anyone."""
    if settings.DEBUG or settings.EMAIL_BACKEND not in UNDELIVERED_EMAIL_BACKENDS:
        return []
    return [
        checks.Error(
            f"EMAIL_URL is unset or names a backend that delivers nothing ({settings.EMAIL_BACKEND}), "
            "so no notification e-mail would reach anyone.",
            hint="Set EMAIL_URL to your mail server, e.g. smtp+tls://USER:PASSWORD@smtp.example.org:587.",
            id="intake.E001",
        )
    ]
