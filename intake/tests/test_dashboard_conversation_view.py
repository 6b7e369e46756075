"""The SecureMessagingWidget's conversation view (`?view=conversation` on the
case page): the whole thread in order, readable in place, marking nothing read."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.models import Conversation, Message, MessageEvent
from intake.tests.factories import MessageAttachmentFactory, MessageFactory, StaffMessageFactory
from intake.views.dashboard import MESSAGES_PER_PAGE

pytestmark = pytest.mark.django_db

CONVERSATION = {"view": "conversation"}


def url(case):
    return reverse("dashboard:case_detail", args=[case.pk])


def articles(response):
    """The subjects of the messages shown, in page order."""
    return subjects_in(response.content.decode())


def subjects_in(body):
    return re.findall(r'<h3 class="conversation-message__subject"[^>]*>\s*<a [^>]*>([^<]*)</a>', body)


def test_every_message_in_order_oldest_first_with_its_body(client, case):
    start = timezone.now() - timedelta(days=3)
    MessageFactory(case=case, subject="Second", body="Here is my pay stub.", created_at=start + timedelta(hours=2))
    StaffMessageFactory(case=case, subject="First", body="Please send your pay stub.", created_at=start)
    MessageFactory(
        case=None, application=case.application, subject="Before the case", created_at=start - timedelta(days=1)
    )
    client.force_login(case.assigned_staff_profile.user)

    response = client.get(url(case), CONVERSATION)

    body = response.content.decode()
    assert response.status_code == 200
    assert articles(response) == ["Before the case", "First", "Second"]
    assert '<div class="message-body">Please send your pay stub.</div>' in body
    assert '<div class="message-body">Here is my pay stub.</div>' in body
    assert body.count("<article") == 3
    assert f"From {case.assigned_staff_profile.display_name} (Caseworker)" in body
    assert f"From {case.application.submission.user.full_name} (Applicant)" in body
    assert "Messages 1 to 3 of 3, oldest first." in body


def test_tab_is_a_real_link_marked_current(client, case):
    MessageFactory(case=case)
    client.force_login(case.assigned_staff_profile.user)

    listing = client.get(url(case)).content.decode()
    conversation = client.get(url(case), {**CONVERSATION, "tab": "from", "page": "1"}).content.decode()

    assert f'<a href="{url(case)}?view=conversation#messages-heading">Conversation</a>' in listing
    assert 'aria-current="page">Conversation</a>' in conversation
    assert 'aria-current="page">All' not in conversation
    # Back to a folder of the list: the view and the page are left behind.
    assert f'<a href="{url(case)}?tab=to#messages-heading">To applicant' in conversation
    assert 'class="message-table"' not in conversation


def test_unknown_view_is_the_list(client, case):
    MessageFactory(case=case)
    client.force_login(case.assigned_staff_profile.user)

    response = client.get(url(case), {"view": "everything"})

    assert response.status_code == 200
    assert response.context["view"] == "list"
    assert 'class="message-table"' in response.content.decode()


def test_read_state_of_each_side_with_its_date(client, case):
    read_at = timezone.now() - timedelta(days=1)
    StaffMessageFactory(case=case, subject="Seen", status=Message.Status.READ, read_at=read_at)
    StaffMessageFactory(case=case, subject="Not seen")
    MessageFactory(case=case, subject="Answered", status=Message.Status.READ, read_at=read_at)
    MessageFactory(case=case, subject="Waiting")
    client.force_login(case.assigned_staff_profile.user)

    body = client.get(url(case), CONVERSATION).content.decode()

    date = timezone.localtime(read_at).strftime("%Y")
    assert re.search(rf"Read by the applicant on [^<]*{date}", body)
    assert "Not read by the applicant yet" in body
    assert re.search(rf"Read by the case team on [^<]*{date}", body)
    assert body.count('<span class="badge badge--unread">Unread</span>') == 1


def test_attachments_are_download_links(client, case):
    attachment = MessageAttachmentFactory(message__case=case, original_filename="id-card.pdf")
    client.force_login(case.assigned_staff_profile.user)

    body = client.get(url(case), CONVERSATION).content.decode()

    link = reverse("dashboard:attachment_download", args=[case.pk, attachment.message_id, attachment.pk])
    assert f'<a href="{link}" download>id-card.pdf</a>' in body


def test_withdrawn_message_shows_its_notice_not_its_words(client, case):
    StaffMessageFactory(case=case, subject="Meant for someone else", body="Private words", deleted=True)
    client.force_login(case.assigned_staff_profile.user)

    body = client.get(url(case), CONVERSATION).content.decode()

    assert "This message was withdrawn by the ISET case team." in body
    assert subjects_in(body) == ["Message withdrawn"]
    assert "Meant for someone else" not in body
    assert "Private words" not in body


@pytest.mark.parametrize("who", ["caseworker", "supervisor"])
def test_reading_the_conversation_marks_nothing_read(cast, who):
    message = MessageFactory(case=cast.case, subject="Still unread")
    client = cast.client_for(getattr(cast, who))

    client.get(url(cast.case), CONVERSATION)
    body = client.get(url(cast.case), CONVERSATION).content.decode()

    assert '<span class="badge badge--unread">Unread</span>' in body
    message.refresh_from_db()
    assert message.status == Message.Status.UNREAD
    assert message.read_at is None
    assert not MessageEvent.objects.filter(event_type=MessageEvent.Type.READ).exists()
    assert Conversation.objects.get(application=cast.case.application).unread_by_staff == 1


def test_opening_a_message_from_the_conversation_marks_it_read_and_keeps_the_view(client, case):
    message = MessageFactory(case=case, subject="Open me")
    client.force_login(case.assigned_staff_profile.user)
    detail = reverse("dashboard:message_detail", args=[case.pk, message.pk])

    listing = client.get(url(case), CONVERSATION).content.decode()
    response = client.get(detail, CONVERSATION)

    assert f'<a href="{detail}?view=conversation#message">Open me</a>' in listing
    message.refresh_from_db()
    assert message.status == Message.Status.READ
    body = response.content.decode()
    assert 'aria-current="true">Open me</a>' in body
    assert 'class="conversation-message conversation-message--applicant is-open"' in body


def test_latest_page_first_and_earlier_messages_one_link_away(client, case):
    start = timezone.now() - timedelta(days=30)
    for number in range(MESSAGES_PER_PAGE + 3):
        MessageFactory(case=case, subject=f"Message {number:02}", created_at=start + timedelta(hours=number))
    client.force_login(case.assigned_staff_profile.user)

    latest = client.get(url(case), CONVERSATION)
    first = client.get(url(case), {**CONVERSATION, "page": 1})

    assert articles(latest) == [f"Message {number:02}" for number in range(MESSAGES_PER_PAGE, MESSAGES_PER_PAGE + 3)]
    assert articles(first) == [f"Message {number:02}" for number in range(MESSAGES_PER_PAGE)]
    earlier = f'href="{url(case)}?view=conversation&amp;page=1#messages-heading"'
    assert f"{earlier}>Show earlier messages</a>" in latest.content.decode()
    assert f'{earlier} rel="prev">Show earlier messages</a>' in latest.content.decode()
    assert 'rel="next">Show later messages</a>' in first.content.decode()
    assert "Show earlier messages" not in first.content.decode()


def test_empty_conversation_says_so(client, case):
    client.force_login(case.assigned_staff_profile.user)

    response = client.get(url(case), CONVERSATION)

    assert response.status_code == 200
    assert "No messages here yet." in response.content.decode()


@pytest.mark.parametrize("who", ["caseworker", "supervisor"])
def test_case_staff_may_read_it(cast, who):
    MessageFactory(case=cast.case)

    assert cast.client_for(getattr(cast, who)).get(url(cast.case), CONVERSATION).status_code == 200


@pytest.mark.parametrize("who", ["applicant", "other_applicant", "other_caseworker"])
def test_outsider_gets_404(cast, who):
    MessageFactory(case=cast.case, body="Private words")

    response = cast.client_for(getattr(cast, who)).get(url(cast.case), CONVERSATION)

    assert response.status_code == 404
    assert "Private words" not in response.content.decode()


def test_anonymous_visitor_is_sent_to_sign_in(cast):
    response = cast.client_for(None).get(url(cast.case), CONVERSATION)

    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('login')}?next=")


@pytest.mark.parametrize("page", ["latest", "first"])
@pytest.mark.parametrize("count", [1, 50])
def test_query_count_does_not_grow_with_messages(client, django_assert_num_queries, case, count, page):
    for number in range(count):
        factory = MessageFactory if number % 2 == 0 else StaffMessageFactory
        MessageAttachmentFactory(message=factory(case=case))
    client.force_login(case.assigned_staff_profile.user)
    query = CONVERSATION if page == "latest" else {**CONVERSATION, "page": 1}

    # session, user (with staff profile), case with its tab counts (the page
    # count comes from them), the page's messages (sender, recipient, booking
    # reference, attachment count joined), their attachments, documents, the
    # case's history (its own audit events with their actors), the access
    # log's INSERT (case page viewed)
    # + the case's internal notes, the colleagues a note may mention, the saved replies to choose from
    # + the writer's saved draft of this conversation (none here)
    with django_assert_num_queries(12):
        response = client.get(url(case), query)

    assert response.status_code == 200
    shown = min(count, MESSAGES_PER_PAGE) if page == "first" else (count - 1) % MESSAGES_PER_PAGE + 1
    assert len(articles(response)) == shown
