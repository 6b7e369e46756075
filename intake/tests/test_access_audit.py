"""The access log (issue 15): who saw which personal data, when. Every staff
look at a case page, a message (each time, not only the first read), a
case-file document or an attachment, and every staff search (its place and
result count, never its terms) leaves a message_event row without content.
Supervisors and admins see a case's access history on the case page."""

import json

import pytest
from django.urls import reverse

from casework.models import StaffProfile
from casework.tests.factories import ApplicationFactory, CaseFactory, staff_user
from intake.access_history import ACCESS_HISTORY_SHOWN
from intake.models import MessageEvent
from intake.tests.factories import DocumentFactory, MessageAttachmentFactory, MessageFactory

pytestmark = pytest.mark.django_db


def events(kind):
    return list(MessageEvent.objects.filter(event_type=kind).order_by("id"))


def assert_no_content(event, *texts):
    stored = json.dumps(event.detail)
    for text in texts:
        assert text not in stored


def test_each_case_page_view_is_recorded(cast):
    client = cast.client_for(cast.caseworker)
    url = reverse("dashboard:case_detail", args=[cast.case.pk])

    client.get(url)
    client.get(url, {"view": "conversation"})

    viewed = events("case_viewed")
    assert [(e.case_id, e.actor_user_id, e.message_id) for e in viewed] == [(cast.case.pk, cast.caseworker.pk, None)] * 2
    assert [e.detail["view"] for e in viewed] == ["list", "conversation"]


def test_every_view_of_a_message_is_recorded_not_only_the_first_read(cast):
    message = MessageFactory(case=cast.case, subject="My SIN", body="123 456 789")
    url = reverse("dashboard:message_detail", args=[cast.case.pk, message.pk])

    cast.client_for(cast.caseworker).get(url)
    cast.client_for(cast.caseworker).get(url)
    cast.client_for(cast.supervisor).get(url)

    viewed = events("message_viewed")
    assert [(e.message_id, e.case_id, e.actor_user_id) for e in viewed] == [
        (message.pk, cast.case.pk, cast.caseworker.pk),
        (message.pk, cast.case.pk, cast.caseworker.pk),
        (message.pk, cast.case.pk, cast.supervisor.pk),
    ]
    assert len(events("message_read")) == 1
    for event in viewed:
        assert_no_content(event, "My SIN", "123 456 789")


def test_the_message_history_on_the_page_is_not_flooded_by_views(cast):
    message = MessageFactory(case=cast.case)
    client = cast.client_for(cast.caseworker)
    url = reverse("dashboard:message_detail", args=[cast.case.pk, message.pk])
    client.get(url)

    response = client.get(url)

    assert all(event.event_type != "message_viewed" for event in response.context["history"])


def test_api_thread_and_attachment_list_are_recorded(cast):
    message = MessageFactory(case=cast.case)
    client = cast.client_for(cast.caseworker)

    client.get(reverse("api:case_messages", args=[cast.case.pk]))
    client.get(reverse("api:admin_message_attachments", args=[message.pk]), {"case_id": cast.case.pk})

    assert [(e.case_id, e.detail["view"]) for e in events("case_viewed")] == [(cast.case.pk, "api")]
    assert [(e.message_id, e.detail["view"]) for e in events("message_viewed")] == [(message.pk, "api_attachments")]


def test_case_file_document_download_is_recorded(cast):
    document = DocumentFactory(case=cast.case)

    response = cast.client_for(cast.caseworker).get(reverse("dashboard:document_download", args=[cast.case.pk, document.pk]))

    assert response.status_code == 200
    (event,) = events("document_downloaded")
    assert (event.case_id, event.actor_user_id, event.detail) == (cast.case.pk, cast.caseworker.pk, {"document_id": document.pk})


def test_an_outsider_leaves_no_access_record(cast):
    message = MessageFactory(case=cast.case)
    document = DocumentFactory(case=cast.case)
    client = cast.client_for(cast.other_caseworker)

    statuses = [
        client.get(reverse("dashboard:case_detail", args=[cast.case.pk])).status_code,
        client.get(reverse("dashboard:message_detail", args=[cast.case.pk, message.pk])).status_code,
        client.get(reverse("dashboard:document_download", args=[cast.case.pk, document.pk])).status_code,
        client.get(reverse("api:case_messages", args=[cast.case.pk])).status_code,
    ]

    assert statuses == [404, 404, 404, 404]
    assert not MessageEvent.objects.exists()


