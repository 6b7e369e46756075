"""GET/POST /api/cases/<id>/messages (staff)."""

import json

import pytest
from django.core import mail

from intake.models import Message
from intake.services.sending import message_send_from_applicant, message_send_to_case
from intake.tests.factories import MessageAttachmentFactory, MessageFactory, StaffMessageFactory
from intake.tests.helpers import upload

pytestmark = pytest.mark.django_db


def url(case_id):
    return f"/api/cases/{case_id}/messages"


def post_json(client, path, data):
    return client.post(path, json.dumps(data), content_type="application/json")


def test_post_creates_a_message_to_the_applicant(cast):
    client = cast.client_for(cast.caseworker)

    response = post_json(client, url(cast.case.pk), {"subject": "Your file", "body": "Please call us.", "urgent": True})

    assert response.status_code == 201
    data = response.json()
    message = Message.objects.get(pk=data["id"])
    assert message.recipient_id == cast.applicant.pk
    assert data["recipient"]["user_id"] == cast.applicant.pk
    assert data["tracking_id"] == cast.case.application.submission.reference_number
    assert data["urgent"] is True
    assert "body" not in data


@pytest.mark.parametrize("field", ["recipient_id", "recipient", "recipient_email", "to", "sender_id"])
def test_recipient_fields_cannot_reroute(cast, field):
    client = cast.client_for(cast.caseworker)
    target = cast.other_applicant

    response = post_json(
        client, url(cast.case.pk), {"subject": "s", "body": "b", field: target.email if "email" in field else target.pk}
    )

    assert response.status_code == 400
    assert response.json()["error"] == "recipient_not_allowed"
    assert not Message.objects.filter(recipient=target).exists()
    assert not Message.objects.exists()


def test_multipart_post_with_files(cast):
    client = cast.client_for(cast.caseworker)

    response = client.post(
        url(cast.case.pk), {"subject": "Forms", "body": "Attached.", "attachments": [upload("form.pdf")]}
    )

    assert response.status_code == 201
    assert response.json()["attachment_count"] == 1


def test_multipart_recipient_field_is_refused_too(cast):
    client = cast.client_for(cast.caseworker)

    response = client.post(url(cast.case.pk), {"subject": "s", "body": "b", "recipient_id": cast.other_applicant.pk})

    assert response.status_code == 400
    assert not Message.objects.exists()


def test_reply_to_another_cases_message_is_409(cast):
    other_case_message = StaffMessageFactory(case=cast.other_caseworker.staff_profile.assigned_cases.get())
    client = cast.client_for(cast.caseworker)

    response = post_json(client, url(cast.case.pk), {"subject": "s", "body": "b", "reply_to": other_case_message.pk})

    assert response.status_code == 409
    assert response.json()["error"] == "reply_to_other_case"
    assert Message.objects.count() == 1


def test_reply_to_a_missing_message_gets_the_same_answer_as_another_cases(cast):
    # No probing: whether the id exists elsewhere or not at all, the answer is the same.
    other_case_message = StaffMessageFactory(case=cast.other_caseworker.staff_profile.assigned_cases.get())
    client = cast.client_for(cast.caseworker)

    elsewhere = post_json(client, url(cast.case.pk), {"subject": "s", "body": "b", "reply_to": other_case_message.pk})
    missing = post_json(client, url(cast.case.pk), {"subject": "s", "body": "b", "reply_to": 999999})

    assert (missing.status_code, missing.json()) == (elsewhere.status_code, elsewhere.json())
    assert missing.json()["error"] == "reply_to_other_case"
    assert Message.objects.count() == 1


def test_reply_to_a_message_of_the_thread_marks_it_replied(cast):
    question = MessageFactory(case=cast.case)

    response = post_json(
        cast.client_for(cast.caseworker), url(cast.case.pk), {"subject": "Re", "body": "b", "reply_to": question.pk}
    )

    assert response.status_code == 201
    assert response.json()["reply_to_id"] == question.pk
    question.refresh_from_db()
    assert question.status == Message.Status.REPLIED


@pytest.mark.parametrize(
    "payload, status, code",
    [
        ({"subject": "", "body": "b"}, 400, "subject_required"),
        ({"subject": "s"}, 400, "body_required"),
        ({"subject": ["s"], "body": "b"}, 400, "invalid_field"),
    ],
)
def test_bad_input_is_a_json_error(cast, payload, status, code):
    response = post_json(cast.client_for(cast.caseworker), url(cast.case.pk), payload)

    assert response.status_code == status
    assert response.json()["error"] == code
    assert response.json()["message"]


