"""Request size (issue 15): a body larger than the largest legitimate form
(REQUEST_BODY_MAX_BYTES) is refused with 413 before it is read, and nothing
of it is kept. Through Django's test client, and over a real socket against
the live server, where the body is announced but never sent in full."""

import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import translation

from casework.tests.factories import CaseFactory
from intake.models import Message
from intake.tests.helpers import stored_files, upload

BIG = 300 * 1024 * 1024
BOUNDARY = "----iset-test-boundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
CSRF_COOKIE = "a" * 32


def multipart_head(field="attachments", filename="big.pdf"):
    """The start of a multipart body: one file part's headers and its first bytes."""
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
        "Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
    ).encode() + b"x" * 4096


def test_the_limit_is_what_the_largest_form_needs_plus_room_for_the_text():
    files = settings.ATTACHMENT_MAX_FILES * settings.ATTACHMENT_MAX_BYTES

    assert files < settings.REQUEST_BODY_MAX_BYTES <= files + 2 * 1024 * 1024
    assert settings.REQUEST_BODY_MAX_BYTES >= settings.ATTACHMENT_MAX_TOTAL_BYTES


@pytest.mark.django_db
def test_api_answers_413_json_from_the_announced_length_without_reading_the_body(client):
    case = CaseFactory()
    client.force_login(case.assigned_staff_profile.user)
    before = stored_files()

    # The test client's payload refuses to be read past what it holds: any
    # attempt to read the announced 300 MB would fail the request differently.
    response = client.post(
        reverse("api:case_messages", args=[case.pk]),
        data=multipart_head(),
        content_type=MULTIPART,
        CONTENT_LENGTH=str(BIG),
    )

    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert "51" in response.json()["message"]
    assert not Message.objects.exists()
    assert stored_files() == before


@pytest.mark.django_db
def test_a_page_answers_413_with_a_page_in_the_browsers_language(client):
    response = client.post(
        reverse("portal:compose"),
        data=multipart_head(),
        content_type=MULTIPART,
        CONTENT_LENGTH=str(BIG),
        HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9",
    )

    body = response.content.decode()
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert '<html lang="fr">' in body
    with translation.override("fr"):
        assert filesizeformat(settings.REQUEST_BODY_MAX_BYTES) in body  # the limit, written the French way
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_the_413_carries_the_security_headers(client):
    response = client.post(reverse("login"), data=multipart_head(), content_type=MULTIPART, CONTENT_LENGTH=str(BIG))

    assert response.status_code == 413
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_a_body_just_over_a_lowered_limit_is_refused_and_one_under_it_is_not(client, settings):
    case = CaseFactory()
    client.force_login(case.assigned_staff_profile.user)
    settings.REQUEST_BODY_MAX_BYTES = 4000
    url = reverse("api:case_messages", args=[case.pk])

    under = client.post(url, {"subject": "Hello", "body": "x" * 1000})
    over = client.post(url, {"subject": "Hello", "body": "x" * 5000})

    assert under.status_code == 201
    assert over.status_code == 413
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_without_the_middleware_the_upload_handler_still_stops_at_the_limit(client, settings):
    """Defence in depth: the upload handler counts the bytes of every file and
    stops before one past the limit reaches the handlers that keep files."""
    case = CaseFactory()
    client.force_login(case.assigned_staff_profile.user)
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("RequestSizeLimitMiddleware")]
    settings.REQUEST_BODY_MAX_BYTES = 20_000
    before = stored_files()

    response = client.post(
        reverse("api:case_messages", args=[case.pk]),
        {"subject": "Big", "body": "Files", "attachments": [upload("big.pdf", b"%PDF-1.4\n" + b"x" * 30_000)]},
    )

    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert not Message.objects.exists()
    assert stored_files() == before


def _http(live_server):
    url = urlparse(live_server.url)
    return url.hostname, url.port


def _status_of_first_response(sock):
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = sock.recv(65536)
        if not chunk:
            break
        received += chunk
    return int(received.split(b" ", 2)[1]), received


@pytest.mark.django_db(transaction=True)
def test_anonymous_300_mb_post_to_login_is_refused_before_any_temporary_file(live_server, settings, tmp_path):
    # Before: the parser saw a 300 MB file coming and started writing it to a
    # temporary file, in full, before the missing CSRF token refused it.
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    host, port = _http(live_server)
    # With a CSRF cookie (anyone gets one from the sign-in page), the CSRF
    # check reads the body to find the form's token.
    head = (
        f"POST /login/ HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: {MULTIPART}\r\n"
        f"Cookie: csrftoken={CSRF_COOKIE}\r\nContent-Length: {BIG}\r\n\r\n"
    ).encode()

    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(head + multipart_head("file", "movie.mp4"))
        # The answer comes while the client is still "sending": nothing waits for the body.
        status, received = _status_of_first_response(sock)
        written_meanwhile = list(tmp_path.iterdir())

    assert status == 413
    assert b"Content-Type: text/html" in received
    assert written_meanwhile == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db(transaction=True)
def test_a_chunked_body_without_length_is_not_read_or_kept(live_server, settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    host, port = _http(live_server)
    part = multipart_head("file", "movie.mp4")
    head = (
        f"POST /login/ HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: {MULTIPART}\r\n"
        f"Cookie: csrftoken={CSRF_COOKIE}\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    chunk = f"{len(part):x}\r\n".encode() + part + b"\r\n"

    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(head + chunk * 4)
        status, _received = _status_of_first_response(sock)
        written_meanwhile = list(tmp_path.iterdir())

    # Without a length, Django reads no body at all: the sign-in form's CSRF
    # token is missing, and not one byte reached a file.
    assert status == 403
    assert written_meanwhile == []
