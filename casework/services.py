"""Writes for people and case records. Each is one transaction."""

import secrets

from django.db import transaction
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
