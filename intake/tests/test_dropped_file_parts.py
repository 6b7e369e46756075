"""A file part the server cannot take (issue 15): Django drops a file named
`..`, `.`, or a bare path without a word. Now each is reported next to the
attachments field (or in the API's error), and nothing is sent, so the file
is never lost silently. An empty file input (no file chosen) is not a file."""

import pytest
from django.urls import reverse

from intake.models import Message
from intake.tests.helpers import PDF

pytestmark = pytest.mark.django_db

BOUNDARY = "----dropped-test"


def multipart(fields, files):
    """A multipart body written by hand: the test client would clean the names."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts += [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="attachments"; filename="{filename}"\r\n'.encode()
        + b"Content-Type: application/pdf\r\n\r\n"
        + content
        + b"\r\n"
        for filename, content in files
    ]
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def post(client, url, fields, files):
    return client.post(url, data=multipart(fields, files), content_type=f"multipart/form-data; boundary={BOUNDARY}")


@pytest.mark.parametrize("name", ["..", ".", "/", "C:\\"])
def test_portal_reports_the_dropped_file_next_to_attachments_and_keeps_the_text(applicant_client, case, name):
    fields = {"application": case.application.pk, "subject": "My pay stub", "body": "Attached, as asked."}

    response = post(applicant_client, reverse("portal:compose"), fields, [(name, PDF)])

    page = response.content.decode()
    assert response.status_code == 200
    assert f"“{name}” was not received: a file cannot have that name. Rename it and choose it again." in page
    assert '<a href="#id_attachments">' in page
    assert 'value="My pay stub"' in page and "Attached, as asked." in page
    assert not Message.objects.exists()


def test_an_empty_file_input_is_no_file(applicant_client, case):
    fields = {"application": case.application.pk, "subject": "No file", "body": "Just text."}

    response = post(applicant_client, reverse("portal:compose"), fields, [("", b"")])

    assert response.status_code == 302
    assert Message.objects.get().attachments.count() == 0


def test_dashboard_reports_the_dropped_file(client, case):
    client.force_login(case.assigned_staff_profile.user)

    response = post(
        client, reverse("dashboard:case_detail", args=[case.pk]), {"subject": "Form", "body": "See file"}, [("..", PDF)]
    )

    page = response.content.decode()
    assert "“..” was not received" in page
    assert "See file" in page
    assert not Message.objects.exists()


def test_api_refuses_with_the_files_name(client, case):
    client.force_login(case.assigned_staff_profile.user)

    response = post(client, reverse("api:case_messages", args=[case.pk]), {"subject": "Form", "body": "b"}, [("..", PDF)])

    assert response.status_code == 400
    assert response.json()["error"] == "unusable_file_name"
    assert "“..”" in response.json()["message"]
    assert not Message.objects.exists()


def test_a_good_file_beside_it_is_not_sent_alone(applicant_client, case):
    fields = {"application": case.application.pk, "subject": "Two files", "body": "Both attached."}

    response = post(applicant_client, reverse("portal:compose"), fields, [("pay.pdf", PDF), ("..", PDF)])

    assert response.status_code == 200
    assert not Message.objects.exists()
