"""/dashboard/sign-ins/: supervisors and admins review sign-ins and clear lockouts."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casework.models import StaffProfile
from casework.tests.factories import TEST_PASSWORD, ApplicantFactory, staff_user
from intake.models import MessageEvent

pytestmark = pytest.mark.django_db

PAGE = "/dashboard/sign-ins/"
LIMIT = settings.SIGN_IN_FAILURE_LIMIT


def sign_in(client, email, password=TEST_PASSWORD):
    return client.post(reverse("login"), {"username": email, "password": password})


def lock_out(email, client=None):
    client = client or Client()
    for _ in range(LIMIT):
        sign_in(client, email, "wrong-password-0")


@pytest.mark.parametrize("role", [StaffProfile.Role.SUPERVISOR, StaffProfile.Role.ADMIN])
def test_supervisors_and_admins_see_sign_ins_and_lockouts(client, role):
    applicant = ApplicantFactory()
    sign_in(Client(REMOTE_ADDR="203.0.113.5"), applicant.email)
    lock_out("Typed.Address@Example.org", Client(REMOTE_ADDR="198.51.100.9"))
    client.force_login(staff_user(role))

    page = client.get(PAGE).content.decode()

    assert "<h1>Sign-ins</h1>" in page
    assert "typed.address@example.org" in page
    assert "198.51.100.9" in page and "203.0.113.5" in page
    assert applicant.email in page
    assert "Password accepted" in page
    # The failures before the limit, then the one that reached it.
    assert page.count("Wrong e-mail address or password") == LIMIT - 1
    assert page.count("Failed: signing in is paused") == 1
    assert 'name="value" value="typed.address@example.org"' in page


@pytest.mark.parametrize("who", ["caseworker", "applicant"])
def test_caseworkers_and_applicants_get_404(client, who):
    user = staff_user() if who == "caseworker" else ApplicantFactory()
    client.force_login(user)
    lock_out("someone@example.org")

    assert client.get(PAGE).status_code == 404
    assert client.post(reverse("sign_in_lockout_clear"), {"kind": "email", "value": "someone@example.org"}).status_code == 404
    assert AccessAttempt.objects.filter(username="someone@example.org").exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get(PAGE)["Location"] == f"/login/?next={PAGE}"


def test_clearing_a_lockout_lets_the_account_sign_in_and_is_audited(client):
    applicant = ApplicantFactory()
    lock_out(applicant.email)
    assert sign_in(Client(), applicant.email).status_code == 429
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    client.force_login(supervisor)

    response = client.post(reverse("sign_in_lockout_clear"), {"kind": "email", "value": applicant.email}, follow=True)

    assert response.redirect_chain == [(PAGE, 302)]
    assert f"{applicant.email} may sign in again." in response.content.decode()
    assert "No sign-ins are paused." in response.content.decode()
    assert sign_in(Client(), applicant.email)["Location"] == "/messages/"
    event = MessageEvent.objects.get(event_type="sign_in_lockout_cleared")
    assert event.actor_user_id == supervisor.pk
    assert event.detail == {"kind": "email", "value": applicant.email, "attempts": 1}
    assert event.message_id is None and event.case_id is None


def test_clearing_a_network_address(client, settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = LIMIT + 1
    office = Client(REMOTE_ADDR="198.51.100.9")
    for number in range(LIMIT + 1):
        sign_in(office, f"guess{number}@example.org", "wrong-password-0")
    client.force_login(staff_user(StaffProfile.Role.ADMIN))
    assert 'name="value" value="198.51.100.9"' in client.get(PAGE).content.decode()

    client.post(reverse("sign_in_lockout_clear"), {"kind": "address", "value": "198.51.100.9"})

    assert sign_in(office, ApplicantFactory().email)["Location"] == "/messages/"


def test_a_lockout_past_its_cool_off_is_not_listed(client):
    lock_out("someone@example.org")
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    assert "No sign-ins are paused." in client.get(PAGE).content.decode()


def test_clearing_needs_a_post_and_a_known_kind(client):
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    assert client.get(reverse("sign_in_lockout_clear")).status_code == 405
    assert client.post(reverse("sign_in_lockout_clear"), {"kind": "everything", "value": "x"}).status_code == 404


@pytest.mark.parametrize("count", [1, 60])
def test_the_page_costs_the_same_queries_for_few_or_many_records(client, django_assert_num_queries, count):
    now = timezone.now()
    AccessLog.objects.bulk_create(
        AccessLog(username=f"person{n}@example.org", ip_address="203.0.113.5", user_agent="", http_accept="", path_info="/login/")
        for n in range(count)
    )
    AccessFailureLog.objects.bulk_create(
        AccessFailureLog(username=f"guess{n}@example.org", ip_address="203.0.113.6", user_agent="", http_accept="", path_info="/login/")
        for n in range(count)
    )
    AccessAttempt.objects.bulk_create(
        AccessAttempt(
            username=f"locked{n}@example.org", ip_address="203.0.113.7", user_agent="", http_accept="", path_info="/login/",
            get_data="", post_data="", failures_since_start=LIMIT, attempt_time=now,
        )
        for n in range(count)
    )
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    # session, user (with staff profile), the latest successes, the latest
    # failures, the paused e-mail addresses, the paused network addresses
    with django_assert_num_queries(6):
        response = client.get(PAGE)

    # The supervisor's own sign-in is one of the records; at most SIGN_IN_RECORDS_SHOWN are shown.
    assert len(response.context["records"]) == min(2 * count + 1, 100)
    assert len(response.context["lockouts"]) == count + (1 if count * LIMIT >= settings.SIGN_IN_ADDRESS_FAILURE_LIMIT else 0)
