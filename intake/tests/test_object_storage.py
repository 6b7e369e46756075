"""Attachments and case-file documents in S3-compatible object storage
(FILE_STORAGE=s3): send with files, download, adopt, withdraw and purge work
the same as on the local folder, and leave no object behind.

Each test gets a new bucket on the run's own S3 server (moto in server mode,
conftest.py `s3_server` / `s3_storage`) and looks at it from outside, through
its own S3 client. Transactional: files are deleted by draining the file
outbox after the transaction that unlinked them commits, and `purge` commits
as it goes; root conftest.py clears the shared tables after each test."""

import hashlib
import io
import tracemalloc

import pytest
from django.core.management import call_command
from django.urls import reverse

from casework.models import Document
from intake.downloads import CHUNK_BYTES
from intake.models import Message, MessageAttachment
from intake.outbox import outbox_drain
from intake.tests.factories import MessageAttachmentFactory, MessageFactory, StaffMessageFactory
from intake.tests.helpers import PDF, TEXT, stored_files, upload

pytestmark = pytest.mark.django_db(transaction=True)

COMPOSE = reverse("portal:compose")


def file_deletions_finish():
    """What the worker does after a change that unlinked files has committed:
    drain the file outbox (intake.outbox), deleting the objects it lists."""
    outbox_drain(due_only=False)


def applicant_sends_files(cast):
    response = cast.client_for(cast.applicant).post(
        COMPOSE,
        {
            "application": cast.case.application.pk,
            "subject": "My documents",
            "body": "Here they are.",
            "attachments": [upload("stub.pdf"), upload("notes.txt", TEXT, "text/plain")],
        },
    )
    assert response.status_code == 302
    return Message.objects.get(subject="My documents")


def caseworker_sends_file(cast):
    response = cast.client_for(cast.caseworker).post(
        reverse("dashboard:case_detail", args=[cast.case.pk]),
        {"subject": "Your letter", "body": "Attached.", "attachments": [upload("letter.pdf")]},
    )
    assert response.status_code == 302
    return Message.objects.get(subject="Your letter")


def test_sent_files_are_objects_in_the_bucket_with_their_case_file_copies(cast, s3_storage):
    local_before = stored_files()

    message = applicant_sends_files(cast)

    attachments = list(message.attachments.order_by("id"))
    documents = list(Document.objects.filter(origin_message=message).order_by("id"))
    assert [document.origin_attachment_id for document in documents] == [attachment.pk for attachment in attachments]
    assert s3_storage.keys() == {item.file_path for item in attachments} | {item.file_path for item in documents}
    assert [s3_storage.body(attachment.file_path) for attachment in attachments] == [PDF, TEXT]
    assert [s3_storage.body(document.file_path) for document in documents] == [PDF, TEXT]
    assert stored_files() == local_before  # nothing went to the local folder


def test_downloads_come_from_the_bucket_through_the_authorising_views_only(cast, s3_storage):
    sent = caseworker_sends_file(cast)
    attachment = sent.attachments.get()
    received = applicant_sends_files(cast)
    document = Document.objects.filter(origin_message=received).order_by("id").first()
    applicant_url = reverse("portal:attachment_download", args=[sent.pk, attachment.pk])
    document_url = reverse("dashboard:document_download", args=[cast.case.pk, document.pk])

    for client, path, name in [
        (cast.client_for(cast.applicant), applicant_url, "letter.pdf"),
        (cast.client_for(cast.caseworker), document_url, "stub.pdf"),
    ]:
        response = client.get(path)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Length"] == str(len(PDF))
        assert response["Content-Disposition"] == f'attachment; filename="{name}"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, no-store"
    assert cast.client_for(cast.other_applicant).get(applicant_url).status_code == 404
    assert cast.client_for(cast.other_caseworker).get(document_url).status_code == 404


def test_download_reads_the_object_a_chunk_at_a_time(cast, s3_storage):
    """A large object goes out as it arrives: this process never holds more
    than a few chunks of it (S3Storage.open() alone would fetch it whole first)."""
    content = hashlib.sha256(b"seed").digest() * (8 * 1024 * 1024 // 32)  # 8 MiB
    attachment = MessageAttachmentFactory(message=StaffMessageFactory(case=cast.case), content=content)
    client = cast.client_for(cast.applicant)
    path = reverse("portal:attachment_download", args=[attachment.message.pk, attachment.pk])

    digest, total, chunks, largest = hashlib.sha256(), 0, 0, 0
    tracemalloc.start()
    try:
        response = client.get(path)
        for chunk in response.streaming_content:
            digest.update(chunk)
            total, chunks, largest = total + len(chunk), chunks + 1, max(largest, len(chunk))
        response.close()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert (total, digest.hexdigest()) == (len(content), hashlib.sha256(content).hexdigest())
    assert largest <= CHUNK_BYTES
    assert chunks >= len(content) // CHUNK_BYTES
    assert peak < 1024 * 1024, f"{peak} bytes held while streaming an 8 MiB object"


def test_a_missing_object_is_404(cast, s3_storage):
    attachment = MessageAttachmentFactory(message=StaffMessageFactory(case=cast.case))
    s3_storage.client.delete_object(Bucket=s3_storage.name, Key=attachment.file_path)

    response = cast.client_for(cast.applicant).get(
        reverse("portal:attachment_download", args=[attachment.message.pk, attachment.pk])
    )

    assert response.status_code == 404


def test_adoption_copies_the_object_into_the_case_file(cast, s3_storage):
    message = MessageFactory(case=cast.case)
    attachment = MessageAttachmentFactory(message=message, original_filename="notes.txt", content=TEXT)

    response = cast.client_for(cast.caseworker).get(
        f"/api/admin/messages/{message.pk}/attachments?case_id={cast.case.pk}"
    )

    assert response.status_code == 200
    document = Document.objects.get(origin_attachment=attachment)
    assert document.file_path != attachment.file_path
    assert s3_storage.keys() == {attachment.file_path, document.file_path}
    assert s3_storage.body(document.file_path) == TEXT


def test_withdrawal_leaves_no_object_behind(cast, s3_storage):
    message = caseworker_sends_file(cast)
    assert len(s3_storage.keys()) == 1

    response = cast.client_for(cast.caseworker).post(
        reverse("dashboard:message_withdraw", args=[cast.case.pk, message.pk])
    )
    file_deletions_finish()

    assert response.status_code == 302
    assert not MessageAttachment.objects.exists()
    assert s3_storage.keys() == set()


def test_purge_leaves_no_object_behind(cast, s3_storage):
    caseworker_sends_file(cast)
    applicant_sends_files(cast)
    assert len(s3_storage.keys()) == 5  # one staff file; two applicant files and their case-file copies

    call_command("purge", "--case", str(cast.case.pk), "--include-documents", "--yes", stdout=io.StringIO())
    file_deletions_finish()

    assert not Message.objects.filter(case=cast.case).exists()
    assert not Document.objects.filter(case=cast.case).exists()
    assert s3_storage.keys() == set()
