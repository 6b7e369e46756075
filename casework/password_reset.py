"""How often a password reset may be asked for: PASSWORD_RESET_LIMIT_PER_EMAIL
times per e-mail address and PASSWORD_RESET_LIMIT_PER_ADDRESS times per
network address within PASSWORD_RESET_LIMIT_WINDOW seconds, counted in the
cache (CACHE_URL; shared by every app server when it is Redis). The address
is counted as typed, whether or not an account has it, so the limit says
nothing about accounts either."""

import hashlib

from django.conf import settings
from django.core.cache import cache


def request_allowed(*, email: str, address: str | None) -> bool:
    """Count one request; False when either count is over its limit."""
    window = settings.PASSWORD_RESET_LIMIT_WINDOW
    typed = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    by_email = _count(f"password-reset:email:{typed}", window)
    by_address = _count(f"password-reset:address:{address or 'unknown'}", window)
    return by_email <= settings.PASSWORD_RESET_LIMIT_PER_EMAIL and by_address <= settings.PASSWORD_RESET_LIMIT_PER_ADDRESS


def _count(key: str, window: int) -> int:
    # add() starts the window only if the key is new; incr() is atomic in Redis and memcached.
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, window)
        return 1
