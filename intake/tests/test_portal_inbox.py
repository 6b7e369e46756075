"""The applicant inbox, /messages/."""

import pytest
from django.urls import reverse

from casework.models import User
from casework.tests.factories import ApplicantFactory, ApplicationFactory
from intake.models import Message
from intake.tests.factories import MessageAttachmentFactory, MessageFactory, StaffMessageFactory

pytestmark = pytest.mark.django_db

INBOX = reverse("portal:inbox")


def test_lists_message_with_booking_reference_and_unread_marker(applicant_client, case):
    StaffMessageFactory(case=case, subject="Documents needed")

    page = applicant_client.get(INBOX).content.decode()

    assert "Documents needed" in page
    assert case.application.submission.reference_number in page
    assert '<span class="badge badge--unread">Unread</span>' in page
    assert case.assigned_staff_profile.display_name in page


def test_unread_count_shown_in_header(applicant_client, case):
    StaffMessageFactory.create_batch(2, case=case)

    page = applicant_client.get(INBOX).content.decode()

    assert "2 unread" in page


def test_read_message_has_no_unread_marker(applicant_client, case):
    StaffMessageFactory(case=case, status=Message.Status.READ)

    page = applicant_client.get(INBOX).content.decode()

    assert "badge--unread" not in page


def test_own_sent_message_marked_as_sent_to_case_team(applicant_client, case):
    MessageFactory(case=case, recipient=None, subject="My question")

    page = applicant_client.get(INBOX).content.decode()

    assert "My question" in page
    assert '<span class="badge">Sent</span>' in page
    assert "to Case team" in page
    assert "badge--unread" not in page


def test_newest_first_and_paginated_by_25(applicant_client, case):
    for number in range(30):
        StaffMessageFactory(case=case, subject=f"Message number {number:02d}")

    first = applicant_client.get(INBOX).content.decode()
    second = applicant_client.get(INBOX, {"page": 2}).content.decode()

    assert first.index("Message number 29") < first.index("Message number 28")
    assert "Message number 05" in first and "Message number 04" not in first
    assert "Message number 04" in second and "Message number 00" in second
    assert "Page 1 of 2" in first


def test_urgent_and_attachment_count_shown(applicant_client, case):
    MessageAttachmentFactory.create_batch(2, message=StaffMessageFactory(case=case, urgent=True))

    page = applicant_client.get(INBOX).content.decode()

    assert '<span class="badge badge--urgent">Urgent</span>' in page
    assert '<td data-label="Attachments">2</td>' in page


def test_withdrawn_message_shows_only_the_notice_subject(applicant_client, case):
    StaffMessageFactory(case=case, subject="Secret subject", deleted=True)

    page = applicant_client.get(INBOX).content.decode()

    assert "Secret subject" not in page
    assert "Message withdrawn" in page


def test_empty_state_for_applicant_with_a_submission(applicant_client):
    page = applicant_client.get(INBOX).content.decode()

    assert "You have no messages yet." in page
    assert reverse("portal:compose") in page


def test_applicant_without_submission_is_told_why_they_cannot_write(client):
    client.force_login(ApplicantFactory())

    page = client.get(INBOX).content.decode()

    assert "once you have submitted an application" in page
    assert 'class="button" href="/messages/new/"' not in page


def test_other_applicants_messages_are_not_listed(client, case):
    StaffMessageFactory(case=case, subject="Not for you")
    client.force_login(ApplicationFactory().submission.user)

    page = client.get(INBOX).content.decode()

    assert "Not for you" not in page


def test_caseworker_sees_no_applicant_messages(client, case):
    StaffMessageFactory(case=case, subject="Applicant only")
    client.force_login(case.assigned_staff_profile.user)

    page = client.get(INBOX).content.decode()

    assert "Applicant only" not in page


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(INBOX)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={INBOX}"


def test_subject_payload_is_escaped(applicant_client, case):
    StaffMessageFactory(case=case, subject="<script>alert(1)</script>")

    page = applicant_client.get(INBOX).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_french_inbox(applicant_client, case):
    User.objects.filter(pk=case.application.submission.user_id).update(preferred_language="fr")
    StaffMessageFactory(case=case)

    page = applicant_client.get(INBOX).content.decode()

    assert "Numéro de référence" in page
    assert "Non lu" in page


@pytest.mark.parametrize("count", [1, 50])
def test_query_count_does_not_grow_with_messages(applicant_client, case, django_assert_num_queries, count):
    for number in range(count):
        StaffMessageFactory(case=case, subject=f"Message {number}")

    # session, user, inbox count (paginator), inbox page (with sender/recipient
    # profiles, booking reference, attachment count), "can write" (exists),
    # unread count (header)
    with django_assert_num_queries(6):
        response = applicant_client.get(INBOX)

    assert response.status_code == 200
