"""Factories that build a realistic graph: CaseFactory() gives a case with its
application, submission (with a booking reference), applicant, and an assigned
caseworker who has a staff profile."""

import factory
from django.utils import timezone

from casework.models import Application, Case, StaffProfile, Submission, User
from casework.services import reference_number_new

# The test client's force_login is a complete staff sign-in (code step included); see the module.
from casework.tests import two_step  # noqa: F401

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"applicant{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    preferred_language = "en"
    password = factory.django.Password(TEST_PASSWORD)


ApplicantFactory = UserFactory


class StaffProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffProfile

    user = factory.SubFactory(UserFactory, email=factory.Sequence(lambda n: f"staff{n}@iset.example"))
    display_name = factory.LazyAttribute(lambda profile: profile.user.full_name)
    primary_role = StaffProfile.Role.CASEWORKER


class SupervisorProfileFactory(StaffProfileFactory):
    primary_role = StaffProfile.Role.SUPERVISOR


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission

    user = factory.SubFactory(UserFactory)
    submitted_at = factory.LazyFunction(timezone.now)
    reference_number = factory.LazyAttribute(lambda s: reference_number_new(submitted_at=s.submitted_at))
    intake_payload = factory.LazyAttribute(lambda s: {"program": "ISET", "applicant_email": s.user.email})


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    submission = factory.SubFactory(SubmissionFactory)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    application = factory.SubFactory(ApplicationFactory)
    assigned_staff_profile = factory.SubFactory(StaffProfileFactory)


def staff_user(role=StaffProfile.Role.CASEWORKER, **fields):
    """A signed-in-able staff member of the given role; returns the User."""
    return StaffProfileFactory(primary_role=role, **fields).user
