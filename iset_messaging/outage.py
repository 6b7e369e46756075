"""The answer to every request during a database outage: the product's 503.

A database that does not answer (refused or lost connection, a server gone
away) is an outage, not a bug. Pages get the 503 page in the visitor's
language, the API a JSON 503, both with Retry-After; the log gets a warning,
not an error (the outage is monitored through /healthz).

Nothing here may touch the database: the person's session and user live in
it. So the page is rendered without the request's context processors, and the
language is the one the request itself asks for (URL, language cookie,
Accept-Language), never the person's saved preference.

Django reaches this by two roads. An exception raised by a view is caught by
DatabaseOutageMiddleware.process_exception before Django treats it as
uncaught. An exception raised inside a middleware (sessions, the signed-in
user and their language, the idle time-out: each reads the database) never
reaches another middleware: Django turns it into a response on the spot,
through handler500 (iset_messaging.views.server_error), which calls
database_unavailable_response too. Recovery needs nothing: the next request
opens a new connection.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# Django's wrappers of the driver's errors for a connection that could not be
# made or was lost (MySQLdb: 2002, 2003, 2006, 2013; SQLite: unable to open).
CONNECTION_ERRORS = (InterfaceError, OperationalError)

# Seconds a client is asked to wait before trying again.
RETRY_AFTER_SECONDS = 60


def is_database_outage(error: BaseException | None) -> bool:
    return isinstance(error, CONNECTION_ERRORS)


def database_unavailable_response(request, error: BaseException) -> HttpResponse:
    logger.warning("Database unavailable while serving %s %s: %s", request.method, request.path, error)
    response: HttpResponse
    with translation.override(translation.get_language_from_request(request, check_path=True)):
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {"error": "unavailable", "message": _("The service is temporarily unavailable. Try again later.")},
                status=503,
            )
        else:
            response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    # Logged above as a warning: Django's request logger would log any 5xx
    # as an error.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


class DatabaseOutageMiddleware:
    """Answer a view's lost database connection with the 503 (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_outage(exception):
            return database_unavailable_response(request, exception)
        return None
