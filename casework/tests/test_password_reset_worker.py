"""The reset e-mail is the worker's: the request only queues a task holding the
account's id, so it never waits on the mail server and stores no token; the
worker makes the link, sends it, and retries while the link is still worth
sending."""

import json
import re
import socket
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from casework.password_reset import reset_email_send
from casework.tests.factories import ApplicantFactory
from common.tasks import retry_delay
from intake.tests.worker import tasks_queued, tasks_run, time_passes

pytestmark = pytest.mark.django_db

TASK = "casework.tasks.password_reset_email_send"
NEW_PASSWORD = "a-brand-new-passphrase-42"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def silent_mail_server(settings):
    """A mail server that accepts connections and never answers: the socket
    listens and nobody reads it, so the kernel completes each client's
    connection and the client waits for a greeting that never comes, up to
    EMAIL_TIMEOUT. What connected stays in the listen backlog, to be counted."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=16)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = listener.getsockname()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 1
    accepted = []

    def connections():
        """How many clients have connected so far."""
        listener.setblocking(False)
        while True:
            try:
                accepted.append(listener.accept()[0])
            except BlockingIOError:
                return len(accepted)

    yield connections
    for connection in accepted:
        connection.close()
    listener.close()


@pytest.fixture
def mail_server_down(settings):
    """A port nobody listens on: every connection is refused."""
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 1


def ask(client, email):
    return client.post(reverse("password_reset"), {"email": email})


def page(client, path):
    """The page, without the per-response CSRF token."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", client.get(path).content.decode())


def link_in(message):
    return re.search(r"https?://\S+/password-reset/[^/\s]+/[^/\s]+/", message.body).group(0)


def reset_with(client, link):
    set_password_page = client.get(re.sub(r"^https?://[^/]+", "", link))
    assert set_password_page.status_code == 302
    done = client.post(set_password_page["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == "/password-reset/done/"


def test_the_request_queues_the_account_id_and_sends_nothing(client):
    applicant = ApplicantFactory()

    assert ask(client, applicant.email)["Location"] == "/password-reset/sent/"

    assert mail.outbox == []
    [queued] = tasks_queued(TASK)
    user_id, asked_at = queued.args_kwargs["args"]
    assert (user_id, queued.args_kwargs["kwargs"]) == (applicant.pk, {})
    assert abs(timezone.now() - datetime.fromisoformat(asked_at)) < timedelta(minutes=1)


def test_an_unknown_address_queues_nothing_and_gets_the_same_page(client):
    known = ApplicantFactory()
    for_known = ask(client, known.email)
    DBTaskResult.objects.all().delete()

    for_unknown = ask(client, "nobody@example.org")

    assert tasks_queued() == []
    assert (for_unknown.status_code, for_unknown["Location"]) == (for_known.status_code, for_known["Location"])
    assert page(client, for_unknown["Location"]) == page(client, for_known["Location"])


def test_nothing_of_the_token_is_stored_with_the_task(client):
    applicant = ApplicantFactory()
    ask(client, applicant.email)
    tasks_run()

    link = link_in(mail.outbox[0])
    token = link.rstrip("/").rsplit("/", 1)[1]
    # Every column of every task row, queued or finished (its arguments and its return value).
    stored = json.dumps(list(DBTaskResult.objects.values()), default=str)
    assert TASK in stored
    assert token not in stored
    assert token.split("-")[1] not in stored  # nor the token's hash half alone
    assert "password-reset/" not in stored
    reset_with(client, link)


def test_the_request_never_touches_a_mail_server_that_never_answers(client, silent_mail_server):
    applicant = ApplicantFactory()

    answer = ask(client, applicant.email)

    # The request returned, and no connection reached the mail server during it.
    assert answer["Location"] == "/password-reset/sent/"
    assert silent_mail_server() == 0
    # The worker is the one that waits (EMAIL_TIMEOUT), then tries again later.
    tasks_run()
    assert silent_mail_server() == 1
    [retry] = tasks_queued(TASK)
    assert retry.args_kwargs["args"][0] == applicant.pk
    assert retry.args_kwargs["args"][2] == 2
    assert retry.run_after > timezone.now()


def test_a_failed_send_is_tried_again_and_its_link_works(client, settings, mail_server_down):
    applicant = ApplicantFactory()
    ask(client, applicant.email)

    tasks_run()
    assert mail.outbox == []
    [retry] = tasks_queued(TASK)
    assert retry.args_kwargs["args"][2] == 2

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    time_passes(retry_delay(1))
    assert tasks_run() == 1

    [message] = mail.outbox
    reset_with(client, link_in(message))
    signed_in = client.post(reverse("login"), {"username": applicant.email, "password": NEW_PASSWORD})
    assert signed_in["Location"] == "/messages/"


def test_no_retry_that_would_come_after_the_link_would_have_expired(settings, mail_server_down):
    applicant = ApplicantFactory()
    long_ago = timezone.now() - timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)

    outcome = reset_email_send(user_id=applicant.pk, asked_at=long_ago.isoformat(), attempt=1)

    assert outcome == "failed"
    assert tasks_queued() == []


def test_no_retry_after_the_last_attempt(settings, mail_server_down):
    applicant = ApplicantFactory()
    settings.PASSWORD_RESET_TIMEOUT = 10 * 24 * 3600

    last = reset_email_send(
        user_id=applicant.pk, asked_at=timezone.now().isoformat(), attempt=settings.NOTICE_MAX_ATTEMPTS
    )
    one_before = reset_email_send(
        user_id=applicant.pk, asked_at=timezone.now().isoformat(), attempt=settings.NOTICE_MAX_ATTEMPTS - 1
    )

    assert (last, one_before) == ("failed", "retrying")


def test_an_account_disabled_before_the_worker_runs_gets_nothing(client):
    applicant = ApplicantFactory()
    ask(client, applicant.email)
    applicant.is_active = False
    applicant.save(update_fields=["is_active"])

    assert tasks_run() == 1
    assert mail.outbox == []
    [done] = DBTaskResult.objects.filter(task_path=TASK)
    assert done.return_value == "cancelled"
