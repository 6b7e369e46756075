"""Rate limits per person, counted in Django's cache.

settings.RATE_LIMITS names each limit: scope -> (how many, in how many
seconds). Counts are kept per fixed window (`now // seconds`): `cache.add`
starts a window at 0, `cache.incr` adds one atomically, so concurrent
requests are all counted, on every app server when the cache is shared
(CACHE_URL=redis://...). With the default local-memory cache each process
counts on its own, which still bounds a single worker.

The limit is checked over a sliding window: the previous window's count,
weighted by how much of it still lies within the last `seconds`, plus the
current one. Two searches at the end of one minute and a third at the start
of the next are three within a minute, as the person sees it; a fixed window
alone would let a burst straddling two windows reach twice the limit. A
refused request is taken back out of the count, so the wait the person is
told is the wait they get, however often they try meanwhile.
"""

import math
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.errors import DomainError


class RateLimited(DomainError):
    """Over a rate limit: 429, with the seconds until the window ends."""

    status = 429
    code = "rate_limited"
    default_message = _("Too many requests in a short time. Wait a moment and try again.")

    def __init__(self, message: object = None, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Count:
    allowed: bool
    retry_after: int


def rate_count(scope: str, who: object, *, now: float | None = None) -> Count:
    """Count one request of `who` (a user id) under the limit `scope`."""
    limit, seconds = settings.RATE_LIMITS[scope]
    now = time.time() if now is None else now
    window = int(now // seconds)
    elapsed = now - window * seconds
    key = f"ratelimit:{scope}:{who}:{window}"
    previous = cache.get(f"ratelimit:{scope}:{who}:{window - 1}", 0)
    # Kept through the next window too, where it is the previous one; one
    # second more so it never expires before that window ends.
    cache.add(key, 0, timeout=2 * seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr: this request opens the window again
        cache.set(key, 1, timeout=2 * seconds + 1)
        count = 1
    if previous * (seconds - elapsed) / seconds + count <= limit:
        return Count(allowed=True, retry_after=0)
    try:
        cache.decr(key)
    except ValueError:  # evicted meanwhile: nothing left to take back
        pass
    return Count(allowed=False, retry_after=_wait(limit, seconds, previous, count - 1, elapsed))


def _wait(limit: int, seconds: int, previous: int, current: int, elapsed: float) -> int:
    """Whole seconds until one more request fits: while the previous window's
    weight fades in this one, or else once this window's count fades in the next."""
    if current + 1 <= limit and previous:
        fits_at = seconds - seconds * (limit - current - 1) / previous
        return max(1, math.ceil(fits_at - elapsed))
    fits_in_next = max(0.0, seconds - seconds * (limit - 1) / current) if current else 0.0
    return max(1, math.ceil(seconds - elapsed + fits_in_next))


MESSAGES = {
    "send": _("You have sent many messages in a short time. Wait %(wait)s, then send again."),
    "search": _("You have searched many times in a short time. Wait %(wait)s, then search again."),
}


def rate_limit(scope: str, user: Any) -> None:
    """Count one request of `user` under `scope`; RateLimited when over the limit.

    A person is their id with the moment their account was made: an id that
    SQLite hands out again after a delete never inherits someone else's count."""
    count = rate_count(scope, f"{user.pk}.{user.created_at.timestamp():.6f}")
    if not count.allowed:
        raise RateLimited(
            MESSAGES[scope] % {"wait": wait_text(count.retry_after)},
            retry_after=count.retry_after,
        )


def wait_text(seconds: int) -> str:
    """'45 seconds', '3 minutes': how long to wait, in words."""
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
