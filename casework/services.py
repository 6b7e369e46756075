"""Writes for people and case records. Each is one transaction."""

import secrets

from axes.handlers.proxy import AxesProxyHandler
from django.apps import apps
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from casework.models import Application, Case, StaffProfile, Submission, User


def reference_number_new(*, submitted_at=None):
    """A booking reference: ISET-YYYYMMDD-XXXXXX (six uppercase hex digits)."""
    day = timezone.localdate(submitted_at or timezone.now())
    return f"ISET-{day:%Y%m%d}-{secrets.token_hex(3).upper()}"


@transaction.atomic
def applicant_create(*, email, password, first_name, last_name, preferred_language="en"):
    return User.objects.create_user(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        preferred_language=preferred_language,
    )


@transaction.atomic
def staff_create(*, email, password, first_name, last_name, role, preferred_language="en"):
    user = User.objects.create_user(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        preferred_language=preferred_language,
    )
    StaffProfile.objects.create(user=user, display_name=user.full_name, primary_role=role)
    return user


@transaction.atomic
def application_submit(*, applicant, intake_payload=None, submitted_at=None):
    """A submission with its application; the case comes later (case_open)."""
    submitted_at = submitted_at or timezone.now()
    submission = Submission.objects.create(
        user=applicant,
        reference_number=reference_number_new(submitted_at=submitted_at),
        submitted_at=submitted_at,
        intake_payload=intake_payload,
    )
    return Application.objects.create(submission=submission, created_at=submitted_at)


@transaction.atomic
def case_open(*, application, assigned_staff_profile=None):
    return Case.objects.create(application=application, assigned_staff_profile=assigned_staff_profile)


@transaction.atomic
def user_sessions_end(*, user):
    """End every session of the user (casework.models.User.session_version)."""
    User.objects.filter(pk=user.pk).update(session_version=F("session_version") + 1)
    user.refresh_from_db(fields=["session_version"])


# Audit events of sign-in (the audit trail, `message_event`, with neither a
# message nor a case).
SIGN_IN_LOCKOUT_CLEARED = "sign_in_lockout_cleared"
RECOVERY_CODE_USED = "two_step_recovery_code_used"


def _audit(*, actor, event_type, detail):
    # The audit trail is intake's table; looked up by label, as casework.Document's
    # foreign keys name intake's models, so that imports still point intake → casework.
    apps.get_model("intake", "MessageEvent").objects.create(actor_user=actor, event_type=event_type, detail=detail)


def recovery_code_used_record(*, user, codes_left):
    _audit(actor=user, event_type=RECOVERY_CODE_USED, detail={"codes_left": codes_left})


@transaction.atomic
def sign_in_lockout_clear(*, actor, kind, value):
    """A supervisor lets an e-mail address or a network address sign in again
    before its cool-off ends; the audit trail keeps who did it, and for which."""
    if kind == "email":
        cleared = AxesProxyHandler.reset_attempts(username=value)
    else:
        cleared = AxesProxyHandler.reset_attempts(ip_address=value)
    _audit(actor=actor, event_type=SIGN_IN_LOCKOUT_CLEARED, detail={"kind": kind, "value": value, "attempts": cleared})
    return cleared
