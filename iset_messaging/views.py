from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache


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
