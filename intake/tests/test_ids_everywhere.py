"""One id rule on every way in: URL paths, query strings, JSON bodies and the
purge command. Each malformed spelling of an id that *exists* is refused
(404; 400 for the required `case_id` query parameter), never a 500 and never
the row it resembles."""

import json
import urllib.parse

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from intake.models import Message
from intake.tests.factories import MessageAttachmentFactory, StaffMessageFactory

pytestmark = pytest.mark.django_db

# How `42` can be misspelled: each was accepted (or crashed) before the rule.
SPELLINGS = ["0{}", " {}", "+{}", "{}_0", "{}.0", "١", "²", "2147483648"]


def spelled(pattern, number):
    return pattern.format(number)


def quoted(text):
    return urllib.parse.quote(text, safe="")


@pytest.mark.parametrize("pattern", SPELLINGS)
def test_dashboard_paths_refuse_misspelled_ids(cast, client, pattern):
    message = StaffMessageFactory(case=cast.case)
    client.force_login(cast.supervisor)
    case_id, message_id = quoted(spelled(pattern, cast.case.pk)), quoted(spelled(pattern, message.pk))

    assert client.get(f"/dashboard/cases/{cast.case.pk}/").status_code == 200
    assert client.get(f"/dashboard/cases/{case_id}/").status_code == 404
    assert client.get(f"/dashboard/cases/{cast.case.pk}/messages/{message_id}/").status_code == 404
    assert client.get(f"/dashboard/cases/{case_id}/messages/{message.pk}/withdraw/").status_code == 404


@pytest.mark.parametrize("pattern", SPELLINGS)
def test_portal_paths_refuse_misspelled_ids(cast, pattern):
    attachment = MessageAttachmentFactory(message=StaffMessageFactory(case=cast.case))
    message = attachment.message
    client = cast.client_for(cast.applicant)
    message_id = quoted(spelled(pattern, message.pk))

    assert client.get(f"/messages/{message.pk}/").status_code == 200
    assert client.get(f"/messages/{message_id}/").status_code == 404
    assert client.get(f"/messages/{message.pk}/attachments/{quoted(spelled(pattern, attachment.pk))}/").status_code == 404
    message.refresh_from_db()
    assert message.status == Message.Status.READ


@pytest.mark.parametrize("pattern", SPELLINGS)
def test_api_paths_refuse_misspelled_ids_in_json(cast, pattern):
    message = StaffMessageFactory(case=cast.case)
    applicant, staff = cast.client_for(cast.applicant), cast.client_for(cast.caseworker)

    responses = [
        applicant.get(f"/api/messages/{quoted(spelled(pattern, message.pk))}"),
        staff.get(f"/api/cases/{quoted(spelled(pattern, cast.case.pk))}/messages"),
        staff.get(f"/api/admin/messages/{quoted(spelled(pattern, message.pk))}/attachments?case_id={cast.case.pk}"),
    ]

    for response in responses:
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"
    message.refresh_from_db()
    assert message.status == Message.Status.UNREAD


@pytest.mark.parametrize("pattern", SPELLINGS)
def test_required_case_id_query_parameter_misspelled_is_400(cast, pattern):
    message = StaffMessageFactory(case=cast.case)
    client = cast.client_for(cast.caseworker)
    path = f"/api/admin/messages/{message.pk}/attachments?case_id="

    assert client.get(path + str(cast.case.pk)).status_code == 200
    response = client.get(path + quoted(spelled(pattern, cast.case.pk)))

    assert response.status_code == 400
    assert response.json()["error"] == "case_id_required"


@pytest.mark.parametrize("pattern", SPELLINGS)
def test_reply_to_in_a_json_body_misspelled_is_404_and_sends_nothing(cast, pattern):
    parent = StaffMessageFactory(case=cast.case)
    client = cast.client_for(cast.caseworker)
    body = {"subject": "Re", "body": "Answer", "reply_to": spelled(pattern, parent.pk)}

    response = client.post(f"/api/cases/{cast.case.pk}/messages", json.dumps(body), content_type="application/json")

    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert Message.objects.count() == 1


@pytest.mark.parametrize("value", [True, 1.0, [1], {"id": 1}])
def test_reply_to_that_is_not_an_id_at_all_is_404(cast, value):
    parent = StaffMessageFactory(case=cast.case)
    client = cast.client_for(cast.caseworker)
    body = {"subject": "Re", "body": "Answer", "reply_to": value}

    response = client.post(f"/api/cases/{cast.case.pk}/messages", json.dumps(body), content_type="application/json")

    assert response.status_code == 404
    assert Message.objects.get() == parent


def test_reply_to_as_digits_text_or_number_is_accepted(cast):
    parent = StaffMessageFactory(case=cast.case)
    client = cast.client_for(cast.caseworker)
    path = f"/api/cases/{cast.case.pk}/messages"

    for reply_to in (parent.pk, str(parent.pk)):
        body = {"subject": "Re", "body": "Answer", "reply_to": reply_to}
        assert client.post(path, json.dumps(body), content_type="application/json").status_code == 201

    assert Message.objects.filter(reply_to=parent).count() == 2


@pytest.mark.parametrize("pattern", SPELLINGS)
@pytest.mark.parametrize("option", ["--case", "--application"])
def test_purge_refuses_misspelled_ids_as_a_usage_error(cast, option, pattern):
    StaffMessageFactory(case=cast.case)
    number = cast.case.pk if option == "--case" else cast.case.application_id

    with pytest.raises(CommandError) as refused:
        call_command("purge", option, spelled(pattern, number), "--yes")

    assert "is not an id" in str(refused.value)
    assert Message.objects.count() == 1


def test_reverse_builds_paths_the_converter_accepts(cast):
    message = StaffMessageFactory(case=cast.case)

    assert reverse("dashboard:message_detail", args=[cast.case.pk, message.pk]) == (
        f"/dashboard/cases/{cast.case.pk}/messages/{message.pk}/"
    )
