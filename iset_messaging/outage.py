"""The answer to every request during a database outage: the product's 503.

A database that does not answer (refused or lost connection, a server gone
away: is_database_outage) is an outage, not a bug. Pages get the 503 page in the visitor's
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

from common.http import is_api_request

logger = logging.getLogger(__name__)

# MySQL/MariaDB error codes of a database that cannot be reached or went away:
# every client-side error (2000-2999: cannot connect, server gone away, lost
# connection during query, ...) and the server's own: too many connections,
# shutting down, aborted connection, network read/write errors, disconnected
# for inactivity. An OperationalError with another code (an unknown column,
# a deadlock) is not an outage: it stays a 500, logged as an error.
MYSQL_UNAVAILABLE = {1040, 1053, 1152, 1158, 1159, 1160, 1161, 4031}
# SQLite's messages for a database file that cannot be used.
SQLITE_UNAVAILABLE = ("unable to open database file", "disk i/o error")

# Seconds a client is asked to wait before trying again.
RETRY_AFTER_SECONDS = 60


def is_database_outage(error: BaseException | None) -> bool:
    """A connection that could not be made or was lost (Django's InterfaceError,
    or an OperationalError that says so), not a fault of the query itself."""
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    code = error.args[0] if error.args else None
    if isinstance(code, int):
        return 2000 <= code < 3000 or code in MYSQL_UNAVAILABLE
    return any(message in str(error).lower() for message in SQLITE_UNAVAILABLE)


def database_unavailable_response(request, error: BaseException) -> HttpResponse:
    logger.warning("Database unavailable while serving %s %s: %s", request.method, request.path, error)
    response: HttpResponse
    with translation.override(translation.get_language_from_request(request, check_path=True)):
        if is_api_request(request):
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
