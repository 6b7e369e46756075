from django.conf import settings

from casework import sessions


def audience(request):
    """Who is looking: drives the navigation of the shared base layout, and the
    time-out warning of a signed-in person's pages."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_staff_member": False}
    session = getattr(request, "session", None)
    profile = user.active_staff_profile
    return {
        "is_staff_member": profile is not None,
        # Supervisors and admins review sign-ins (/dashboard/sign-ins/).
        "reviews_sign_ins": profile is not None and profile.sees_every_case,
        "session_seconds_left": max(sessions.idle_seconds_left(session), 0) if session is not None else 0,
        "session_idle_warning": settings.SESSION_IDLE_WARNING,
    }
