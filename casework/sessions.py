"""The idle timeout: a session ends SESSION_IDLE_TIMEOUT seconds after its
last request, besides its absolute lifetime (SESSION_COOKIE_AGE).

The time of the last request is kept in the session itself, written at most
once every SESSION_ACTIVITY_RESOLUTION seconds so that reading a page does not
write the session row each time."""

import time

from django.conf import settings

LAST_ACTIVITY_KEY = "last_activity"
# Set in the new, anonymous session of someone signed out for inactivity: the
# sign-in page says so once.
ENDED_FOR_INACTIVITY_KEY = "ended_for_inactivity"


def now() -> int:
    return int(time.time())


def activity_mark(session) -> None:
    session[LAST_ACTIVITY_KEY] = now()


def idle_seconds_left(session) -> int:
    """Seconds until the session ends for inactivity (0 or less: it has)."""
    last = session.get(LAST_ACTIVITY_KEY)
    if not isinstance(last, int):
        return 0
    return last + settings.SESSION_IDLE_TIMEOUT - now()


def activity_is_stale(session) -> bool:
    """Whether this request should write the time of the last activity again."""
    return now() - session.get(LAST_ACTIVITY_KEY, 0) >= settings.SESSION_ACTIVITY_RESOLUTION

# Set in the anonymous session of someone whose message form arrived after
# their session ended: what they typed, kept until they sign in again
# (intake.kept_text), when it becomes their draft. The sign-in page says so.
KEPT_TEXT_KEY = "kept_text"
