"""Every sign-in success and failure is recorded: who (or which address, as
typed), when, from where; never a password or a session key."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.test import Client
from django.urls import reverse

from casework.tests.factories import TEST_PASSWORD, ApplicantFactory, staff_user
from casework.tests.two_step import code_for, confirmed_authenticator

pytestmark = pytest.mark.django_db

WRONG = "Secret-Guess-2024!"


def sign_in(client, email, password=TEST_PASSWORD):
    return client.post(reverse("login"), {"username": email, "password": password})


def every_stored_text():
    """Every value of every sign-in record and counter, as text."""
    rows = []
    for model in (AccessLog, AccessFailureLog, AccessAttempt):
        rows += [str(value) for row in model.objects.values() for value in row.values()]
    return "\n".join(rows)


def test_a_success_is_recorded_with_who_when_and_where(client):
    applicant = ApplicantFactory()

    sign_in(Client(REMOTE_ADDR="203.0.113.5", HTTP_USER_AGENT="Firefox/140"), applicant.email)

    [record] = AccessLog.objects.all()
    assert (record.username, record.ip_address, record.user_agent, record.path_info) == (
        applicant.email,
        "203.0.113.5",
        "Firefox/140",
        "/login/",
    )
    assert record.attempt_time is not None


def test_a_failure_is_recorded_with_the_address_as_typed_even_without_an_account(client):
    sign_in(Client(REMOTE_ADDR="203.0.113.5"), "Nobody@Example.org", WRONG)

    [failure] = AccessFailureLog.objects.all()
    assert (failure.username, failure.ip_address, failure.path_info, failure.locked_out) == (
        "nobody@example.org",
        "203.0.113.5",
        "/login/",
        False,
    )


def test_a_staff_sign_in_records_the_password_and_the_code_steps(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = staff_user()
    device = confirmed_authenticator(user)
    sign_in(client, user.email)
    client.post(reverse("two_step"), {"code": "000000"})
    client.post(reverse("two_step"), {"code": code_for(device)})

    assert list(AccessLog.objects.order_by("pk").values_list("username", "path_info")) == [
        (user.email, "/login/"),
        (user.email, "/account/two-step/"),
    ]
    assert list(AccessFailureLog.objects.values_list("username", "path_info")) == [(user.email, "/account/two-step/")]


def test_no_password_code_or_session_key_is_stored(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    applicant = ApplicantFactory()
    user = staff_user()
    device = confirmed_authenticator(user)
    for _ in range(settings.SIGN_IN_FAILURE_LIMIT + 1):
        sign_in(client, applicant.email, WRONG)
    sign_in(client, "nobody@example.org", WRONG)
    sign_in(client, user.email)
    client.post(reverse("two_step"), {"code": "999999"})
    code = code_for(device)
    client.post(reverse("two_step"), {"code": code})
    session_key = client.session.session_key

    stored = every_stored_text()

    assert AccessAttempt.objects.exists() and AccessFailureLog.objects.exists() and AccessLog.objects.exists()
    for secret in (WRONG, TEST_PASSWORD, "999999", code, session_key, client.cookies["csrftoken"].value):
        assert secret not in stored


def test_the_network_address_comes_from_the_trusted_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    applicant = ApplicantFactory()
    # The client may put anything left of what the proxy appends.
    behind_the_proxy = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.23")

    sign_in(behind_the_proxy, applicant.email)

    assert AccessLog.objects.get().ip_address == "198.51.100.23"


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client):
    applicant = ApplicantFactory()

    sign_in(Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.23"), applicant.email)

    assert AccessLog.objects.get().ip_address == "10.0.0.2"
