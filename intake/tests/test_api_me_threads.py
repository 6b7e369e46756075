"""GET /api/me/threads: the applicant's conversations as JSON."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.tests.factories import ApplicationFactory, SubmissionFactory
from intake.models import Message
from intake.tests.factories import MessageFactory, StaffMessageFactory

pytestmark = pytest.mark.django_db

THREADS = reverse("api:me_threads")


def test_lists_conversations_with_the_documented_fields(applicant_client, applicant, case):
    StaffMessageFactory(case=case, subject="Older", created_at=timezone.now() - timedelta(days=1))
    latest = StaffMessageFactory(case=case, subject="Documents needed")
    second = ApplicationFactory(submission=SubmissionFactory(user=applicant, intake_payload={"program": "Welding"}))
    mine = MessageFactory(case=None, application=second, recipient=None, created_at=timezone.now() - timedelta(days=2))

    data = applicant_client.get(THREADS).json()

    assert data["count"] == 2 and data["page"] == 1 and data["num_pages"] == 1
    first, other = data["results"]
    assert first == {
        "application_id": case.application_id,
        "case_id": case.pk,
        "tracking_id": case.application.submission.reference_number,
        "application_label": "ISET",
        "submitted_at": case.application.submission.submitted_at.isoformat(),
        "subject": "Documents needed",
        "last_message_id": latest.pk,
        "last_message_at": Message.objects.get(pk=latest.pk).created_at.isoformat(),
        "message_count": 2,
        "unread_count": 2,
        "status": "new_message",
        "url": reverse("portal:conversation", args=[case.application_id]),
    }
    assert other["application_id"] == second.pk and other["case_id"] is None
    assert other["application_label"] == "Welding"
    assert other["last_message_id"] == mine.pk
    assert other["unread_count"] == 0 and other["status"] == "waiting"


def test_answered_status_and_withdrawn_subject(applicant_client, case):
    MessageFactory(case=case, created_at=timezone.now() - timedelta(hours=2))
    StaffMessageFactory(case=case, subject="Secret", status=Message.Status.READ, deleted=True)

    (thread,) = applicant_client.get(THREADS).json()["results"]

    assert thread["status"] == "answered"
    assert thread["subject"] == "Message withdrawn"


def test_filter_by_application(applicant_client, applicant, case):
    StaffMessageFactory(case=case)
    second = ApplicationFactory(submission=SubmissionFactory(user=applicant))
    MessageFactory(case=None, application=second, recipient=None)

    data = applicant_client.get(THREADS, {"application": second.pk}).json()

    assert [thread["application_id"] for thread in data["results"]] == [second.pk]


def test_reading_through_the_api_does_not_mark_anything_read(applicant_client, case):
    message = StaffMessageFactory(case=case)

    applicant_client.get(THREADS)

    assert Message.objects.get(pk=message.pk).status == Message.Status.UNREAD


def test_only_the_applicants_own_conversations(cast):
    StaffMessageFactory(case=cast.case, subject="Private")

    data = cast.client_for(cast.other_applicant).get(THREADS).json()

    assert data["count"] == 0 and data["results"] == []


@pytest.mark.parametrize("who", ["caseworker", "other_caseworker", "supervisor"])
def test_staff_get_404(cast, who):
    StaffMessageFactory(case=cast.case)

    response = cast.client_for(getattr(cast, who)).get(THREADS)

    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_anonymous_gets_401(client):
    response = client.get(THREADS)

    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


def test_filter_on_another_applicants_application_is_404(cast):
    StaffMessageFactory(case=cast.case)

    response = cast.client_for(cast.other_applicant).get(THREADS, {"application": cast.case.application_id})

    assert response.status_code == 404


@pytest.mark.parametrize("value", ["01", "x", "1.5"])
def test_malformed_filter_is_404(applicant_client, case, value):
    assert applicant_client.get(THREADS, {"application": value}).status_code == 404


@pytest.mark.parametrize("page", ["0", "2", "abc"])
def test_page_out_of_range_is_404(applicant_client, case, page):
    StaffMessageFactory(case=case)

    assert applicant_client.get(THREADS, {"page": page}).status_code == 404


def test_post_is_405(applicant_client):
    response = applicant_client.post(THREADS)

    assert response.status_code == 405
    assert response["Allow"] == "GET"


@pytest.mark.parametrize("count", [1, 50])
def test_query_count_does_not_grow_with_conversations(applicant_client, applicant, case, django_assert_num_queries, count):
    StaffMessageFactory(case=case)
    for _ in range(count - 1):
        MessageFactory(case=None, application=ApplicationFactory(submission=SubmissionFactory(user=applicant)))

    # session, user (with its staff profile, if any), count, the page of
    # conversations (with application, submission and latest message)
    with django_assert_num_queries(4):
        data = applicant_client.get(THREADS).json()

    assert len(data["results"]) == count
