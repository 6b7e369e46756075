"""Failed sign-ins pause signing in (django-axes), per e-mail address and per
network address, with one page that says nothing about which accounts exist."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db.models import F
from django.test import Client
from django.urls import reverse

from casework.tests.factories import TEST_PASSWORD, ApplicantFactory, staff_user
from casework.tests.two_step import code_for, confirmed_authenticator

pytestmark = pytest.mark.django_db

LIMIT = settings.SIGN_IN_FAILURE_LIMIT
WRONG = "not-the-password-0"
PAUSED = "signing in with this e-mail address or from your network is paused"


def sign_in(client, email, password=TEST_PASSWORD):
    return client.post(reverse("login"), {"username": email, "password": password})


def fail(client, email, times):
    return [sign_in(client, email, WRONG).status_code for _ in range(times)]


def cool_off_passes():
    """Move the clock past the cool-off: every counted failure gets that much older."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))


def test_fifty_wrong_passwords_then_the_right_one_is_refused(client):
    applicant = ApplicantFactory()
    assert fail(client, applicant.email, LIMIT - 1) == [200] * (LIMIT - 1)

    reaching_the_limit = sign_in(client, applicant.email, WRONG)
    right_password = sign_in(client, applicant.email)

    assert reaching_the_limit.status_code == 429
    assert right_password.status_code == 429
    page = right_password.content.decode()
    assert PAUSED in page
    assert f"paused for {settings.SIGN_IN_COOL_OFF_MINUTES} minutes" in page
    assert 'role="alert"' in page
    assert "_auth_user_id" not in client.session


def test_signing_in_works_again_after_the_cool_off(client):
    applicant = ApplicantFactory()
    fail(client, applicant.email, LIMIT)
    assert sign_in(client, applicant.email).status_code == 429

    cool_off_passes()
    response = sign_in(client, applicant.email)

    assert response.status_code == 302
    assert response["Location"] == "/messages/"


def test_a_success_clears_the_accounts_failures(client):
    applicant = ApplicantFactory()
    fail(client, applicant.email, LIMIT - 1)
    assert sign_in(client, applicant.email).status_code == 302
    client.post(reverse("logout"))

    fail(client, applicant.email, LIMIT - 1)

    assert sign_in(client, applicant.email).status_code == 302


def test_the_pause_holds_from_another_network_address(client):
    applicant = ApplicantFactory()
    fail(client, applicant.email, LIMIT)

    elsewhere = Client(REMOTE_ADDR="198.51.100.7")

    assert sign_in(elsewhere, applicant.email).status_code == 429


def test_the_address_is_counted_whatever_its_case(client):
    applicant = ApplicantFactory(email="mixed.case@example.org")
    for variant in ["Mixed.Case@example.org", "MIXED.CASE@EXAMPLE.ORG", "mixed.case@Example.org", " mixed.case@example.org"]:
        sign_in(client, variant, WRONG)
    sign_in(client, "mixed.Case@example.ORG", WRONG)

    assert sign_in(client, applicant.email).status_code == 429


def test_one_network_address_is_paused_after_its_own_larger_limit(client, settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = LIMIT + 3
    applicant = ApplicantFactory()
    # One failure each for many addresses: no account reaches its limit.
    for number in range(LIMIT + 2):
        assert sign_in(client, f"guess{number}@example.org", WRONG).status_code == 200

    reaching_the_address_limit = sign_in(client, "guess-last@example.org", WRONG)

    assert reaching_the_address_limit.status_code == 429
    assert sign_in(client, applicant.email).status_code == 429
    assert sign_in(Client(REMOTE_ADDR="198.51.100.7"), applicant.email).status_code == 302


def _without_secrets(page, email):
    page = page.replace(email, "EMAIL")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', page)


@pytest.mark.parametrize("times", [1, LIMIT + 1])
def test_an_unknown_address_gets_the_same_answer_as_a_known_one(client, times):
    known = ApplicantFactory(email="known@example.org")
    answers = []
    for email in (known.email, "nobody@example.org"):
        fail(client, email, times - 1)
        response = sign_in(client, email, WRONG)
        answers.append((response.status_code, _without_secrets(response.content.decode(), email)))

    assert answers[0] == answers[1]


def test_a_known_and_an_unknown_address_cost_the_same_password_work(client, monkeypatch):
    """Timing: a wrong password for an account and any password for no account
    each run the password hasher once; a paused sign-in runs it for neither."""
    known = ApplicantFactory(email="known@example.org")
    hashed = []
    original = MD5PasswordHasher.encode
    monkeypatch.setattr(MD5PasswordHasher, "encode", lambda self, *args: hashed.append(1) or original(self, *args))

    work = {}
    for email in (known.email, "nobody@example.org"):
        hashed.clear()
        sign_in(client, email, WRONG)
        work[email] = len(hashed)
    for email in (known.email, "nobody@example.org"):
        fail(client, email, LIMIT)
        hashed.clear()
        sign_in(client, email, WRONG)
        work[f"paused {email}"] = len(hashed)

    assert work == {known.email: 1, "nobody@example.org": 1, f"paused {known.email}": 0, "paused nobody@example.org": 0}


def test_wrong_codes_pause_a_staff_sign_in_and_end_the_half_signed_in_session(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    caseworker = staff_user()
    confirmed_authenticator(caseworker)
    assert sign_in(client, caseworker.email)["Location"].startswith("/account/two-step/")

    answers = [client.post(reverse("two_step"), {"code": "000000"}).status_code for _ in range(LIMIT)]

    assert answers == [200] * (LIMIT - 1) + [429]
    assert "_auth_user_id" not in client.session
    assert sign_in(client, caseworker.email).status_code == 429


def test_a_right_code_clears_the_failures_wrong_codes_left(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    caseworker = staff_user()
    device = confirmed_authenticator(caseworker)
    sign_in(client, caseworker.email)
    for _ in range(LIMIT - 1):
        client.post(reverse("two_step"), {"code": "000000"})

    assert client.post(reverse("two_step"), {"code": code_for(device)})["Location"] == "/dashboard/"
    assert AccessAttempt.objects.filter(username=caseworker.email).count() == 0