def test_malformed_json_is_400(cast):
    response = cast.client_for(cast.caseworker).post(url(cast.case.pk), "{nope", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_json"


def test_oversize_file_is_413(cast):
    response = cast.client_for(cast.caseworker).post(
        url(cast.case.pk),
        {"subject": "s", "body": "b", "attachments": [upload("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))]},
    )

    assert response.status_code == 413
    assert response.json()["error"] == "file_too_large"


def test_every_bad_file_is_listed_in_problems(cast):
    response = cast.client_for(cast.caseworker).post(
        url(cast.case.pk),
        {"subject": "s", "body": "b", "attachments": [upload("a.pdf", b"MZ" + b"\x00" * 60), upload("ok.pdf"), upload("b.pdf", b"")]},
    )

    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "unsupported_type"
    assert [(problem["error"], problem["message"][:7]) for problem in body["problems"]] == [
        ("unsupported_type", "“a.pdf”"),
        ("empty_file", "“b.pdf”"),
    ]
    assert not Message.objects.exists()


def test_a_single_problem_has_no_problems_list(cast):
    response = cast.client_for(cast.caseworker).post(
        url(cast.case.pk), {"subject": "s", "body": "b", "attachments": [upload("b.pdf", b"")]}
    )

    assert response.json() == {"error": "empty_file", "message": "“b.pdf” is empty."}


def test_post_needs_a_csrf_token(cast):
    client = cast.client_for(cast.caseworker)
    client.handler.enforce_csrf_checks = True

    response = post_json(client, url(cast.case.pk), {"subject": "s", "body": "b"})

    assert response.status_code == 403
    assert response.json()["error"] == "csrf_failed"
    assert not Message.objects.exists()


def test_get_lists_the_thread_oldest_first_without_bodies(cast):
    first = message_send_to_case(staff_user=cast.caseworker, case=cast.case, subject="First", body="secret one")
    second = message_send_from_applicant(applicant=cast.applicant, reply_to=first, subject="Re", body="secret two")

    response = cast.client_for(cast.caseworker).get(url(cast.case.pk))

    data = response.json()
    assert [item["id"] for item in data["results"]] == [first.pk, second.pk]
    assert data["count"] == 2
    item = data["results"][1]
    assert set(item) == {
        "id",
        "case_id",
        "application_id",
        "tracking_id",
        "direction",
        "sender",
        "recipient",
        "subject",
        "status",
        "urgent",
        "due_date",
        "withdrawn",
        "reply_to_id",
        "created_at",
        "read_at",
        "attachment_count",
    }
    assert item["sender"] == {"user_id": cast.applicant.pk, "name": cast.applicant.full_name, "role": "applicant"}
    assert item["recipient"]["role"] == "caseworker"
    assert "secret" not in response.content.decode()


def test_get_is_paginated(cast):
    StaffMessageFactory.create_batch(51, case=cast.case)
    client = cast.client_for(cast.caseworker)

    page2 = client.get(url(cast.case.pk) + "?page=2").json()

    assert (page2["count"], page2["num_pages"], page2["page"], len(page2["results"])) == (51, 2, 2, 1)
    assert client.get(url(cast.case.pk) + "?page=3").status_code == 404
    assert client.get(url(cast.case.pk) + "?page=abc").status_code == 404


def test_thread_query_count_is_the_same_for_1_and_50_messages(cast, django_assert_num_queries):
    client = cast.client_for(cast.caseworker)
    MessageAttachmentFactory(message=StaffMessageFactory(case=cast.case))

    # session, user+role, case with its joins, count, page of messages, the
    # access log's INSERT (case viewed through the API)
    with django_assert_num_queries(6):
        assert len(client.get(url(cast.case.pk)).json()["results"]) == 1

    MessageFactory.create_batch(49, case=cast.case)

    with django_assert_num_queries(6):
        assert len(client.get(url(cast.case.pk)).json()["results"]) == 50


@pytest.mark.parametrize("who", ["other_caseworker", "applicant", "other_applicant"])
def test_outsiders_get_404(cast, who):
    client = cast.client_for(getattr(cast, who))

    assert client.get(url(cast.case.pk)).status_code == 404
    assert post_json(client, url(cast.case.pk), {"subject": "s", "body": "b"}).status_code == 404
    assert not Message.objects.exists()
    assert not mail.outbox


def test_anonymous_visitor_gets_401(cast):
    client = cast.client_for(None)

    assert client.get(url(cast.case.pk)).status_code == 401
    assert post_json(client, url(cast.case.pk), {"subject": "s", "body": "b"}).status_code == 401
    assert not Message.objects.exists()


def test_supervisor_may_read_any_case(cast):
    assert cast.client_for(cast.supervisor).get(url(cast.case.pk)).status_code == 200


@pytest.mark.parametrize("case_id", ["0", "-1", "abc", "99999999999999999999", "1.5"])
def test_malformed_ids_are_404_not_500(cast, case_id):
    response = cast.client_for(cast.supervisor).get(url(case_id))

    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_other_methods_are_405(cast):
    response = cast.client_for(cast.caseworker).delete(url(cast.case.pk))

    assert response.status_code == 405
