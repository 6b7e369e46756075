"""An urgent message may say by when the applicant should act (issue 16): the
caseworker gives a due date with an urgent message; both sides see it, and
the applicant's page says what to do and by when."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from common.errors import InvalidInput
from intake.models import Message
from intake.services.sending import message_send_to_case

pytestmark = pytest.mark.django_db


def in_days(days):
    return timezone.localdate() + timedelta(days=days)


def shown(day):
    return formats.date_format(day, "DATE_FORMAT")


def test_the_service_keeps_a_due_date_with_an_urgent_message(cast):
    due = in_days(5)

    message = message_send_to_case(
        staff_user=cast.caseworker, case=cast.case, subject="Pay stub", body="Send it.", urgent=True, due_date=due
    )

    assert Message.objects.get(pk=message.pk).due_date == due


@pytest.mark.parametrize(
    "urgent, due, code",
    [(False, in_days(3), "due_date_without_urgent"), (True, in_days(-1), "due_date_past")],
)
def test_a_due_date_needs_urgency_and_a_day_not_past(cast, urgent, due, code):
    with pytest.raises(InvalidInput) as refused:
        message_send_to_case(
            staff_user=cast.caseworker, case=cast.case, subject="s", body="b", urgent=urgent, due_date=due
        )

    assert (refused.value.code, refused.value.field) == (code, "due_date")
    assert not Message.objects.exists()


def test_today_is_a_due_date_that_has_not_passed(cast):
    message = message_send_to_case(
        staff_user=cast.caseworker, case=cast.case, subject="s", body="b", urgent=True, due_date=in_days(0)
    )

    assert message.due_date == in_days(0)


def test_the_caseworker_sets_it_and_both_sides_see_it(cast):
    due = in_days(4)
    staff = cast.client_for(cast.caseworker)

    response = staff.post(
        reverse("dashboard:case_detail", args=[cast.case.pk]),
        {"subject": "Pay stub", "body": "Please send it.", "urgent": "on", "due_date": due.isoformat()},
    )

    message = Message.objects.get()
    assert response.status_code == 302
    assert message.due_date == due
    staff_page = staff.get(reverse("dashboard:message_detail", args=[cast.case.pk, message.pk])).content.decode()
    assert f'<dt>Due date</dt><dd><time datetime="{due.isoformat()}">{shown(due)}</time></dd>' in staff_page
    applicant = cast.client_for(cast.applicant)
    conversation = applicant.get(reverse("portal:conversation", args=[cast.case.application_id])).content.decode()
    assert f"<strong>Urgent:</strong> please do what this message asks by {shown(due)}." in conversation
    detail = applicant.get(reverse("portal:message_detail", args=[message.pk])).content.decode()
    assert f'<dt>Due date</dt>\n      <dd><time datetime="{due.isoformat()}">{shown(due)}</time></dd>' in detail
    assert applicant.get(reverse("api:message_detail", args=[message.pk])).json()["due_date"] == due.isoformat()


def test_an_urgent_message_without_a_date_asks_for_action_soon(cast):
    message_send_to_case(staff_user=cast.caseworker, case=cast.case, subject="s", body="b", urgent=True)

    page = cast.client_for(cast.applicant).get(reverse("portal:conversation", args=[cast.case.application_id]))

    assert "<strong>Urgent:</strong> please do what this message asks as soon as you can." in page.content.decode()
    assert "Due date" not in page.content.decode()


def test_a_date_without_urgency_comes_back_with_the_reason_and_the_text(cast):
    response = cast.client_for(cast.caseworker).post(
        reverse("dashboard:case_detail", args=[cast.case.pk]),
        {"subject": "Kept subject", "body": "Kept body", "due_date": in_days(2).isoformat()},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_due_date">A due date goes with an urgent message' in page
    assert 'value="Kept subject"' in page and "Kept body" in page
    assert not Message.objects.exists()


@pytest.mark.parametrize("value", ["tomorrow", "2026-13-01", "20261201", 5])
def test_the_api_refuses_what_is_not_a_date(cast, value):
    response = cast.client_for(cast.caseworker).post(
        reverse("api:case_messages", args=[cast.case.pk]),
        {"subject": "s", "body": "b", "urgent": True, "due_date": value},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_field"


def test_the_api_sets_a_due_date(cast):
    due = in_days(7)

    response = cast.client_for(cast.caseworker).post(
        reverse("api:case_messages", args=[cast.case.pk]),
        {"subject": "s", "body": "b", "urgent": True, "due_date": due.isoformat()},
        content_type="application/json",
    )

    assert response.status_code == 201
    assert response.json()["due_date"] == due.isoformat()
