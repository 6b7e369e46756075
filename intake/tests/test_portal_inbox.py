"""The applicant inbox, /messages/: one row per conversation (application),
read from the conversation summary."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models import User
from casework.tests.factories import ApplicantFactory, ApplicationFactory, CaseFactory, SubmissionFactory
from intake.models import Message
from intake.services.handling import conversation_no_reply_needed
from intake.tests.factories import MessageFactory, StaffMessageFactory

pytestmark = pytest.mark.django_db

INBOX = reverse("portal:inbox")


def conversation_url(application):
    return reverse("portal:conversation", args=[application.pk])


def rows(page):
    """The table rows of the inbox, in order (header row excluded)."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [row for row in body.split("<tr")[1:]]


def second_application_of(applicant, program="Carpentry pre-apprenticeship", **submission):
    return ApplicationFactory(
        submission=SubmissionFactory(user=applicant, intake_payload={"program": program}, **submission)
    )


def test_lists_conversation_with_reference_program_latest_subject_and_unread(applicant_client, case):
    StaffMessageFactory(case=case, subject="Documents needed")

    page = applicant_client.get(INBOX).content.decode()

    assert "Documents needed" in page
    assert case.application.submission.reference_number in page
    assert "ISET" in page  # the program the intake names
    assert "submitted " in page
    assert '<span class="badge badge--unread">1 unread</span>' in page
    assert "New message" in page
    assert conversation_url(case.application) in page


def test_one_row_per_conversation_showing_its_latest_message(applicant_client, case):
    old = timezone.now() - timedelta(days=2)
    MessageFactory(case=case, subject="My first question", created_at=old)
    StaffMessageFactory(case=case, subject="Our answer", status=Message.Status.READ)

    page = applicant_client.get(INBOX).content.decode()

    assert len(rows(page)) == 1
    assert "Our answer" in page
    assert "My first question" not in page
    assert '<td data-label="Messages">\n              2' in page


def test_unread_count_shown_in_header(applicant_client, case):
    StaffMessageFactory.create_batch(2, case=case)

    page = applicant_client.get(INBOX).content.decode()

    assert "2 unread" in page


def test_read_answer_is_answered_without_unread_marker(applicant_client, case):
    MessageFactory(case=case, created_at=timezone.now() - timedelta(hours=1))
    StaffMessageFactory(case=case, status=Message.Status.READ)

    page = applicant_client.get(INBOX).content.decode()

    assert "badge--unread" not in page
    assert "Answered" in page


def test_own_unanswered_message_is_waiting_for_the_case_team(applicant_client, case):
    MessageFactory(case=case, recipient=None, subject="My question")

    page = applicant_client.get(INBOX).content.decode()

    assert "My question" in page
    assert "Waiting for the case team" in page
    assert "badge--unread" not in page


def test_a_message_marked_no_reply_needed_reads_as_read_not_answered(applicant_client, case):
    # A "thank you" after the team's answer: the team marks it handled without a reply.
    StaffMessageFactory(case=case, status=Message.Status.READ, created_at=timezone.now() - timedelta(hours=2))
    MessageFactory(case=case, recipient=None, subject="Thank you")
    conversation_no_reply_needed(staff_user=case.assigned_staff_profile.user, application=case.application)

    [row] = rows(applicant_client.get(INBOX).content.decode())

    assert '<span class="badge badge--status-read">Read by the case team</span>' in row
    assert "Answered" not in row and "Waiting for the case team" not in row
    [thread] = applicant_client.get(reverse("api:me_threads")).json()["results"]
    assert thread["status"] == "read"


def test_message_written_before_the_case_existed_is_in_the_same_conversation(applicant_client, case):
    MessageFactory(case=None, application=case.application, recipient=None, created_at=timezone.now() - timedelta(1))
    StaffMessageFactory(case=case, subject="Now with a case")

    page = applicant_client.get(INBOX).content.decode()

    assert len(rows(page)) == 1
    assert '<td data-label="Messages">\n              2' in page


