"""Domain errors. Each carries a stable code, an HTTP status for the views and
a human message; services raise them, views render them."""

from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status = 400
    code = "invalid"
    default_message = _("The request could not be completed.")

    def __init__(self, message: object = None, *, code: str | None = None, field: str | None = None) -> None:
        self.message = message or self.default_message
        self.code = code or self.code
        self.field = field
        # More problems found in the same request (each file at fault, say):
        # shown with this one, so a person fixes them all at once.
        self.also: list[DomainError] = []
        super().__init__(str(self.message))


class NotFound(DomainError, Http404):
    """Outsiders and missing rows look the same: 404, never 403."""

    status = 404
    code = "not_found"
    default_message = _("Not found.")


class InvalidInput(DomainError):
    status = 400
    code = "invalid"


class PermissionRefused(DomainError):
    status = 403
    code = "forbidden"
    default_message = _("You may not do this.")


class Conflict(DomainError):
    status = 409
    code = "conflict"


class TooLarge(DomainError):
    status = 413
    code = "too_large"


class AlreadySent(DomainError):
    """The same submission (form key or Idempotency-Key) was sent before:
    nothing new was created; `sent` is the message the first one made."""

    status = 200
    code = "already_sent"

    def __init__(self, sent: Any) -> None:
        self.sent: Any = sent  # an intake.models.Message (common imports no app)
        super().__init__(_("This message was already sent."))


class StorageUnavailable(DomainError):
    """The file storage refused or did not answer (read-only, full, object
    storage unreachable): nothing was sent, the files stored so far go."""

    status = 503
    code = "storage_unavailable"
    default_message = _("Your files could not be stored just now. Nothing was sent; try again in a few minutes.")


class SendUnconfirmed(DomainError):
    """The database connection failed while the message was being committed:
    it may be stored or not, and the server cannot tell. Never "failed"."""

    status = 503
    code = "unconfirmed"
    default_message = _(
        "We could not confirm that your message was sent; check your conversation before sending again."
    )
