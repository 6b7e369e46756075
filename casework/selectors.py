"""Reads for people and sign-ins."""

from dataclasses import dataclass
from datetime import datetime
from itertools import chain

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db.models import Max, Sum
from django.urls import reverse
from django.utils import timezone

SIGN_IN_RECORDS_SHOWN = 100


@dataclass(frozen=True)
class SignInRecord:
    at: datetime
    email: str
    address: str | None
    succeeded: bool
    code_step: bool
    refused: bool = False


def sign_in_records(limit=SIGN_IN_RECORDS_SHOWN) -> list[SignInRecord]:
    """The latest sign-in successes and failures, newest first: two queries of `limit` rows each."""
    successes = AccessLog.objects.order_by("-attempt_time", "-pk").values_list(
        "attempt_time", "username", "ip_address", "path_info"
    )[:limit]
    failures = AccessFailureLog.objects.order_by("-attempt_time", "-pk").values_list(
        "attempt_time", "username", "ip_address", "path_info", "locked_out"
    )[:limit]
    # Where a record was made tells the password step (the sign-in page) from the code step.
    code_step = reverse("two_step")
    records = chain(
        (SignInRecord(at, email or "", address, True, path == code_step) for at, email, address, path in successes),
        (
            SignInRecord(at, email or "", address, False, path == code_step, refused=locked_out)
            for at, email, address, path, locked_out in failures
        ),
    )
    return sorted(records, key=lambda record: record.at, reverse=True)[:limit]


@dataclass(frozen=True)
class Lockout:
    kind: str  # "email" or "address"
    value: str
    failures: int
    until: datetime


def current_lockouts() -> list[Lockout]:
    """E-mail addresses and network addresses whose sign-ins are paused now:
    two grouped queries over the failures within the cool-off."""
    cool_off = settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cool_off)
    lockouts = []
    for kind, column, limit in (
        ("email", "username", settings.SIGN_IN_FAILURE_LIMIT),
        ("address", "ip_address", settings.SIGN_IN_ADDRESS_FAILURE_LIMIT),
    ):
        rows = (
            recent.exclude(**{f"{column}__isnull": True})
            .values(column)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=limit)
            .order_by("-last")
        )
        lockouts += [Lockout(kind, row[column], row["failures"], row["last"] + cool_off) for row in rows]
    return lockouts
