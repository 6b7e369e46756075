"""Attachments and case-file documents leave only through authorising views (invariant 8)."""

import pytest

from intake.models import MessageEvent
from intake.services import attachments_adopt, message_send_from_applicant, message_send_to_case
from intake.tests.helpers import PDF, upload

pytestmark = pytest.mark.django_db

XSS_NAME = '"><script>alert(1)</script>.pdf'


def staff_message_with_file(cast, name="letter.pdf"):
    message = message_send_to_case(
        staff_user=cast.caseworker, case_id=cast.case.pk, subject="s", body="b", files=[upload(name, PDF)]
    )
    return message, message.attachments.get()


def assert_private_download(response, content):
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_applicant_downloads_their_attachment_and_it_is_audited(cast):
    message, attachment = staff_message_with_file(cast)

    response = cast.client_for(cast.applicant).get(f"/messages/{message.pk}/attachments/{attachment.pk}/")

    assert_private_download(response, PDF)
    assert response["Content-Type"] == "application/pdf"
    event = MessageEvent.objects.get(event_type="attachment_downloaded")
    assert (event.actor_user_id, event.detail) == (cast.applicant.pk, {"attachment_id": attachment.pk})


def test_hostile_file_name_is_quoted_safely(cast):
    message, attachment = staff_message_with_file(cast, XSS_NAME)

    response = cast.client_for(cast.applicant).get(f"/messages/{message.pk}/attachments/{attachment.pk}/")

    disposition = response["Content-Disposition"]
    assert "<script>" not in disposition.split("filename*=")[0]
    assert "\n" not in disposition


@pytest.mark.parametrize("who", ["other_applicant", "caseworker", "other_caseworker"])
def test_applicant_download_url_is_404_for_everyone_else(cast, who):
    message, attachment = staff_message_with_file(cast)

    response = cast.client_for(getattr(cast, who)).get(f"/messages/{message.pk}/attachments/{attachment.pk}/")

    assert response.status_code == 404


def test_anonymous_download_goes_to_login(cast):
    message, attachment = staff_message_with_file(cast)

    response = cast.client_for(None).get(f"/messages/{message.pk}/attachments/{attachment.pk}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_attachment_is_reached_only_through_its_own_message(cast):
    message, _ = staff_message_with_file(cast)
    _, other_attachment = staff_message_with_file(cast)

    response = cast.client_for(cast.applicant).get(f"/messages/{message.pk}/attachments/{other_attachment.pk}/")

    assert response.status_code == 404


def test_staff_download_and_case_file_document(cast):
    message = message_send_from_applicant(
        applicant=cast.applicant, application_id=cast.case.application_id, subject="s", body="b", files=[upload()]
    )
    [(attachment, document)] = attachments_adopt(staff_user=cast.caseworker, case_id=cast.case.pk, message_id=message.pk)
    client = cast.client_for(cast.caseworker)

    assert_private_download(client.get(f"/dashboard/cases/{cast.case.pk}/messages/{message.pk}/attachments/{attachment.pk}/"), PDF)
    assert_private_download(client.get(f"/dashboard/cases/{cast.case.pk}/documents/{document.pk}/"), PDF)


@pytest.mark.parametrize("who", ["other_caseworker", "applicant", "other_applicant"])
def test_staff_downloads_are_404_for_outsiders(cast, who):
    message = message_send_from_applicant(
        applicant=cast.applicant, application_id=cast.case.application_id, subject="s", body="b", files=[upload()]
    )
    [(attachment, document)] = attachments_adopt(staff_user=cast.caseworker, case_id=cast.case.pk, message_id=message.pk)
    client = cast.client_for(getattr(cast, who))

    assert client.get(f"/dashboard/cases/{cast.case.pk}/messages/{message.pk}/attachments/{attachment.pk}/").status_code == 404
    assert client.get(f"/dashboard/cases/{cast.case.pk}/documents/{document.pk}/").status_code == 404


def test_no_public_media_url_serves_files(cast, settings):
    message, attachment = staff_message_with_file(cast)

    assert cast.client_for(cast.applicant).get(f"/media/{attachment.file_path}").status_code == 404
    assert not getattr(settings, "MEDIA_URL", "").strip("/")
