"""Pages answer only the methods they serve (issue 15): GET and HEAD, and
POST where they have a form; anything else is 405 and changes nothing (before,
`OPTIONS /messages/<id>/` marked a message read). Only GET marks anything read."""

import pytest
from django.urls import reverse

from casework.models import StaffProfile
from casework.tests.factories import staff_user
from intake.models import Message, MessageEvent
from intake.tests.factories import DocumentFactory, MessageAttachmentFactory, MessageFactory, StaffMessageFactory

pytestmark = pytest.mark.django_db

UNSAFE = ["OPTIONS", "PUT", "PATCH", "DELETE", "TRACE"]


def call(client, method, url):
    return client.generic(method, url)


@pytest.mark.parametrize("method", UNSAFE)
def test_portal_pages_refuse_other_methods_and_mark_nothing_read(applicant_client, case, method):
    staff_message = StaffMessageFactory(case=case)
    attachment = MessageAttachmentFactory(message=staff_message)
    urls = [
        reverse("portal:inbox"),
        reverse("portal:compose"),
        reverse("portal:conversation", args=[case.application.pk]),
        reverse("portal:message_detail", args=[staff_message.pk]),
        reverse("portal:attachment_download", args=[staff_message.pk, attachment.pk]),
    ]

    responses = {url: call(applicant_client, method, url) for url in urls}

    assert {url: response.status_code for url, response in responses.items()} == {url: 405 for url in urls}
    assert "GET" in responses[urls[3]]["Allow"] and method not in responses[urls[3]]["Allow"]
    staff_message.refresh_from_db()
    assert staff_message.status == Message.Status.UNREAD
    assert not MessageEvent.objects.filter(event_type__in=["message_read", "attachment_downloaded"]).exists()


def test_inbox_answers_no_post(applicant_client):
    assert applicant_client.post(reverse("portal:inbox")).status_code == 405


def test_head_shows_nothing_so_reads_nothing(applicant_client, case):
    staff_message = StaffMessageFactory(case=case)

    message_page = applicant_client.head(reverse("portal:message_detail", args=[staff_message.pk]))
    conversation = applicant_client.head(reverse("portal:conversation", args=[case.application.pk]))

    assert (message_page.status_code, conversation.status_code) == (200, 200)
    staff_message.refresh_from_db()
    assert staff_message.status == Message.Status.UNREAD
    assert not MessageEvent.objects.filter(event_type="message_read").exists()


def test_a_get_still_marks_read(applicant_client, case):
    staff_message = StaffMessageFactory(case=case)

    applicant_client.get(reverse("portal:message_detail", args=[staff_message.pk]))

    staff_message.refresh_from_db()
    assert staff_message.status == Message.Status.READ


@pytest.mark.parametrize("method", UNSAFE)
def test_dashboard_pages_refuse_other_methods_and_change_nothing(client, case, method):
    message = MessageFactory(case=case)
    attachment = MessageAttachmentFactory(message=message)
    document = DocumentFactory(case=case)
    client.force_login(case.assigned_staff_profile.user)
    urls = [
        reverse("dashboard:queue"),
        reverse("dashboard:case_list"),
        reverse("dashboard:case_detail", args=[case.pk]),
        reverse("dashboard:message_detail", args=[case.pk, message.pk]),
        reverse("dashboard:message_withdraw", args=[case.pk, message.pk]),
        reverse("dashboard:attachment_download", args=[case.pk, message.pk, attachment.pk]),
        reverse("dashboard:document_download", args=[case.pk, document.pk]),
        reverse("dashboard:message_read_state", args=[case.pk, message.pk]),
        reverse("dashboard:case_no_reply_needed", args=[case.pk]),
        reverse("dashboard:case_urgency", args=[case.pk]),
        reverse("dashboard:case_claim", args=[case.pk]),
    ]

    statuses = {url: call(client, method, url).status_code for url in urls}

    assert statuses == {url: 405 for url in urls}
    message.refresh_from_db()
    assert message.status == Message.Status.UNREAD
    assert not MessageEvent.objects.exists()


@pytest.mark.parametrize("method", UNSAFE)
def test_supervisor_pages_refuse_other_methods(client, case, method):
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))
    urls = [
        reverse("dashboard:case_assign", args=[case.pk]),
        reverse("dashboard:application_detail", args=[case.application.pk]),
        reverse("dashboard:application_open_case", args=[case.application.pk]),
    ]

    assert {url: call(client, method, url).status_code for url in urls} == {url: 405 for url in urls}
