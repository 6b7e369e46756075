"""The applicant's conversation page, /messages/applications/<id>/, and
MessageDetails shown within its conversation."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from casework.models import User
from casework.tests.factories import ApplicationFactory, CaseFactory, SubmissionFactory
from intake.models import Conversation, Message, MessageEvent
from intake.tests.factories import MessageAttachmentFactory, MessageFactory, StaffMessageFactory
from intake.tests.helpers import upload
from intake.tests.worker import tasks_run

pytestmark = pytest.mark.django_db


def conversation_url(application):
    return reverse("portal:conversation", args=[application.pk])


def detail_url(message):
    return reverse("portal:message_detail", args=[message.pk])


def ago(**delta):
    return timezone.now() - timedelta(**delta)


def test_messages_in_order_with_sender_date_and_attachments(applicant_client, case):
    first = MessageFactory(case=case, subject="Question one", body="When do I start?", created_at=ago(days=3))
    answer = StaffMessageFactory(case=case, subject="Re: Question one", body="On Monday.", created_at=ago(days=2))
    MessageAttachmentFactory(message=answer, original_filename="schedule.pdf")

    page = applicant_client.get(conversation_url(case.application)).content.decode()

    assert page.index("When do I start?") < page.index("On Monday.")
    assert f'id="message-{first.pk}"' in page and f'id="message-{answer.pk}"' in page
    assert "You wrote" in page
    assert f"{case.assigned_staff_profile.display_name} wrote" in page
    assert "schedule.pdf" in page
    assert case.application.submission.reference_number in page
    assert "Conversation about application" in page


def test_own_message_says_when_the_case_team_read_it(applicant_client, case):
    read_at = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)  # 10:30 in Toronto (TIME_ZONE)
    MessageFactory(case=case, status=Message.Status.READ, read_at=read_at)
    MessageFactory(case=case, subject="Still unread")

    page = applicant_client.get(conversation_url(case.application)).content.decode()

    assert "Read by the case team on 4 March 2026, 10:30 a.m." in page
    assert "Sent, not read by the case team yet" in page


def test_own_messages_before_the_case_teams_last_word_are_answered(applicant_client, case):
    asked = MessageFactory(case=case, subject="When do I start?", status=Message.Status.READ, read_at=ago(days=1))
    Message.objects.filter(pk=asked.pk).update(created_at=ago(days=2))
    StaffMessageFactory(case=case, subject="On Monday")
    later = MessageFactory(case=case, subject="Thank you")

    page = applicant_client.get(conversation_url(case.application)).content.decode()

    statuses = [block.split("</p>")[0] for block in page.split('class="thread-message__read">')[1:]]
    assert len(statuses) == 2
    assert "Answered" in statuses[0] and "Read by" not in statuses[0]
    assert "Sent, not read by the case team yet" in statuses[1]
    assert later.subject in page


def test_withdrawn_message_shows_its_notice_only(applicant_client, case):
    withdrawn = StaffMessageFactory(case=case, subject="Wrong applicant", body="Secret body", deleted=True)
    MessageAttachmentFactory(message=withdrawn, original_filename="secret.pdf")

    page = applicant_client.get(conversation_url(case.application)).content.decode()

    assert "Secret body" not in page and "Wrong applicant" not in page and "secret.pdf" not in page
    assert "This message was withdrawn by the ISET case team." in page


def test_includes_messages_written_before_the_case_existed(applicant_client, case):
    MessageFactory(case=None, application=case.application, recipient=None, body="Before the case", created_at=ago(days=5))
    StaffMessageFactory(case=case, body="After the case")

    page = applicant_client.get(conversation_url(case.application)).content.decode()

    assert page.index("Before the case") < page.index("After the case")


def test_other_application_of_the_same_applicant_is_not_mixed_in(applicant_client, applicant, case):
    other = ApplicationFactory(submission=SubmissionFactory(user=applicant))
    MessageFactory(case=None, application=other, recipient=None, body="About the other application")
    StaffMessageFactory(case=case, body="About this one")

    page = applicant_client.get(conversation_url(case.application)).content.decode()

    assert "About this one" in page
    assert "About the other application" not in page


def test_opening_marks_the_staff_messages_read_with_events(applicant_client, applicant, case):
    unread = StaffMessageFactory.create_batch(3, case=case)
    withdrawn = StaffMessageFactory(case=case, deleted=True)

    applicant_client.get(conversation_url(case.application))

    assert set(Message.objects.filter(pk__in=[m.pk for m in unread]).values_list("status", flat=True)) == {"read"}
    assert Message.objects.get(pk=withdrawn.pk).status == Message.Status.UNREAD
    events = MessageEvent.objects.filter(event_type=MessageEvent.Type.READ, actor_user_id=applicant.pk)
    assert sorted(events.values_list("message_id", flat=True)) == sorted(m.pk for m in unread)
    assert Conversation.objects.get(application=case.application).unread_by_applicant == 0


def test_reply_is_bound_to_the_conversation_and_answers_the_newest_staff_message(applicant_client, applicant, case):
    StaffMessageFactory(case=case, created_at=ago(days=2))
    newest = StaffMessageFactory(case=case, subject="Your start date", created_at=ago(days=1))
    MessageFactory(case=case, created_at=ago(hours=1))

    form = applicant_client.get(conversation_url(case.application)).content.decode()
    response = applicant_client.post(
        conversation_url(case.application),
        {"subject": "Re: Your start date", "body": "Thank you.", "attachments": [upload()]},
    )
    tasks_run()  # the worker sends the caseworker's notice

    assert 'value="Re: Your start date"' not in form  # the newest message is the applicant's own
    sent = Message.objects.get(body="Thank you.")
    assert response.status_code == 302
    assert response["Location"] == f"{conversation_url(case.application)}#message-{sent.pk}"
    assert sent.case_id == case.pk and sent.application_id == case.application_id
    assert sent.sender_id == applicant.pk and sent.recipient_id == case.assigned_staff_profile.user_id
    assert sent.reply_to_id == newest.pk
    assert sent.attachments.count() == 1
    assert len(mail.outbox) == 1


def test_reply_form_starts_with_re_subject_of_the_newest_message(applicant_client, case):
    StaffMessageFactory(case=case, subject="Your start date")

    page = applicant_client.get(conversation_url(case.application)).content.decode()

    assert 'value="Re: Your start date"' in page


def test_first_message_about_an_application_without_messages(applicant_client, applicant):
    application = ApplicationFactory(submission=SubmissionFactory(user=applicant))

    page = applicant_client.get(conversation_url(application)).content.decode()
    response = applicant_client.post(conversation_url(application), {"subject": "Hello", "body": "First words."})

    assert "There are no messages about this application yet." in page
    sent = Message.objects.get(body="First words.")
    assert sent.application_id == application.pk and sent.case_id is None and sent.reply_to_id is None
    assert response.status_code == 302


def test_invalid_reply_keeps_the_typed_text(applicant_client, case):
    StaffMessageFactory(case=case)

    response = applicant_client.post(conversation_url(case.application), {"subject": "", "body": "Keep me"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a subject." in page
    assert "Keep me" in page
    assert not Message.objects.filter(body="Keep me").exists()


def test_reply_does_not_answer_a_withdrawn_message(applicant_client, case):
    StaffMessageFactory(case=case, deleted=True)

    applicant_client.post(conversation_url(case.application), {"subject": "Hi", "body": "Still there?"})

    assert Message.objects.get(body="Still there?").reply_to_id is None


def test_long_conversation_shows_the_newest_page_with_a_link_to_earlier(applicant_client, case):
    for number in range(25):
        StaffMessageFactory(case=case, subject=f"Number {number:02d}", created_at=ago(days=30 - number))

    newest = applicant_client.get(conversation_url(case.application)).content.decode()
    earliest = applicant_client.get(conversation_url(case.application), {"page": 2}).content.decode()

    # 20 a page, the newest page first
    assert "Number 24" in newest and "Number 05" in newest and "Number 04" not in newest
    assert "Show earlier messages" in newest
    assert "Number 00" in earliest and "Show later messages" in earliest


def test_pages_count_the_whole_conversation_and_nothing_else(applicant_client, applicant, case):
    """The pages' count is read apart from the rows (intake.selectors.conversation_count):
    the case's messages and those from before the case, not another application's."""
    MessageFactory(case=None, application=case.application, recipient=None, subject="Before the case", created_at=ago(days=40))
    for number in range(20):
        StaffMessageFactory(case=case, subject=f"Number {number:02d}", created_at=ago(days=30 - number))
    other = CaseFactory(application__submission__user=applicant)
    StaffMessageFactory.create_batch(3, case=other)

    newest = applicant_client.get(conversation_url(case.application))
    earliest = applicant_client.get(conversation_url(case.application), {"page": 2})

    assert newest.context["page"].paginator.count == 21
    assert earliest.context["page"].number == 2
    assert [message.subject for message in earliest.context["thread"]] == ["Before the case"]


def test_french_conversation(applicant_client, applicant, case):
    User.objects.filter(pk=applicant.pk).update(preferred_language="fr")
    MessageFactory(case=case)

    page = applicant_client.get(conversation_url(case.application)).content.decode()

    assert "Conversation au sujet de la demande" in page
    assert "Vous avez écrit" in page
    assert "Envoyé, pas encore lu par" in page


@pytest.mark.parametrize("count", [1, 50])
def test_query_count_does_not_grow_with_messages(applicant_client, case, django_assert_num_queries, count):
    for number in range(count):
        message = StaffMessageFactory(case=case, status=Message.Status.READ, created_at=ago(minutes=count - number))
        MessageAttachmentFactory(message=message)

    # session, user, the application (with submission and case), paginator
    # count, the page of messages, their attachments, when the case team last
    # wrote (the summary: for "Answered"), unread count (header). Nothing
    # unread: no write.
    # + the writer's saved draft of this conversation (none here)
    with django_assert_num_queries(9):
        response = applicant_client.get(conversation_url(case.application))

    assert response.status_code == 200
    assert response.content.decode().count('<article class="thread-message') == min(count, 20)


# MessageDetails in its conversation -------------------------------------------


def test_message_details_shows_earlier_messages_and_marks_itself(applicant_client, case):
    MessageFactory(case=case, body="The earlier question", created_at=ago(days=2))
    message = StaffMessageFactory(case=case, body="The answer", created_at=ago(days=1))
    StaffMessageFactory(case=case, body="A later note")

    page = applicant_client.get(detail_url(message)).content.decode()

    assert page.index("The earlier question") < page.index("The answer")
    assert "A later note" not in page
    assert "1 newer message in this conversation" in page
    assert 'aria-current="true"' in page and "This message" in page
    assert "<dt>Booking reference</dt>" in page
    assert conversation_url(case.application) in page


def test_message_details_shows_at_most_ten_earlier_messages(applicant_client, case):
    for number in range(12):
        StaffMessageFactory(case=case, body=f"Earlier {number:02d}", created_at=ago(days=20 - number))
    message = MessageFactory(case=case, body="Mine")

    page = applicant_client.get(detail_url(message)).content.decode()

    assert "Earlier 02" in page and "Earlier 11" in page and "Earlier 01" not in page
    assert "Earlier messages are in the whole conversation" in page


def test_message_details_of_a_message_from_before_the_case_shows_the_case_messages_too(applicant_client, case):
    StaffMessageFactory(case=case, body="From the case", created_at=ago(days=1))
    message = MessageFactory(case=None, application=case.application, recipient=None, body="Application only")

    page = applicant_client.get(detail_url(message)).content.decode()

    assert page.index("From the case") < page.index("Application only")


# Outsiders --------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_applicant", "caseworker", "other_caseworker", "supervisor"])
def test_outsiders_get_404_and_nothing_changes(cast, who):
    message = StaffMessageFactory(case=cast.case, body="Private body")
    client = cast.client_for(getattr(cast, who))
    url = conversation_url(cast.case.application)

    shown = client.get(url)
    posted = client.post(url, {"subject": "Intrusion", "body": "Should not be sent"})

    assert shown.status_code == 404 and b"Private body" not in shown.content
    assert posted.status_code == 404
    assert not Message.objects.filter(body="Should not be sent").exists()
    assert Message.objects.get(pk=message.pk).status == Message.Status.UNREAD


def test_anonymous_visitor_is_sent_to_login(client, case):
    url = conversation_url(case.application)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("value", ["01", "+1", "1.0", "2147483648"])
def test_malformed_application_id_is_404(applicant_client, case, value):
    assert applicant_client.get(f"/messages/applications/{value}/").status_code == 404


def test_unknown_application_is_404(applicant_client):
    assert applicant_client.get("/messages/applications/999999/").status_code == 404


def test_another_applicants_application_id_in_my_url_is_404(applicant_client):
    other_case = CaseFactory()
    StaffMessageFactory(case=other_case, body="Someone else's")

    response = applicant_client.get(conversation_url(other_case.application))

    assert response.status_code == 404


# The response target -----------------------------------------------------------


def reply_section(page):
    return page[page.index('<section class="reply"') :]


@pytest.mark.parametrize(
    ("language", "days", "sentence"),
    [
        ("en", 2, "We usually answer within 2 business days."),
        ("en", 1, "We usually answer within 1 business day."),
        ("en", 0, "We usually answer on the same business day."),
        ("fr", 2, "Nous répondons habituellement dans un délai de 2 jours ouvrables."),
        ("fr", 0, "Nous répondons habituellement le même jour ouvrable."),
    ],
)
def test_reply_form_tells_the_response_target(applicant_client, applicant, case, settings, language, days, sentence):
    settings.RESPONSE_TARGET_BUSINESS_DAYS = days
    User.objects.filter(pk=applicant.pk).update(preferred_language=language)
    StaffMessageFactory(case=case)

    page = applicant_client.get(conversation_url(case.application)).content.decode()

    reference = case.application.submission.reference_number
    goes_to = {
        "en": f"Your message goes to the case team, about application {reference}.",
        "fr": f"Votre message est transmis à l'équipe du dossier, au sujet de la demande {reference}.",
    }[language]
    assert f"<p>{goes_to} {sentence}</p>" in reply_section(page)


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", "Your message was sent. We usually answer within 3 business days."),
        ("fr", "Votre message a été envoyé. Nous répondons habituellement dans un délai de 3 jours ouvrables."),
    ],
)
def test_confirmation_after_a_reply_repeats_the_response_target(
    applicant_client, applicant, case, settings, language, sentence
):
    settings.RESPONSE_TARGET_BUSINESS_DAYS = 3
    User.objects.filter(pk=applicant.pk).update(preferred_language=language)
    StaffMessageFactory(case=case)

    response = applicant_client.post(
        conversation_url(case.application), {"subject": "Re: Documents", "body": "Sent by mail."}, follow=True
    )

    assert f'<p class="flash__item flash__item--success">{sentence}</p>' in response.content.decode()
