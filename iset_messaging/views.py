import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from common.errors import NotFound

logger = logging.getLogger(__name__)


@never_cache
def healthz(request):
    """200 when the database answers a query, 503 otherwise (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"database": "unavailable"}, status=503)
    return JsonResponse({"database": "ok"})


def csrf_failure(request, reason=""):
    """The API answers a missing CSRF token in JSON; pages with the 403 page."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": "csrf_failed", "message": _("The CSRF token is missing or wrong. Reload and try again.")},
            status=403,
        )
    return render(request, "403.html", status=403)


def _is_api(request):
    return request.path.startswith("/api/")


def not_found(request, exception):
    """handler404: the API answers in JSON, pages with the 404 page."""
    if _is_api(request):
        return JsonResponse({"error": NotFound.code, "message": str(NotFound.default_message)}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    """handler500. A database that does not answer is an outage, not a bug: the
    user gets a 503 page that says so (and retries later); anything else, 500.
    Django calls this inside its exception handler, so the error is at hand,
    wherever it was raised (view or middleware).

    Both pages are rendered without the request's context processors: those
    read the session and the user, which live in the database that is down."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        logger.error("Database unavailable while serving %s: %s", request.path, error)
        response: HttpResponse
        if _is_api(request):
            response = JsonResponse(
                {"error": "unavailable", "message": _("The service is temporarily unavailable. Try again later.")},
                status=503,
            )
        else:
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "60"
        return response
    return HttpResponseServerError(render_to_string("500.html"))
