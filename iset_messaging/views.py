import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.db import DatabaseError, connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from common.errors import NotFound, PermissionRefused
from common.http import is_api_request
from intake.scanning import scanner_state
from iset_messaging.middleware import RequestBodyTooLarge, too_large_response
from iset_messaging.outage import database_unavailable_response, is_database_outage


@never_cache
def healthz(request):
    """For load balancers and monitoring. The status is the database's: 200
    when it answers a query, 503 otherwise. The body also names the malware
    scanner's state ("ok", "unavailable", or "none" when MALWARE_SCANNER is
    none), which never changes the status: without the scanner, messages
    without files still send, so the instance must stay in service; monitoring
    alerts on "unavailable" instead (docs/storage-and-scanning.md)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        database = "unavailable"
    else:
        database = "ok"
    return JsonResponse(
        {"database": database, "malware_scanner": scanner_state()}, status=200 if database == "ok" else 503
    )


def csrf_failure(request, reason=""):
    """The API answers a missing CSRF token in JSON; pages with the 403 page."""
    if is_api_request(request):
        return JsonResponse(
            {"error": "csrf_failed", "message": _("The CSRF token is missing or wrong. Reload and try again.")},
            status=403,
        )
    return render(request, "403.html", status=403)


def bad_request(request, exception):
    """handler400: a body Django could not take (malformed multipart, too many
    files or fields, past a size limit). The API answers in JSON, as
    docs/api.md promises; a body past a size limit is a 413."""
    if isinstance(exception, RequestBodyTooLarge):
        return too_large_response(request)
    if isinstance(exception, RequestDataTooBig):
        # The text fields alone past DATA_UPLOAD_MAX_MEMORY_SIZE.
        return too_large_response(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if is_api_request(request):
        if isinstance(exception, TooManyFilesSent):
            code, message = "too_many_files", _("Too many files in one request.")
        else:
            code, message = "bad_request", _("The request could not be read. Check its format and try again.")
        return JsonResponse({"error": code, "message": message}, status=400)
    return render(request, "400.html", status=400)


def permission_denied(request, exception):
    """handler403: the API answers in JSON, pages with the 403 page."""
    if is_api_request(request):
        return JsonResponse(
            {"error": PermissionRefused.code, "message": str(PermissionRefused.default_message)}, status=403
        )
    return render(request, "403.html", status=403)


def not_found(request, exception):
    """handler404: the API answers in JSON, pages with the 404 page."""
    if is_api_request(request):
        return JsonResponse({"error": NotFound.code, "message": str(NotFound.default_message)}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    """handler500. A lost database connection is an outage, not a bug: the
    product's 503 (iset_messaging.outage), wherever it was raised (Django calls
    this inside its exception handler, so the error is at hand); anything
    else, 500. The 500 page is rendered without the request's context
    processors, which read the session and the user."""
    error = sys.exc_info()[1]
    if is_database_outage(error):
        assert error is not None
        return database_unavailable_response(request, error)
    if is_api_request(request):
        return JsonResponse(
            {"error": "server_error", "message": _("Something went wrong on our side. The error was recorded.")},
            status=500,
        )
    return HttpResponseServerError(render_to_string("500.html"))
