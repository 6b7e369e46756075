"""Password reset by e-mail, with Django's token and views.

Asking: how often a reset may be asked for (`request_allowed`), and the
queueing of the e-mail (`reset_emails_queue`). The request never talks to the
mail server, so its answer and its time are the same whether or not an
account has the address and whatever state the mail server is in.

Sending: the worker (`casework.tasks.password_reset_email_send`) makes the
token and the link and sends the e-mail. The task holds only the account's id
and the time of the asking: the token exists in the e-mail alone, never in
the task backend's table or Redis.

Limits: PASSWORD_RESET_LIMIT_PER_EMAIL requests per e-mail address and
PASSWORD_RESET_LIMIT_PER_ADDRESS per network address within
PASSWORD_RESET_LIMIT_WINDOW seconds, counted in the cache (CACHE_URL; shared
by every app server when it is Redis). The address is counted as typed,
whether or not an account has it, so the limit says nothing about accounts
either."""

import hashlib
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from casework.models import StaffProfile, User
from casework.tasks import password_reset_email_send
from common.tasks import enqueue_in, retry_delay

logger = logging.getLogger(__name__)

TEMPLATES = "registration/password_reset"


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


def _resettable() -> QuerySet[User]:
    """Accounts that may reset their password: active, except staff whose
    profile is disabled (they cannot sign in, so a new password would only
    mislead). Accounts without a usable password are left out by the callers."""
    return User.objects.filter(is_active=True).exclude(staff_profile__status=StaffProfile.Status.DISABLED)


def reset_emails_queue(*, email: str) -> int:
    """Queue the reset e-mail of every account that uses `email` and may
    reset; returns how many (0 for an unknown address: nothing is queued)."""
    users = [user for user in _resettable().filter(email__iexact=email.strip()) if user.has_usable_password()]
    asked_at = timezone.now().isoformat()
    for user in users:
        enqueue_in(password_reset_email_send, user.pk, asked_at)
    return len(users)


def reset_email_send(*, user_id: int, asked_at: str, attempt: int) -> str:
    """In the worker: make the link and send the e-mail. Returns the outcome:
    "sent", "cancelled" (the account may no longer reset), "retrying" or
    "failed".

    A failure is tried again after NOTICE_RETRY_SECONDS, then twice as long
    each time, as long as a try would still come within PASSWORD_RESET_TIMEOUT
    of the asking and NOTICE_MAX_ATTEMPTS tries are not used up: an e-mail
    later than that would come to someone who has asked again or given up."""
    user = _resettable().filter(pk=user_id).first()
    if user is None or not user.has_usable_password():
        return "cancelled"
    try:
        _email(user).send()
    except Exception as exc:
        return _retry_later(user_id=user_id, asked_at=asked_at, attempt=attempt, exc=exc)
    return "sent"


def _email(user: User) -> EmailMultiAlternatives:
    """The e-mail: only the link, in the account's language (no name, no booking reference)."""
    context = {
        "site_url": settings.SITE_URL.rstrip("/"),
        "valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        subject = "".join(render_to_string(f"{TEMPLATES}_subject.txt", context).splitlines())
        text = render_to_string(f"{TEMPLATES}_email.txt", context)
        html = render_to_string(f"{TEMPLATES}_email.html", context)
    email = EmailMultiAlternatives(subject, text, None, [user.email])
    email.attach_alternative(html, "text/html")
    return email


def _retry_later(*, user_id: int, asked_at: str, attempt: int, exc: BaseException) -> str:
    """The log names the account's id and the failure's kind, never an address."""
    due = timezone.now() + retry_delay(attempt)
    give_up_at = datetime.fromisoformat(asked_at) + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    if attempt >= settings.NOTICE_MAX_ATTEMPTS or due > give_up_at:
        logger.warning("The password reset e-mail of user %s was not sent, given up: %s", user_id, type(exc).__name__)
        return "failed"
    logger.warning("The password reset e-mail of user %s could not be sent, retrying: %s", user_id, type(exc).__name__)
    enqueue_in(password_reset_email_send, user_id, asked_at, attempt + 1, run_after=due)
    return "retrying"