def test_application_page_view_is_recorded(client):
    application = ApplicationFactory()
    MessageFactory(case=None, application=application)
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    client.force_login(supervisor)

    client.get(reverse("dashboard:application_detail", args=[application.pk]))

    (event,) = events("application_viewed")
    assert (event.actor_user_id, event.detail["application_id"]) == (supervisor.pk, application.pk)


@pytest.mark.parametrize(
    "where, url_name, extra",
    [("queue", "dashboard:queue", {"view": "all"}), ("case_list", "dashboard:case_list", {})],
)
def test_a_search_records_where_and_how_many_never_the_terms(client, where, url_name, extra):
    wanted = CaseFactory(application__submission__user__first_name="Wapiti")
    MessageFactory(case=wanted)
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    client.force_login(supervisor)

    client.post(reverse(url_name), {"q": "wapiti", **extra}, follow=True)

    (event,) = events("staff_searched")
    assert (event.actor_user_id, event.case_id, event.message_id) == (supervisor.pk, None, None)
    assert event.detail["where"] == where
    assert event.detail["result_count"] == 1
    assert_no_content(event, "wapiti", "Wapiti")


def test_an_api_search_is_recorded_without_the_terms(client):
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    client.force_login(supervisor)

    client.get(reverse("api:staff_queue"), {"view": "all", "q": "nobody-by-this-name"})
    client.get(reverse("api:staff_queue"), {"view": "all"})

    (event,) = events("staff_searched")
    assert (event.detail["where"], event.detail["result_count"]) == ("api_queue", 0)
    assert_no_content(event, "nobody-by-this-name")


@pytest.mark.parametrize("role", [StaffProfile.Role.SUPERVISOR, StaffProfile.Role.ADMIN])
def test_supervisors_and_admins_see_the_access_history(cast, role):
    message = MessageFactory(case=cast.case, subject="Private subject")
    attachment = MessageAttachmentFactory(message=message)
    document = DocumentFactory(case=cast.case)
    worker = cast.client_for(cast.caseworker)
    worker.get(reverse("dashboard:message_detail", args=[cast.case.pk, message.pk]))
    worker.get(reverse("dashboard:attachment_download", args=[cast.case.pk, message.pk, attachment.pk]))
    worker.get(reverse("dashboard:document_download", args=[cast.case.pk, document.pk]))
    viewer = staff_user(role)

    page = cast.client_for(viewer).get(reverse("dashboard:case_detail", args=[cast.case.pk])).content.decode()

    section = page[page.index('id="access-history-heading"') :]
    assert "Access history" in page
    assert f"Opened message no. {message.pk}" in section
    assert f"Downloaded an attachment of message no. {message.pk}" in section
    assert f"Downloaded case-file document no. {document.pk}" in section
    assert "Opened the case page" in section  # this very look
    assert cast.case.assigned_staff_profile.display_name in section
    assert section.index("Opened the case page") < section.index("Opened message no.")  # newest first


def test_caseworkers_do_not_see_the_access_history(cast):
    page = cast.client_for(cast.caseworker).get(reverse("dashboard:case_detail", args=[cast.case.pk]))

    assert "Access history" not in page.content.decode()
    assert page.context["access_history"] is None


def test_the_access_history_shows_the_latest_fifty(cast):
    MessageEvent.objects.bulk_create(
        MessageEvent(event_type="case_viewed", case_id=cast.case.pk, actor_user_id=cast.caseworker.pk, detail={})
        for _ in range(ACCESS_HISTORY_SHOWN + 10)
    )

    response = cast.client_for(cast.supervisor).get(reverse("dashboard:case_detail", args=[cast.case.pk]))

    shown = response.context["access_history"]
    assert len(shown) == ACCESS_HISTORY_SHOWN == 50
    assert shown[0].actor_user_id == cast.supervisor.pk  # the supervisor's own look, the newest
