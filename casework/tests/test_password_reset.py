"""Password reset by e-mail (Django's views): content-free e-mail in the
account's language, sent by the worker, never during the request; the same
answer for any address, limited, short-lived, and a new password ends every
session of the account."""

import re
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from casework.models import StaffProfile
from casework.tests.factories import TEST_PASSWORD, ApplicantFactory, CaseFactory, StaffProfileFactory, staff_user
from casework.tests.two_step import code_for, confirmed_authenticator
from intake.tests.worker import tasks_run

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-42"


@pytest.fixture(autouse=True)
def _fresh_limits():
    """The limits are counted in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


def ask(client, email):
    return client.post(reverse("password_reset"), {"email": email})


def ask_and_deliver(client, email):
    """Ask for a link, then let the worker send it."""
    answer = ask(client, email)
    tasks_run()
    return answer


def link_in(message):
    return re.search(r"https?://\S+/password-reset/[^/\s]+/[^/\s]+/", message.body).group(0)


def path_of(url):
    return re.sub(r"^https?://[^/]+", "", url)


def reset(client, link, password=NEW_PASSWORD):
    set_password_page = client.get(path_of(link))
    assert set_password_page.status_code == 302
    return client.post(set_password_page["Location"], {"new_password1": password, "new_password2": password})


def test_the_sign_in_page_links_to_the_reset(client):
    assert 'href="/password-reset/"' in client.get(reverse("login")).content.decode()


def test_a_reset_from_asking_to_signing_in_with_the_new_password(client, settings):
    settings.SITE_URL = "https://iset.example.org"
    applicant = ApplicantFactory(first_name="Tanya", last_name="Bellegarde")
    case = CaseFactory(application__submission__user=applicant)

    asked = ask(client, applicant.email.upper())

    assert asked["Location"] == "/password-reset/sent/"
    assert "If an account uses that address" in client.get(asked["Location"]).content.decode()
    assert mail.outbox == []  # the worker sends it, not the request
    assert tasks_run() == 1
    [message] = mail.outbox
    assert message.to == [applicant.email]
    assert message.subject == "Reset your ISET Secure Messaging password"
    link = link_in(message)
    assert link.startswith("https://iset.example.org/password-reset/")
    html = message.alternatives[0][0]
    # Nothing about the person or their file: only the link.
    for text in (message.body, html, message.subject):
        for private in ("Tanya", "Bellegarde", case.application.submission.reference_number):
            assert private not in text
    assert path_of(link) in html

    done = reset(client, link)

    assert done["Location"] == "/password-reset/done/"
    assert "Your password is changed" in client.get(done["Location"]).content.decode()
    old = client.post(reverse("login"), {"username": applicant.email, "password": TEST_PASSWORD})
    assert old.status_code == 200
    new = client.post(reverse("login"), {"username": applicant.email, "password": NEW_PASSWORD})
    assert new["Location"] == "/messages/"


def test_an_unknown_address_gets_the_same_answer_and_no_email(client):
    known = ApplicantFactory(email="known@example.org")

    for_known = ask_and_deliver(client, known.email)
    for_unknown = ask_and_deliver(client, "nobody@example.org")

    assert (for_known.status_code, for_known["Location"]) == (for_unknown.status_code, for_unknown["Location"])
    assert [message.to for message in mail.outbox] == [[known.email]]


def test_no_email_for_a_disabled_account(client):
    applicant = ApplicantFactory(is_active=False)
    profile = StaffProfileFactory(status=StaffProfile.Status.DISABLED)

    assert ask(client, applicant.email)["Location"] == "/password-reset/sent/"
    assert ask(client, profile.user.email)["Location"] == "/password-reset/sent/"

    assert tasks_run() == 0
    assert mail.outbox == []


def test_the_email_speaks_the_accounts_language(client):
    applicant = ApplicantFactory(preferred_language="fr")

    ask_and_deliver(client, applicant.email)

    [message] = mail.outbox
    assert 'lang="fr"' in message.alternatives[0][0]


def test_a_new_password_ends_every_session_of_the_account(client):
    applicant = ApplicantFactory()
    elsewhere = Client()
    elsewhere.force_login(applicant)
    assert elsewhere.get("/messages/").status_code == 200

    ask_and_deliver(client, applicant.email)
    reset(client, link_in(mail.outbox[0]))

    assert elsewhere.get("/messages/")["Location"] == "/login/?next=/messages/"
    assert "_auth_user_id" not in client.session


def test_staff_still_give_a_code_after_a_reset(client):
    user = staff_user()
    device = confirmed_authenticator(user)
    ask_and_deliver(client, user.email)
    reset(client, link_in(mail.outbox[0]))

    signed_in = client.post(reverse("login"), {"username": user.email, "password": NEW_PASSWORD})

    assert signed_in["Location"] == "/account/two-step/?next=%2Fdashboard%2F"
    assert client.get("/dashboard/")["Location"].startswith("/account/two-step/")
    assert client.post(reverse("two_step"), {"code": code_for(device)})["Location"] == "/dashboard/"


def test_a_link_works_once(client):
    applicant = ApplicantFactory()
    ask_and_deliver(client, applicant.email)
    link = link_in(mail.outbox[0])
    reset(client, link)

    page = client.get(path_of(link), follow=True).content.decode()

    assert "This link no longer works" in page


def test_a_link_expires(client, settings, monkeypatch):
    applicant = ApplicantFactory()
    ask_and_deliver(client, applicant.email)
    link = link_in(mail.outbox[0])

    later = datetime.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 1)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: later)
    page = client.get(path_of(link), follow=True).content.decode()

    assert settings.PASSWORD_RESET_TIMEOUT == 3600
    assert "This link no longer works" in page


def test_asking_is_limited_per_address_typed(client, settings):
    applicant = ApplicantFactory()
    answers = [ask(client, applicant.email).status_code for _ in range(settings.PASSWORD_RESET_LIMIT_PER_EMAIL + 1)]
    tasks_run()

    assert answers == [302] * settings.PASSWORD_RESET_LIMIT_PER_EMAIL + [429]
    assert len(mail.outbox) == settings.PASSWORD_RESET_LIMIT_PER_EMAIL
    page = ask(client, applicant.email).content.decode()
    assert "Wait an hour" in page
    assert f'value="{applicant.email}"' in page
    # The same limit for an address no account has: the answer tells nothing.
    unknown = [ask(client, "nobody@example.org").status_code for _ in range(settings.PASSWORD_RESET_LIMIT_PER_EMAIL + 1)]
    assert unknown == answers


def test_asking_is_limited_per_network_address(client, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 3
    answers = [ask(client, f"person{number}@example.org").status_code for number in range(4)]

    assert answers == [302, 302, 302, 429]
    assert ask(Client(REMOTE_ADDR="198.51.100.7"), "person9@example.org").status_code == 302
