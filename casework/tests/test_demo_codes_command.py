"""The demo staff's authenticators (public demo keys) and `manage.py demo_codes`."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.demo import demo_authenticators_enrol, demo_key
from casework.models import StaffProfile
from casework.tests.factories import TEST_PASSWORD, ApplicantFactory, StaffProfileFactory

pytestmark = pytest.mark.django_db


def demo_staff(email, **fields):
    return StaffProfileFactory(user__email=email, **fields).user


def test_demo_staff_get_the_demo_key_once_and_sign_in_with_the_printed_code(client):
    supervisor = demo_staff("supervisor@iset.example", primary_role=StaffProfile.Role.SUPERVISOR)
    out = io.StringIO()

    assert demo_authenticators_enrol(out) == 1
    assert demo_authenticators_enrol(io.StringIO()) == 0

    assert TOTPDevice.objects.get(user=supervisor).key == demo_key("supervisor@iset.example")
    assert "supervisor@iset.example" in out.getvalue() and "manage.py demo_codes" in out.getvalue()
    codes = io.StringIO()
    call_command("demo_codes", stdout=codes)
    code = re.search(r"supervisor@iset\.example\s+(\d{6})", codes.getvalue()).group(1)
    client.post(reverse("login"), {"username": supervisor.email, "password": TEST_PASSWORD})
    assert client.post(reverse("two_step"), {"code": code})["Location"] == "/dashboard/"


def test_only_the_demo_office_gets_demo_keys():
    real = StaffProfileFactory(user__email="someone@agency.example.org").user
    ApplicantFactory(email="alice@iset.example")
    demo_staff("disabled@iset.example", status=StaffProfile.Status.DISABLED)

    assert demo_authenticators_enrol(io.StringIO()) == 0
    assert not TOTPDevice.objects.filter(user=real).exists()


def test_demo_codes_never_shows_a_real_authenticators_code():
    staff = demo_staff("caseworker@iset.example")
    TOTPDevice.objects.create(user=staff, name="authenticator", confirmed=True)  # a key of its own, not the demo one
    out = io.StringIO()

    call_command("demo_codes", stdout=out)

    assert out.getvalue().strip() == "No demo authenticators here (manage.py demo_data adds them)."
