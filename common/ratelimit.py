"""Rate limits per person, counted in Django's cache.

settings.RATE_LIMITS names each limit: scope -> (how many, in how many
seconds). A limit's span is cut into BUCKETS slices; each slice's count is
one cache key (`cache.add` starts it at 0, `cache.incr` adds one
atomically), so concurrent requests are all counted, on every app server
when the cache is shared (CACHE_URL=redis://...). With the default
local-memory cache each process counts on its own, which still bounds a
single worker.

A request is allowed when it and those of the last BUCKETS slices, the
current one included, are within the limit: a sliding window with the
precision of one slice. Two searches at the end of one minute and a third at
the start of the next are three within a minute and refused (a single fixed
window would let a burst across its edge reach twice the limit). The wait a
refused person is told is when the oldest counted slice leaves the span,
never more than the span itself, and a refused request is taken back out of
the count, so the wait told is the wait they get however often they retry.
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


# Slices of a limit's span: the precision of the sliding window.
BUCKETS = 10


def rate_count(scope: str, who: object, *, now: float | None = None) -> Count:
    """Count one request of `who` (a user id) under the limit `scope`."""
    limit, seconds = settings.RATE_LIMITS[scope]
    now = time.time() if now is None else now
    width = seconds / BUCKETS
    current = int(now // width)
    prefix = f"ratelimit:{scope}:{who}:"
    earlier = cache.get_many([f"{prefix}{bucket}" for bucket in range(current - BUCKETS + 1, current)])
    counts = {int(key.rsplit(":", 1)[1]): value for key, value in earlier.items() if value}
    key = f"{prefix}{current}"
    # A slice is counted until the span has passed its end; a second more so
    # the key never expires before that.
    timeout = math.ceil(seconds + width) + 1
    cache.add(key, 0, timeout=timeout)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr: this request opens the slice again
        cache.set(key, 1, timeout=timeout)
        count = 1
    if sum(counts.values()) + count <= limit:
        return Count(allowed=True, retry_after=0)
    try:
        cache.decr(key)
    except ValueError:  # evicted meanwhile: nothing left to take back
        pass
    counts[current] = count - 1
    return Count(allowed=False, retry_after=_wait(limit, counts, width, now))


def _wait(limit: int, counts: dict[int, int], width: float, now: float) -> int:
    """Whole seconds until one more request fits: until enough of the oldest
    slices have left the span."""
    left = sum(counts.values())
    for bucket in sorted(counts):
        left -= counts[bucket]
        if left + 1 <= limit:
            return max(1, math.ceil((bucket + BUCKETS) * width - now))
    return 1


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
    """'45 seconds', '3 minutes': how long to wait, in words. A full minute
    is '60 seconds': the searches' one-minute span ends at most that far off."""
    if seconds <= 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
