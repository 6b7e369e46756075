"""Every API error is JSON, as docs/api.md promises (issue 15), including the
ones Django raises before a view runs: a body past the size limit, too many
files, a malformed multipart body, a CSRF failure, an unknown path or method,
a server error. Pages keep their HTML error pages."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from casework.tests.factories import CaseFactory
from intake.models import Message
from intake.tests.helpers import stored_files, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    return CaseFactory()


@pytest.fixture
def staff(client, case):
    client.force_login(case.assigned_staff_profile.user)
    return client


def url(case):
    return reverse("api:case_messages", args=[case.pk])


def assert_json_error(response, status, code):
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"] == code
    assert isinstance(body["message"], str) and body["message"]


def test_body_over_the_size_limit(staff, case):
    response = staff.post(url(case), data=b"--x\r\n", content_type="multipart/form-data; boundary=x", CONTENT_LENGTH="999999999")

    assert_json_error(response, 413, "too_large")


def test_text_fields_over_the_in_memory_limit(staff, case, settings):
    # Past DATA_UPLOAD_MAX_MEMORY_SIZE (the fields, not the files) but under the body limit.
    response = staff.post(
        url(case), data=json.dumps({"subject": "s", "body": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}),
        content_type="application/json",
    )

    assert_json_error(response, 413, "too_large")
    assert "2.5" in response.json()["message"]  # the limit that applies: the text's, not the files'
    assert not Message.objects.exists()


def test_more_files_than_django_accepts(staff, case, settings):
    files = [upload(f"f{number}.pdf") for number in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)]

    response = staff.post(url(case), {"subject": "s", "body": "b", "attachments": files})

    assert_json_error(response, 400, "too_many_files")
    assert not Message.objects.exists()


def test_more_files_than_a_message_may_carry(staff, case, settings):
    files = [upload(f"f{number}.pdf") for number in range(settings.ATTACHMENT_MAX_FILES + 1)]
    before = stored_files()

    response = staff.post(url(case), {"subject": "s", "body": "b", "attachments": files})

    assert_json_error(response, 400, "too_many_files")
    assert stored_files() == before


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("multipart/form-data", b"no boundary at all"),
        ("multipart/form-data; boundary=", b"--\r\n"),
        ("multipart/form-data; boundary=abc", b"--abc\r\nContent-Disposition: form-data; name=\"subject\"\r\n\r\nHi\r\n--abc\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"a.pdf\"\r\n\r\nQUJDQQ\r\n--abc--\r\n"),
    ],
    ids=["no-boundary", "empty-boundary", "bad-base64"],
)
def test_malformed_multipart_body(staff, case, content_type, body):
    response = staff.post(url(case), data=body, content_type=content_type)

    assert_json_error(response, 400, "bad_request")
    assert not Message.objects.exists()


def test_malformed_multipart_on_a_page_is_an_html_400(case):
    client = Client()
    client.force_login(case.application.submission.user)

    response = client.post(reverse("portal:compose"), data=b"x", content_type="multipart/form-data")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "The request could not be read" in response.content.decode()


def test_csrf_failure(case):
    client = Client(enforce_csrf_checks=True)
    client.force_login(case.assigned_staff_profile.user)

    response = client.post(url(case), data=json.dumps({"subject": "s", "body": "b"}), content_type="application/json")

    assert_json_error(response, 403, "csrf_failed")


def test_unknown_path(staff):
    assert_json_error(staff.get("/api/no/such/thing"), 404, "not_found")


def test_method_not_allowed(staff, case):
    response = staff.delete(url(case))

    assert_json_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET, POST"


def test_server_error(case, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(case.assigned_staff_profile.user)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("intake.views.api.case_thread", broken)

    response = client.get(url(case))

    assert_json_error(response, 500, "server_error")
    assert "a bug" not in response.content.decode()


def test_a_page_server_error_is_still_the_html_page(case, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(case.assigned_staff_profile.user)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("intake.views.dashboard.case_documents", broken)

    response = client.get(reverse("dashboard:case_detail", args=[case.pk]))

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
