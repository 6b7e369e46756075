"""Every call outside the process has a timeout (issue 17): against a server
that accepts and never answers, the call fails after its timeout, with the
answer its caller gives for that dependency being down, instead of holding
the process (a gunicorn worker, the task worker) until something kills it."""

import socket
import time

import pytest
from django.db import connection
from django.urls import reverse

from common.storage import s3_client_config
from intake.models import EmailNotice, Message
from intake.notifications import notices_deliver
from intake.scanning import ScannerUnavailable, file_scan
from intake.services.sending import message_send_to_case
from intake.tests.helpers import stored_files, upload
from iset_messaging.environment import url_with_timeouts
from testing.silent_server import SilentServer

pytestmark = pytest.mark.django_db

UNAVAILABLE_MESSAGE = "We cannot check files for viruses right now, so your files were not sent. Try again later"


class Stopwatch:
    def __enter__(self):
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc):
        self.seconds = time.monotonic() - self.started


def test_hung_smtp_server_marks_the_notice_retrying_after_email_timeout(settings, cast):
    message = message_send_to_case(staff_user=cast.caseworker, case=cast.case, subject="Letter", body="b")
    [notice] = EmailNotice.objects.filter(message_id=message.pk)
    with SilentServer() as smtp:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 1
        with Stopwatch() as watch:
            counts = notices_deliver([notice.pk])

    assert watch.seconds < 2.5
    assert counts["retrying"] == 1
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("retrying", 1)


@pytest.mark.django_db(transaction=True)
def test_a_send_whose_redis_task_queue_never_answers_is_stored_within_its_timeout(settings, cast):
    """TASKS_BACKEND=redis: the notice is queued in Redis when the send
    commits. A Redis that accepts and never answers holds the request for
    TASKS_REDIS_SOCKET_TIMEOUT (here 1 s), then the send is answered as sent
    and its notice stays pending for the worker's sweep."""
    with SilentServer() as redis:
        settings.RQ_QUEUES = {"default": {"URL": url_with_timeouts(f"redis://127.0.0.1:{redis.port}/0", 1)}}
        settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
        with Stopwatch() as watch:
            message = message_send_to_case(staff_user=cast.caseworker, case=cast.case, subject="Letter", body="b")

    assert watch.seconds < 4  # the connect, then one read of 1 s each, at most
    assert Message.objects.filter(pk=message.pk).exists()
    [notice] = EmailNotice.objects.filter(message_id=message.pk)
    assert notice.status == "pending"


def test_hung_scanner_refuses_an_api_send_with_a_file_within_its_timeout(settings, client, case):
    client.force_login(case.assigned_staff_profile.user)
    files_before = stored_files()
    with SilentServer() as clamd:
        settings.MALWARE_SCANNER = f"clamd://127.0.0.1:{clamd.port}"
        settings.MALWARE_SCANNER_TIMEOUT = 1
        with Stopwatch() as watch:
            response = client.post(
                f"/api/cases/{case.pk}/messages", {"subject": "Letter", "body": "Attached.", "attachments": [upload()]}
            )

    assert watch.seconds < 2.5
    assert response.status_code == 503
    assert response.json()["error"] == "scanner_unavailable"
    assert not Message.objects.exists()
    assert stored_files() == files_before


def test_hung_scanner_gives_the_compose_form_back_within_its_timeout(settings, applicant_client, case):
    with SilentServer() as clamd:
        settings.MALWARE_SCANNER = f"clamd://127.0.0.1:{clamd.port}"
        settings.MALWARE_SCANNER_TIMEOUT = 1
        with Stopwatch() as watch:
            response = applicant_client.post(
                reverse("portal:compose"),
                {"application": case.application.pk, "subject": "Kept", "body": "Also kept", "attachments": [upload()]},
            )

    assert watch.seconds < 2.5
    assert response.status_code == 200
    page = response.content.decode()
    assert UNAVAILABLE_MESSAGE in page
    assert 'value="Kept"' in page and "Also kept" in page
    assert not Message.objects.exists()


def test_scanner_unix_socket_with_a_full_backlog_fails_within_its_timeout(settings, tmp_path):
    """clamd busy beyond its backlog: the connect itself must time out (clamav-client set
    the unix socket's timeout only after connecting)."""
    path = tmp_path / "clamd.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(0)  # never accepts
    queued = []
    try:
        while True:  # fill the backlog until a connect would wait
            waiting = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            waiting.setblocking(False)
            queued.append(waiting)
            try:
                waiting.connect(str(path))
            except BlockingIOError:
                break
            if len(queued) > 64:
                pytest.skip("this kernel does not make a unix connect wait on a full backlog")
        settings.MALWARE_SCANNER = f"clamd://{path}"
        settings.MALWARE_SCANNER_TIMEOUT = 1
        with Stopwatch() as watch, pytest.raises(ScannerUnavailable):
            file_scan(upload(), name="pay-stub.pdf")
    finally:
        for waiting in queued:
            waiting.close()
        listener.close()

    assert watch.seconds < 2.5


def test_object_storage_that_never_answers_fails_within_its_timeouts():
    from botocore.exceptions import ReadTimeoutError
    from django.core.files.base import ContentFile
    from storages.backends.s3 import S3Storage

    with SilentServer() as s3:
        storage = S3Storage(
            bucket_name="iset-files",
            endpoint_url=f"http://127.0.0.1:{s3.port}",
            access_key="key",
            secret_key="secret",
            region_name="ca-central-1",
            file_overwrite=False,
            client_config=s3_client_config(addressing_style="path", connect_timeout=1, read_timeout=1, max_attempts=2),
        )
        with Stopwatch() as watch, pytest.raises(ReadTimeoutError):
            storage.save("attachments/x", ContentFile(b"pay stub"))

    assert watch.seconds < 4  # two attempts of one second, and botocore's pause between them


@pytest.mark.mysql
def test_database_read_timeout_ends_a_query_the_server_never_answers():
    """The settings give the connection a read timeout; a query whose answer
    does not come within it fails instead of waiting (a stand-in for a server
    that hangs: SELECT SLEEP outlasting a one-second timeout)."""
    import MySQLdb

    options = connection.settings_dict["OPTIONS"]
    assert options["read_timeout"] >= 1 and options["write_timeout"] >= 1
    params = {**connection.get_connection_params(), "read_timeout": 1}
    hung = MySQLdb.connect(**params)
    try:
        with Stopwatch() as watch, pytest.raises(MySQLdb.OperationalError) as lost:
            hung.cursor().execute("SELECT SLEEP(10)")
    finally:
        hung.close()

    assert lost.value.args[0] == 2013  # lost connection during query
    assert watch.seconds < 3