def test_two_applications_are_two_conversations_newest_activity_first(applicant_client, applicant, case):
    second = second_application_of(applicant)
    StaffMessageFactory(case=case, subject="About the first", created_at=timezone.now() - timedelta(days=1))
    MessageFactory(case=None, application=second, recipient=None, subject="About the second")

    page = applicant_client.get(INBOX).content.decode()

    assert len(rows(page)) == 2
    assert page.index("About the second") < page.index("About the first")
    assert "Carpentry pre-apprenticeship" in page


def test_filter_by_application(applicant_client, applicant, case):
    second = second_application_of(applicant)
    StaffMessageFactory(case=case, subject="About the first")
    MessageFactory(case=None, application=second, recipient=None, subject="About the second")

    page = applicant_client.get(INBOX, {"application": second.pk}).content.decode()

    assert "About the second" in page
    assert "About the first" not in page
    assert f'<option value="{second.pk}" selected>' in page
    assert f"Your conversation about application {second.submission.reference_number}" in page


def test_filter_on_an_application_without_messages_offers_to_write(applicant_client, applicant, case):
    second = second_application_of(applicant)
    StaffMessageFactory(case=case)

    page = applicant_client.get(INBOX, {"application": second.pk}).content.decode()

    assert f"There are no messages about application {second.submission.reference_number} yet." in page
    assert conversation_url(second) in page


def test_filter_is_offered_only_with_more_than_one_application(applicant_client, case):
    StaffMessageFactory(case=case)

    page = applicant_client.get(INBOX).content.decode()

    assert 'name="application"' not in page


@pytest.mark.parametrize("value", ["01", "abc", "-1", "1.0", "2147483648"])
def test_malformed_application_filter_is_404(applicant_client, case, value):
    assert applicant_client.get(INBOX, {"application": value}).status_code == 404


def test_filter_on_another_applicants_application_is_404(applicant_client, case):
    other = MessageFactory(case=CaseFactory(), subject="Not yours")

    response = applicant_client.get(INBOX, {"application": other.case.application_id})

    assert response.status_code == 404
    assert b"Not yours" not in response.content


def test_newest_activity_first_and_paginated_by_25(applicant_client, applicant, case):
    start = timezone.now() - timedelta(days=40)
    for number in range(30):
        application = second_application_of(applicant, program=f"Program {number:02d}")
        MessageFactory(case=None, application=application, created_at=start + timedelta(days=number))

    first = applicant_client.get(INBOX).content.decode()
    second = applicant_client.get(INBOX, {"page": 2}).content.decode()

    assert first.index("Program 29") < first.index("Program 28")
    assert "Program 05" in first and "Program 04" not in first
    assert "Program 04" in second and "Program 00" in second
    assert "Page 1 of 2" in first


def test_withdrawn_latest_message_shows_only_the_notice_subject(applicant_client, case):
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


def test_other_applicants_conversations_are_not_listed(client, case):
    StaffMessageFactory(case=case, subject="Not for you")
    client.force_login(ApplicationFactory().submission.user)

    page = client.get(INBOX).content.decode()

    assert "Not for you" not in page
    assert case.application.submission.reference_number not in page


def test_caseworker_sees_no_applicant_conversations(client, case):
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
    assert "Nouveau message" in page
    assert "1 non lu" in page


@pytest.mark.parametrize("count", [1, 50])
def test_query_count_does_not_grow_with_conversations(applicant_client, applicant, case, django_assert_num_queries, count):
    StaffMessageFactory(case=case)
    for number in range(count - 1):
        MessageFactory(case=None, application=second_application_of(applicant, program=f"Program {number}"))

    # session, user, the applicant's applications (filter and "can write"),
    # paginator count, the page of conversations (with application, submission,
    # latest message), unread count (header)
    with django_assert_num_queries(6):
        response = applicant_client.get(INBOX)

    assert response.status_code == 200
    assert len(rows(response.content.decode())) == min(count, 25)
