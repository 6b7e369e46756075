"""Attachments and case-file documents leave only through authorising views (invariant 8)."""

import pytest

from intake.models import MessageEvent
from intake.tests.factories import DocumentFactory, MessageAttachmentFactory, StaffMessageFactory
from intake.tests.helpers import PDF

pytestmark = pytest.mark.django_db

XSS_NAME = '"><script>alert(1)</script>.pdf'


def assert_private_download(response, content, name):
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_applicant_downloads_their_attachment_and_it_is_audited(cast):
    attachment = MessageAttachmentFactory(message=StaffMessageFactory(case=cast.case), original_filename="letter.pdf")
    message = attachment.message

    response = cast.client_for(cast.applicant).get(f"/messages/{message.pk}/attachments/{attachment.pk}/")

    assert_private_download(response, PDF, "letter.pdf")
    assert response["Content-Type"] == "application/pdf"
    event = MessageEvent.objects.get(event_type="attachment_downloaded")
    assert (event.actor_user_id, event.detail) == (cast.applicant.pk, {"attachment_id": attachment.pk})


def test_hostile_file_name_is_quoted_safely(cast):
    attachment = MessageAttachmentFactory(message=StaffMessageFactory(case=cast.case), original_filename=XSS_NAME)
    message = attachment.message

    response = cast.client_for(cast.applicant).get(f"/messages/{message.pk}/attachments/{attachment.pk}/")

    disposition = response["Content-Disposition"]
    assert "<script>" not in disposition.split("filename*=")[0]
    assert "\n" not in disposition


@pytest.mark.parametrize("who", ["other_applicant", "caseworker", "other_caseworker"])
def test_applicant_download_url_is_404_for_everyone_else(cast, who):
    attachment = MessageAttachmentFactory(message=StaffMessageFactory(case=cast.case))
    message = attachment.message

    response = cast.client_for(getattr(cast, who)).get(f"/messages/{message.pk}/attachments/{attachment.pk}/")

    assert response.status_code == 404
    assert not MessageEvent.objects.exists()


def test_anonymous_download_goes_to_login(cast):
    attachment = MessageAttachmentFactory(message=StaffMessageFactory(case=cast.case))
    path = f"/messages/{attachment.message.pk}/attachments/{attachment.pk}/"

    response = cast.client_for(None).get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={path}"


def test_attachment_is_reached_only_through_its_own_message(cast):
    message = StaffMessageFactory(case=cast.case)
    MessageAttachmentFactory(message=message)
    other_attachment = MessageAttachmentFactory(message=StaffMessageFactory(case=cast.case))

    response = cast.client_for(cast.applicant).get(f"/messages/{message.pk}/attachments/{other_attachment.pk}/")

    assert response.status_code == 404


def test_staff_download_and_case_file_document(cast):
    document = DocumentFactory(origin_attachment__message__case=cast.case)
    attachment = document.origin_attachment
    client = cast.client_for(cast.caseworker)

    assert_private_download(
        client.get(f"/dashboard/cases/{cast.case.pk}/messages/{attachment.message.pk}/attachments/{attachment.pk}/"),
        PDF,
        attachment.original_filename,
    )
    assert_private_download(
        client.get(f"/dashboard/cases/{cast.case.pk}/documents/{document.pk}/"), PDF, document.file_name
    )


@pytest.mark.parametrize("who", ["other_caseworker", "applicant", "other_applicant"])
def test_staff_downloads_are_404_for_outsiders(cast, who):
    document = DocumentFactory(origin_attachment__message__case=cast.case)
    attachment = document.origin_attachment
    client = cast.client_for(getattr(cast, who))

    assert (
        client.get(
            f"/dashboard/cases/{cast.case.pk}/messages/{attachment.message.pk}/attachments/{attachment.pk}/"
        ).status_code
        == 404
    )
    assert client.get(f"/dashboard/cases/{cast.case.pk}/documents/{document.pk}/").status_code == 404


def test_no_public_media_url_serves_files(cast, settings):
    attachment = MessageAttachmentFactory(message=StaffMessageFactory(case=cast.case))

    assert cast.client_for(cast.applicant).get(f"/media/{attachment.file_path}").status_code == 404
    assert not getattr(settings, "MEDIA_URL", "").strip("/")
