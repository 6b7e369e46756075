"""Shared test material: real file contents of each accepted type, and a way
to see what the storage backend holds."""

import io
import os
import zipfile

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from intake.models import Message
from intake.services import message_send_from_applicant

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 16
TEXT = "Pay stub — net income 1 234,56 $\nMerci\n".encode()
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


def office_file(kind):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<x/>")
    return buffer.getvalue()


def upload(name="pay-stub.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files():
    """Every file in the storage backend's folder, as relative keys."""
    root = settings.MEDIA_ROOT
    found = set()
    for folder, _dirs, files in os.walk(root):
        for name in files:
            found.add(os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/"))
    return found


def staff_message(case, **fields):
    """A caseworker's message row to the case's applicant, bound as the service binds it
    (for page tests that need a message in a given state without the send side effects)."""
    return Message.objects.create(
        sender=case.assigned_staff_profile.user,
        recipient=case.application.submission.user,
        case=case,
        application=case.application,
        direction=Message.Direction.STAFF_TO_APPLICANT,
        subject=fields.pop("subject", "Documents needed"),
        body=fields.pop("body", "Please send your pay stub."),
        **fields,
    )


def applicant_message(case, *, subject="Question about my training", body="My private answer", files=()):
    """The case's applicant writes about its application, through the real send service."""
    return message_send_from_applicant(
        applicant=case.application.submission.user,
        application_id=case.application_id,
        subject=subject,
        body=body,
        files=files,
    )
