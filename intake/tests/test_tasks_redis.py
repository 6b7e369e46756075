"""The task queue's scale-out option, TASKS_BACKEND=redis (django-tasks-rq,
RQ queues in Redis), against the run's own Redis server: a send's notice is
queued once its transaction commits (never when it rolls back), `manage.py
worker` delivers it, and a failed delivery is scheduled in Redis for later; a
password reset's task goes to Redis with the account's id, no token.

Transactional: RQ cannot take part in the database's transaction, so the
tasks are sent on commit, which a test transaction would never reach."""

import re
import smtplib
from datetime import timedelta

import django_rq
import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task_backends
from django_tasks_db.models import DBTaskResult
from rq.registry import ScheduledJobRegistry

from casework.tests.factories import ApplicantFactory
from intake.models import EmailNotice, Message
from intake.services.sending import message_send_to_case
from intake.tests.helpers import upload

pytestmark = pytest.mark.django_db(transaction=True)


class Rollback(Exception):
    pass


@pytest.fixture
def redis_tasks(settings, redis_server):
    """TASKS_BACKEND=redis for this test, on the run's Redis server, emptied after."""
    settings.RQ_QUEUES = {"default": {"URL": redis_server.url, "DEFAULT_TIMEOUT": 600}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    queue = django_rq.get_queue("default")
    assert type(task_backends["default"]).__name__ == "RQBackend"
    yield queue
    queue.connection.flushdb()


def worker_once():
    call_command("worker", "--once", "--every", "0", stdout=None)


def send(cast):
    return message_send_to_case(
        staff_user=cast.caseworker, case=cast.case, subject="Documents", body="Please send them.", files=[upload()]
    )


def test_a_committed_send_queues_its_notice_in_redis_and_the_worker_delivers_it(cast, redis_tasks):
    message = send(cast)

    assert redis_tasks.count == 1
    [job] = redis_tasks.get_jobs()
    notice = EmailNotice.objects.get(message_id=message.pk)
    assert (job.func_name, job.args) == ("intake.tasks.notices_deliver", ([notice.pk],))
    assert not DBTaskResult.objects.exists()  # nothing went to the database queue
    assert mail.outbox == []

    worker_once()

    assert redis_tasks.count == 0
    assert [email.to for email in mail.outbox] == [[cast.applicant.email]]
    notice.refresh_from_db()
    assert notice.status == "sent"


def test_a_rolled_back_send_queues_nothing_in_redis(cast, redis_tasks):
    with pytest.raises(Rollback), transaction.atomic():
        send(cast)
        raise Rollback

    assert not Message.objects.exists() and not EmailNotice.objects.exists()
    assert redis_tasks.count == 0
    worker_once()
    assert mail.outbox == []


def test_a_failed_delivery_is_scheduled_in_redis_for_its_retry(cast, redis_tasks, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    send(cast)

    worker_once()

    notice = EmailNotice.objects.get()
    assert (notice.status, notice.attempts) == ("retrying", 1)
    scheduled = ScheduledJobRegistry(queue=redis_tasks)
    [job_id] = scheduled.get_job_ids()
    due = scheduled.get_scheduled_time(redis_tasks.fetch_job(job_id))
    assert abs(due - notice.next_attempt_at) < timedelta(seconds=1)
    assert due > timezone.now()


def test_a_password_reset_is_queued_in_redis_with_the_account_id_only(client, redis_tasks):
    applicant = ApplicantFactory()

    asked = client.post(reverse("password_reset"), {"email": applicant.email})

    assert asked["Location"] == "/password-reset/sent/"
    [job] = redis_tasks.get_jobs()
    assert job.func_name == "casework.tasks.password_reset_email_send"
    assert job.args[0] == applicant.pk and len(job.args) == 2  # the id and the time asked: no token
    assert mail.outbox == []

    worker_once()

    [email] = mail.outbox
    link = re.search(r"/password-reset/[^/\s]+/[^/\s]+/", email.body).group(0)
    assert link.rstrip("/").rsplit("/", 1)[1] not in repr(job.args)
    assert client.get(link).status_code == 302
