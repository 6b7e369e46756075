"""Read and handled are different things (issue 12): opening a message marks it
read only for the caseworker who answers the case; anyone may mark it read or
unread on purpose; "No reply needed" ends a wait without writing; a case can be
marked urgent. Each tested from outside, through the pages."""

import pytest
from django.urls import reverse

from casework.models import Case, StaffProfile
from casework.tests.factories import CaseFactory, staff_user
from intake.models import Conversation, Message, MessageEvent
from intake.queue import queue_rows
from intake.tests.factories import MessageFactory

pytestmark = pytest.mark.django_db


def _open(client, message):
    return client.get(reverse("dashboard:message_detail", args=[message.case_id, message.pk]))


def _summary(case):
    return Conversation.objects.get(application_id=case.application_id)


def test_the_assigned_caseworker_opening_a_message_reads_it(client):
    message = MessageFactory()
    client.force_login(message.case.assigned_staff_profile.user)

    _open(client, message)

    message.refresh_from_db()
    assert message.status == Message.Status.READ
    assert _summary(message.case).unread_by_staff == 0


def test_a_supervisor_look_leaves_the_message_unread_for_the_caseworker(client):
    message = MessageFactory()
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    response = _open(client, message)

    message.refresh_from_db()
    assert message.status == Message.Status.UNREAD
    assert _summary(message.case).unread_by_staff == 1
    name = message.case.assigned_staff_profile.display_name
    assert f"Opening this message left it unread for {name}, who answers this case." in response.content.decode()
    assert not MessageEvent.objects.filter(event_type=MessageEvent.Type.READ).exists()


def test_opening_a_message_of_an_unassigned_case_leaves_it_unread(client):
    message = MessageFactory(case=CaseFactory(assigned_staff_profile=None))
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    body = _open(client, message).content.decode()

    message.refresh_from_db()
    assert message.status == Message.Status.UNREAD
    assert "nobody is assigned to this case yet" in body


def test_mark_as_read_and_unread_on_purpose(client):
    message = MessageFactory()
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    client.force_login(supervisor)
    url = reverse("dashboard:message_read_state", args=[message.case_id, message.pk])

    read = client.post(url, {"state": "read"}, follow=True)
    message.refresh_from_db()
    assert message.status == Message.Status.READ
    assert "The message is marked as read." in read.content.decode()
    assert _summary(message.case).unread_by_staff == 0

    unread = client.post(url, {"state": "unread"}, follow=True)
    message.refresh_from_db()
    assert (message.status, message.read_at) == (Message.Status.UNREAD, None)
    assert _summary(message.case).unread_by_staff == 1
    assert "The message is marked as unread." in unread.content.decode()
    assert MessageEvent.objects.filter(
        event_type=MessageEvent.Type.MARKED_UNREAD, message_id=message.pk, actor_user_id=supervisor.pk
    ).exists()


def test_no_reply_needed_ends_the_wait_and_a_new_message_starts_another(client):
    message = MessageFactory()
    case = message.case
    caseworker = case.assigned_staff_profile.user
    client.force_login(caseworker)
    assert [row.application_id for row in queue_rows(caseworker, "awaiting")] == [case.application_id]

    response = client.post(
        reverse("dashboard:case_no_reply_needed", args=[case.pk]), {"reason": "Answered by phone"}, follow=True
    )

    assert "Marked as needing no reply." in response.content.decode()
    assert _summary(case).awaiting_reply_since is None
    assert list(queue_rows(caseworker, "awaiting")) == []
    event = MessageEvent.objects.get(event_type=MessageEvent.Type.NO_REPLY_NEEDED)
    assert (event.case_id, event.actor_user_id) == (case.pk, caseworker.pk)
    assert event.detail["reason"] == "Answered by phone"
    # A second time there is nothing to end: said, and nothing recorded.
    again = client.post(reverse("dashboard:case_no_reply_needed", args=[case.pk]), follow=True)
    assert "Nobody is waiting for a reply in this conversation." in again.content.decode()
    assert MessageEvent.objects.filter(event_type=MessageEvent.Type.NO_REPLY_NEEDED).count() == 1

    later = MessageFactory(case=case)
    assert _summary(case).awaiting_reply_since == Message.objects.get(pk=later.pk).created_at


def test_the_case_page_offers_no_reply_needed_only_while_someone_waits(client):
    case = CaseFactory()
    client.force_login(case.assigned_staff_profile.user)
    url = reverse("dashboard:case_detail", args=[case.pk])

    quiet = client.get(url).content.decode()
    MessageFactory(case=case)
    waiting = client.get(url).content.decode()

    assert "Nobody is waiting for a reply in this conversation." in quiet
    assert "Mark as needing no reply" not in quiet
    assert "The applicant is waiting for a reply" in waiting
    assert 'for="id_no_reply_reason"' in waiting


def test_marking_a_case_urgent_puts_it_in_the_urgent_view(client):
    case = CaseFactory()
    MessageFactory(case=case)
    caseworker = case.assigned_staff_profile.user
    client.force_login(caseworker)
    url = reverse("dashboard:case_urgency", args=[case.pk])

    marked = client.post(url, {"urgent": "1"}, follow=True)

    assert Case.objects.get(pk=case.pk).urgent is True
    assert "The case is marked urgent." in marked.content.decode()
    assert [row.application_id for row in queue_rows(caseworker, "urgent")] == [case.application_id]
    client.post(url, {"urgent": "0"})
    assert Case.objects.get(pk=case.pk).urgent is False
    assert list(queue_rows(caseworker, "urgent")) == []
    assert MessageEvent.objects.filter(event_type=MessageEvent.Type.CASE_URGENCY_CHANGED, case_id=case.pk).count() == 2


@pytest.mark.parametrize("outsider", ["other caseworker", "applicant", "anonymous"])
def test_outsiders_change_nothing(client, outsider):
    message = MessageFactory()
    case = message.case
    if outsider == "other caseworker":
        client.force_login(staff_user())
    elif outsider == "applicant":
        client.force_login(case.application.submission.user)
    posts = [
        (reverse("dashboard:message_read_state", args=[case.pk, message.pk]), {"state": "read"}),
        (reverse("dashboard:case_no_reply_needed", args=[case.pk]), {}),
        (reverse("dashboard:case_urgency", args=[case.pk]), {"urgent": "1"}),
    ]

    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == (302 if outsider == "anonymous" else 404)
        if outsider == "anonymous":
            assert response["Location"].startswith("/login/")

    message.refresh_from_db()
    assert message.status == Message.Status.UNREAD
    assert _summary(case).awaiting_reply_since is not None
    assert Case.objects.get(pk=case.pk).urgent is False


def test_the_handling_forms_refuse_get(client):
    message = MessageFactory()
    client.force_login(message.case.assigned_staff_profile.user)

    assert client.get(reverse("dashboard:case_urgency", args=[message.case_id])).status_code == 405
    assert client.get(reverse("dashboard:case_no_reply_needed", args=[message.case_id])).status_code == 405
