"""GET /api/admin/messages/<id>/attachments?case_id= : adoption into the case file (invariant 9)."""

import threading

import pytest
from django.core.files.storage import default_storage
from django.db import connection

from casework.access import case_for_staff
from casework.models import Document
from casework.tests.factories import CaseFactory
from intake.models import ACCESS_EVENT_TYPES, MessageAttachment, MessageEvent
from intake.selectors import case_message
from intake.services.adoption import attachments_adopt
from intake.services.sending import message_send_from_applicant
from intake.tests.factories import MessageAttachmentFactory, MessageFactory
from intake.tests.helpers import PDF, TEXT, stored_files, upload


def url(message_id, case_id=None):
    return f"/api/admin/messages/{message_id}/attachments" + ("" if case_id is None else f"?case_id={case_id}")


@pytest.mark.django_db
def test_opening_adopts_each_attachment_into_the_case_file(cast):
    message = MessageFactory(case=cast.case)
    MessageAttachmentFactory(message=message, original_filename="stub.pdf")
    MessageAttachmentFactory(message=message, original_filename="notes.txt", content=TEXT, content_type="text/plain")

    data = cast.client_for(cast.caseworker).get(url(message.pk, cast.case.pk)).json()

    documents = Document.objects.filter(case=cast.case).order_by("id")
    assert [d.file_name for d in documents] == ["stub.pdf", "notes.txt"]
    assert [a["document_id"] for a in data["attachments"]] == [d.pk for d in documents]
    document = documents[0]
    attachment = MessageAttachment.objects.get(pk=data["attachments"][0]["id"])
    assert document.source == Document.Source.SECURE_MESSAGE_ATTACHMENT
    assert (document.application_id, document.applicant_user_id, document.uploaded_by_user_id) == (
        cast.case.application_id,
        cast.applicant.pk,
        cast.applicant.pk,
    )
    assert (document.origin_message_id, document.origin_attachment_id) == (message.pk, attachment.pk)
    # The document owns a copy of the file.
    assert document.file_path != attachment.file_path
    assert default_storage.open(document.file_path).read() == PDF
    assert MessageEvent.objects.filter(event_type="attachment_adopted", message_id=message.pk).count() == 2


@pytest.mark.django_db
def test_opening_three_times_makes_one_document_each(cast):
    message = MessageFactory(case=cast.case)
    MessageAttachmentFactory.create_batch(2, message=message)
    client = cast.client_for(cast.caseworker)
    files_after_first = None

    for _ in range(3):
        assert client.get(url(message.pk, cast.case.pk)).status_code == 200
        files_after_first = files_after_first or stored_files()

    assert Document.objects.filter(case=cast.case).count() == 2
    assert stored_files() == files_after_first
    assert MessageEvent.objects.filter(event_type="attachment_adopted").count() == 2


@pytest.mark.django_db
def test_repeat_opening_repairs_missing_metadata(cast):
    message = MessageFactory(case=cast.case)
    MessageAttachmentFactory.create_batch(2, message=message)
    client = cast.client_for(cast.caseworker)
    client.get(url(message.pk, cast.case.pk))
    MessageAttachment.objects.filter(message=message).update(case=None)
    Document.objects.filter(origin_message=message).update(case=None, application=None)

    client.get(url(message.pk, cast.case.pk))

    assert set(MessageAttachment.objects.filter(message=message).values_list("case_id", flat=True)) == {cast.case.pk}
    assert set(Document.objects.filter(origin_message=message).values_list("case_id", "application_id")) == {
        (cast.case.pk, cast.case.application_id)
    }
    assert Document.objects.count() == 2


@pytest.mark.django_db
def test_message_written_before_the_case_existed_is_repaired_when_adopted(cast):
    message = MessageFactory(case=None, application=cast.case.application)
    MessageAttachmentFactory.create_batch(2, message=message)

    response = cast.client_for(cast.caseworker).get(url(message.pk, cast.case.pk))

    assert response.status_code == 200
    message.refresh_from_db()
    assert message.case_id == cast.case.pk
    assert set(MessageAttachment.objects.filter(message=message).values_list("case_id", flat=True)) == {cast.case.pk}


@pytest.mark.django_db
def test_attachments_adopted_on_arrival_are_listed_and_repaired_never_copied_again(cast):
    message = message_send_from_applicant(
        applicant=cast.applicant,
        application=cast.case.application,
        subject="Stubs",
        body="Here",
        files=[upload("stub.pdf"), upload("notes.txt", TEXT, "text/plain")],
    )
    documents = list(Document.objects.filter(case=cast.case).order_by("id"))
    # Listing writes nothing but its access record (each look is logged: intake/tests/test_access_audit.py).
    changes = MessageEvent.objects.exclude(event_type__in=ACCESS_EVENT_TYPES)
    files_after_arrival, events_after_arrival = stored_files(), changes.count()
    client = cast.client_for(cast.caseworker)

    first = client.get(url(message.pk, cast.case.pk)).json()
    MessageAttachment.objects.filter(message=message).update(case=None)
    Document.objects.filter(origin_message=message).update(case=None, application=None)
    second = client.get(url(message.pk, cast.case.pk)).json()

    assert len(documents) == 2
    assert first["attachments"] == second["attachments"]
    assert [item["document_id"] for item in second["attachments"]] == [d.pk for d in documents]
    assert set(MessageAttachment.objects.filter(message=message).values_list("case_id", flat=True)) == {cast.case.pk}
    assert set(Document.objects.values_list("case_id", "application_id")) == {(cast.case.pk, cast.case.application_id)}
    assert stored_files() == files_after_arrival
    assert changes.count() == events_after_arrival


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "?case_id=", "?case_id=abc", "?case_id=-3", "?case_id=1.5"])
def test_missing_or_malformed_case_id_is_400(cast, query):
    message = MessageAttachmentFactory(message__case=cast.case).message

    response = cast.client_for(cast.caseworker).get(url(message.pk) + query)

    assert response.status_code == 400
    assert response.json()["error"] == "case_id_required"
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_case_id_of_another_case_is_404_even_for_a_supervisor(cast):
    message = MessageAttachmentFactory(message__case=cast.case).message
    other_case = CaseFactory()

    response = cast.client_for(cast.supervisor).get(url(message.pk, other_case.pk))

    assert response.status_code == 404
    assert not Document.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other_caseworker", "applicant", "other_applicant"])
def test_outsiders_get_404_and_adopt_nothing(cast, who):
    message = MessageAttachmentFactory(message__case=cast.case).message

    response = cast.client_for(getattr(cast, who)).get(url(message.pk, cast.case.pk))

    assert response.status_code == 404
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_anonymous_gets_401(cast):
    message = MessageAttachmentFactory(message__case=cast.case).message

    assert cast.client_for(None).get(url(message.pk, cast.case.pk)).status_code == 401


@pytest.mark.mysql
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_adoptions_make_one_document_each():
    from intake.tests.conftest import Cast

    cast = Cast()
    message = MessageFactory(case=cast.case)
    MessageAttachmentFactory.create_batch(2, message=message)
    files_before = stored_files()
    start = threading.Barrier(2)
    errors = []

    def adopt():
        # Each thread is a request of its own: its own connection, its own rows.
        try:
            case = case_for_staff(cast.caseworker, cast.case.pk)
            opened = case_message(case, message.pk)
            start.wait()
            attachments_adopt(staff_user=cast.caseworker, case=case, message=opened)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=adopt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Document.objects.filter(origin_message=message).count() == 2
    # The loser of the race removed its copy of each file.
    assert stored_files() - files_before == set(Document.objects.values_list("file_path", flat=True))
