import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

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


def server_error(request):
    """handler500. A database that does not answer is an outage, not a bug: the
    user gets a 503 page that says so (and retries later); anything else, 500.
    Django calls this inside its exception handler, so the error is at hand,
    wherever it was raised (view or middleware)."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        logger.error("Database unavailable while serving %s: %s", request.path, error)
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "60"
        return response
    return HttpResponseServerError(render_to_string("500.html"))
