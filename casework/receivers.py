"""What every sign-in sets up in its new session (connected in casework.apps)."""

from casework import sessions, sign_in_protection, two_step


def session_started(sender, request, user, **kwargs):
    """The idle clock starts; an applicant who turned two-step verification on
    is held at the code step like staff. A sign-in that needs no code is
    complete here, so the failures counted on the account are cleared (with a
    code step, once the code is given)."""
    sessions.activity_mark(request.session)
    request.session.pop(sessions.ENDED_FOR_INACTIVITY_KEY, None)
    if user.active_staff_profile is not None:
        return
    if two_step.has_authenticator(user):
        request.session[two_step.OPTED_IN_SESSION_KEY] = True
    else:
        sign_in_protection.failures_reset(user.email)
