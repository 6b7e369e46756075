"""Failed sign-ins: counters, lockouts and sign-in records, through django-axes.

Axes counts failures in the database (AccessAttempt), which every app server
shares, on SQLite and MySQL alike. It refuses a locked-out sign-in in its
authentication backend, before any password is checked, and records every
success (AccessLog) and every failure (AccessFailureLog): the e-mail address
as typed, the time, the network address and the browser, never a password or
a session key. This module holds what the settings point Axes at
(AXES_HANDLER, AXES_USERNAME_CALLABLE, AXES_CLIENT_IP_CALLABLE,
AXES_LOCKOUT_CALLABLE); docs/security.md has the whole picture.
"""

import ipaddress

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_http_accept, get_client_user_agent
from axes.models import AccessLog
from django.conf import settings
from django.contrib.auth import logout
from django.db.models import Sum
from django.shortcuts import render


def typed_email(request, credentials):
    """The e-mail address a sign-in was tried with, as Axes counts it.

    Sign-in matches addresses whatever their case (casework.auth), so the
    counter does too: otherwise `Name@Example.org` and `name@example.org`
    would each get their own allowance of guesses."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username")
    return str(value or "").strip().lower()[:255] or None


def client_ip(request):
    """The client's network address.

    REMOTE_ADDR, unless TRUSTED_PROXY_COUNT proxies stand in front of the app:
    each appends the address it received the request from to X-Forwarded-For,
    so the entry that many places from the right is the one the outermost
    trusted proxy saw (entries further left are whatever the client sent)."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= count and _is_ip(forwarded[-count]):
            return forwarded[-count]
    address = request.META.get("REMOTE_ADDR")
    return address if address and _is_ip(address) else None


def _is_ip(value):
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


class SignInAttemptHandler(AxesDatabaseHandler):
    """Axes' database handler, with a limit of its own for a network address.

    Axes counts the failures of each lockout parameter (the e-mail address,
    the network address) and compares the largest with one limit,
    AXES_FAILURE_LIMIT (SIGN_IN_FAILURE_LIMIT). One office or one community's
    connection is shared by many people, so an address gets more room,
    SIGN_IN_ADDRESS_FAILURE_LIMIT: its count is put on the account's scale,
    rounded down, so it reaches the limit exactly when the address has failed
    SIGN_IN_ADDRESS_FAILURE_LIMIT times."""

    def get_failures(self, request, credentials=None):
        by_email, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        on_account_scale = by_address * settings.SIGN_IN_FAILURE_LIMIT // settings.SIGN_IN_ADDRESS_FAILURE_LIMIT
        return max(by_email, on_account_scale)


def lockout_response(request, original_response, credentials):
    """The sign-in page, saying that signing in is paused (429).

    The same page and wording whether or not an account has the address: the
    pause is counted on the address as typed. A person half signed in (at the
    code step) is signed out."""
    from casework.forms import EmailAuthenticationForm

    if request.user.is_authenticated:
        logout(request)
    form = EmailAuthenticationForm(request, initial={"username": typed_email(request, credentials) or ""})
    context = {"form": form, "locked_out": True, "cool_off_minutes": settings.SIGN_IN_COOL_OFF_MINUTES, "next": ""}
    response = render(request, "registration/login.html", context, status=429)
    response["Cache-Control"] = "no-store, private"
    return response


def is_locked_out(request, email):
    return AxesProxyHandler.is_locked(request, {"username": email.strip().lower()})


def failures_reset(email):
    """A complete sign-in clears the failures counted on the account (only its
    own: a success never clears what a network address has earned)."""
    AxesProxyHandler.reset_attempts(username=email.strip().lower())


def record_code_step(request, user):
    """The code step of a staff sign-in succeeded: a sign-in record of its own
    (the password step made one already), told apart by its path."""
    AccessLog.objects.create(
        username=user.email.strip().lower(),
        ip_address=client_ip(request),
        user_agent=get_client_user_agent(request),
        http_accept=get_client_http_accept(request),
        path_info=request.path[:255],
    )


class SignInLockoutBackend(AxesStandaloneBackend):
    """Axes' backend (first in AUTHENTICATION_BACKENDS): a paused sign-in is
    refused before any password is checked.

    Axes insists on the request, to count by network address. Every sign-in
    of the product passes it (the sign-in page); only Django's test client
    login() authenticates without one, and has no address to count or pause."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
