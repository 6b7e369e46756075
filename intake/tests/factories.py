"""Factories for secure messages, their attachments and the case-file
documents adopted from them, beside casework's (CaseFactory and friends).

They build rows as the services bind them, so a test can set up a thread in
any state without the side effects of sending (e-mail, audit events). A test
about sending itself calls the service. Files are real: each attachment and
document has its bytes in the storage backend under a generated key.
"""

import hashlib

import factory
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from casework.models import Document
from casework.tests.factories import CaseFactory
from common.storage import storage_key_new
from intake.models import Message, MessageAttachment
from intake.tests.helpers import PDF


def _application_of(message):
    return message.case.application if message.case is not None else message.application


def _applicant_of(message):
    return _application_of(message).submission.user


def _caseworker_of(message):
    case = message.case
    if case is None or case.assigned_staff_profile is None:
        return None
    return case.assigned_staff_profile.user


class MessageFactory(factory.django.DjangoModelFactory):
    """An applicant's message to the case team of a case (`CaseFactory` by
    default). For a message written before the case existed, pass
    `case=None, application=...`."""

    class Meta:
        model = Message

    case = factory.SubFactory(CaseFactory)
    application = factory.LazyAttribute(_application_of)
    direction = Message.Direction.APPLICANT_TO_STAFF
    sender = factory.LazyAttribute(_applicant_of)
    recipient = factory.LazyAttribute(_caseworker_of)
    subject = factory.Sequence(lambda n: f"Question about my training ({n})")
    body = "My private answer"


class StaffMessageFactory(MessageFactory):
    """The assigned caseworker writes to the case's applicant."""

    direction = Message.Direction.STAFF_TO_APPLICANT
    sender = factory.LazyAttribute(_caseworker_of)
    recipient = factory.LazyAttribute(_applicant_of)
    subject = factory.Sequence(lambda n: f"Documents needed ({n})")
    body = "Please send your pay stub."


def _stored(content):
    return default_storage.save(storage_key_new("attachments"), ContentFile(content))


class MessageAttachmentFactory(factory.django.DjangoModelFactory):
    """A file of a message (an applicant's message by default), stored for real."""

    class Meta:
        model = MessageAttachment

    class Params:
        content = PDF

    message = factory.SubFactory(MessageFactory)
    case = factory.LazyAttribute(lambda attachment: attachment.message.case)
    user = factory.LazyAttribute(lambda attachment: attachment.message.sender)
    original_filename = "pay-stub.pdf"
    content_type = "application/pdf"
    file_path = factory.LazyAttribute(lambda attachment: _stored(attachment.content))
    size_bytes = factory.LazyAttribute(lambda attachment: len(attachment.content))
    checksum_sha256 = factory.LazyAttribute(lambda attachment: hashlib.sha256(attachment.content).hexdigest())


def _copy(attachment):
    with default_storage.open(attachment.file_path, "rb") as source:
        return default_storage.save(storage_key_new(f"documents/case-{attachment.case_id}"), source)


class DocumentFactory(factory.django.DjangoModelFactory):
    """A case-file document adopted from a message attachment, with its own copy
    of the file. Adoption takes only an applicant's attachments (the default
    here); given a staff message's attachment, this builds a document of the
    kind adopted before that rule, which still keeps its message from being withdrawn."""

    class Meta:
        model = Document

    origin_attachment = factory.SubFactory(MessageAttachmentFactory)
    origin_message = factory.LazyAttribute(lambda document: document.origin_attachment.message)
    case = factory.LazyAttribute(lambda document: document.origin_message.case)
    application = factory.LazyAttribute(lambda document: _application_of(document.origin_message))
    applicant_user = factory.LazyAttribute(lambda document: _applicant_of(document.origin_message))
    uploaded_by_user = factory.LazyAttribute(lambda document: document.origin_attachment.user)
    source = Document.Source.SECURE_MESSAGE_ATTACHMENT
    file_name = factory.LazyAttribute(lambda document: document.origin_attachment.original_filename)
    file_path = factory.LazyAttribute(lambda document: _copy(document.origin_attachment))
    mime_type = factory.LazyAttribute(lambda document: document.origin_attachment.content_type)
    size_bytes = factory.LazyAttribute(lambda document: document.origin_attachment.size_bytes)
