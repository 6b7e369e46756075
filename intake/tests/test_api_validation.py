"""The JSON API checks message text by the same rules as the pages' forms
(intake.validators): what a form refuses, the API refuses with a 400 JSON
error, and nothing is stored. Input the parser cannot take is a 400 too."""

import json

import pytest

from intake.forms.dashboard import CaseMessageForm
from intake.models import Message

pytestmark = pytest.mark.django_db

NOT_TEXT = ["\x00", "\ud800", "\udfff", "\x07", "\x1b[31m"]


def post_json(client, case, data):
    return client.post(f"/api/cases/{case.pk}/messages", json.dumps(data), content_type="application/json")


@pytest.mark.parametrize("field", ["subject", "body"])
@pytest.mark.parametrize("bad", NOT_TEXT)
def test_api_refuses_what_is_not_text(cast, field, bad):
    data = {"subject": "Your file", "body": "Please call us."}
    data[field] = f"before{bad}after"

    response = post_json(cast.client_for(cast.caseworker), cast.case, data)

    assert response.status_code == 400
    assert response.json()["error"] == f"{field}_invalid_characters"
    assert not Message.objects.exists()


@pytest.mark.parametrize("field", ["subject", "body"])
@pytest.mark.parametrize("bad", NOT_TEXT)
def test_the_pages_form_refuses_the_same_text(field, bad):
    data = {"subject": "Your file", "body": "Please call us."}
    data[field] = f"before{bad}after"

    form = CaseMessageForm(data)

    assert not form.is_valid()
    assert list(form.errors) == [field]


def test_tabs_and_line_breaks_are_text(cast):
    response = post_json(
        cast.client_for(cast.caseworker), cast.case, {"subject": "Plan\tA", "body": "Line one\r\nLine two\n\tIndented"}
    )

    assert response.status_code == 201
    assert Message.objects.get().body == "Line one\r\nLine two\n\tIndented"


def test_deeply_nested_json_is_a_400_not_a_crash(cast):
    depth = 100_000
    body = '{"subject": "s", "body": ' + "[" * depth + "]" * depth + "}"

    response = cast.client_for(cast.caseworker).post(
        f"/api/cases/{cast.case.pk}/messages", body, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_json"
    assert not Message.objects.exists()


def test_nested_value_where_text_belongs_is_refused_by_name(cast):
    response = post_json(cast.client_for(cast.caseworker), cast.case, {"subject": {"a": ["b"]}, "body": "x"})

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_field"


def test_unknown_api_path_answers_json_404(cast):
    response = cast.client_for(cast.caseworker).get("/api/no-such-thing")

    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
