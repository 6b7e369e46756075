"""MessageDetails, /messages/<id>/, with its reply form."""

from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from casework.models import User
from casework.tests.factories import ApplicationFactory, staff_user
from intake.models import Message
from intake.services.sending import message_send_to_case
from intake.tests.factories import MessageAttachmentFactory, MessageFactory, StaffMessageFactory
from intake.tests.helpers import PDF, upload

pytestmark = pytest.mark.django_db


def detail_url(message):
    return reverse("portal:message_detail", args=[message.pk])


def test_shows_summary_with_booking_reference_when_case_linked(applicant_client, case):
    message = StaffMessageFactory(case=case, subject="Documents needed")

    page = applicant_client.get(detail_url(message)).content.decode()

    assert "<dt>Booking reference</dt>" in page
    assert f"<dd>{case.application.submission.reference_number}</dd>" in page
    assert f"<dd>{case.assigned_staff_profile.display_name}</dd>" in page
    assert "<dt>Sent</dt>" in page


def test_booking_reference_shown_for_message_tied_only_to_an_application(client):
    application = ApplicationFactory()
    applicant = application.submission.user
    message = MessageFactory(case=None, application=application, subject="Before my case opened")
    client.force_login(applicant)

    page = client.get(detail_url(message)).content.decode()

    assert "<dt>Booking reference</dt>" in page
    assert f"<dd>{application.submission.reference_number}</dd>" in page
    assert "<dd>Case team</dd>" in page


def test_booking_reference_row_absent_when_message_has_no_tracking_id(case):
    # The schema forbids a message bound to neither a case nor an application
    # (ck_messages_bound), so no stored message can lack a tracking id; the
    # template's rule is checked with a message object that has none.
    message = StaffMessageFactory(case=case)
    message.tracking_id = None
    message.attachment_count = 0
    request = RequestFactory().get("/")
    request.user = case.application.submission.user

    page = render_to_string(
        "portal/message_detail.html", {"message": message, "attachments": [], "form": None}, request=request
    )

    assert "Booking reference" not in page
    assert "<dt>Subject</dt>" in page


def test_body_is_plain_text_with_line_breaks_kept(applicant_client, case):
    message = StaffMessageFactory(case=case, body="Line one\nLine two\n\n<script>alert(1)</script><b>bold</b>")

    page = applicant_client.get(detail_url(message)).content.decode()

    assert (
        '<div class="message-body">Line one\nLine two\n\n&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;</div>'
        in page
    )


def test_subject_and_file_name_payloads_are_escaped(applicant_client, case):
    message = message_send_to_case(
        staff_user=case.assigned_staff_profile.user,
        case=case,
        subject="<script>alert(1)</script>",
        body="See attached",
        files=[upload(name="<img src=x onerror=alert(1)>.pdf")],
    )

    page = applicant_client.get(detail_url(message)).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;.pdf" in page
    assert "<img src=x" not in page


def test_attachments_listed_with_type_size_and_authorising_link(applicant_client, case):
    message = message_send_to_case(
        staff_user=case.assigned_staff_profile.user, case=case, subject="Form", body="Attached", files=[upload()]
    )
    attachment = message.attachments.get()

    page = applicant_client.get(detail_url(message)).content.decode()
    download = applicant_client.get(reverse("portal:attachment_download", args=[message.pk, attachment.pk]))

    assert reverse("portal:attachment_download", args=[message.pk, attachment.pk]) in page
    assert "pay-stub.pdf" in page
    assert f"(PDF document, {len(PDF)}\xa0bytes)" in page
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="pay-stub.pdf"'


def test_opening_marks_read_and_header_count_drops(applicant_client, case):
    message = StaffMessageFactory(case=case)

    page = applicant_client.get(detail_url(message)).content.decode()

    message.refresh_from_db()
    assert message.status == Message.Status.READ
    assert "1 unread" not in page


def test_withdrawn_message_shows_only_the_notice(applicant_client, case):
    message = StaffMessageFactory(case=case, subject="Old subject", body="Old body", deleted=True)

    page = applicant_client.get(detail_url(message)).content.decode()

    assert "Old subject" not in page and "Old body" not in page
    assert "This message was withdrawn by the ISET case team." in page
    assert "Send reply" not in page


def test_french_dates_and_labels(applicant_client, applicant, case):
    User.objects.filter(pk=applicant.pk).update(preferred_language="fr")
    message = StaffMessageFactory(case=case)
    # 24 November 2026 at 19:05 UTC is 14:05 in Toronto (TIME_ZONE).
    Message.objects.filter(pk=message.pk).update(created_at=datetime(2026, 11, 24, 19, 5, tzinfo=UTC))

    page = applicant_client.get(detail_url(message)).content.decode()

    assert "<dt>Numéro de référence</dt>" in page
    assert "<dt>Date d'envoi</dt>" in page
    assert '<time datetime="2026-11-24T14:05:00-05:00">24 novembre 2026, 14 h 05</time>' in page


# Outsiders ----------------------------------------------------------------------


def outsider(kind, case):
    return {
        "second_applicant": lambda: ApplicationFactory().submission.user,
        "caseworker": lambda: case.assigned_staff_profile.user,
        "other_caseworker": lambda: staff_user(),
    }[kind]()


@pytest.mark.parametrize("kind", ["second_applicant", "caseworker", "other_caseworker"])
def test_outsider_gets_404_on_details_attachment_and_reply(client, case, kind):
    attachment = MessageAttachmentFactory(message=StaffMessageFactory(case=case))
    message = attachment.message
    client.force_login(outsider(kind, case))

    details = client.get(detail_url(message))
    download = client.get(reverse("portal:attachment_download", args=[message.pk, attachment.pk]))
    reply = client.post(detail_url(message), {"subject": "Re: Form", "body": "Mine now"})

    assert (details.status_code, download.status_code, reply.status_code) == (404, 404, 404)
    assert not Message.objects.filter(body="Mine now").exists()
    message.refresh_from_db()
    assert message.status == Message.Status.UNREAD


def test_anonymous_visitor_is_sent_to_login(client, case):
    attachment = MessageAttachmentFactory(message=StaffMessageFactory(case=case))
    message = attachment.message
    download_url = reverse("portal:attachment_download", args=[message.pk, attachment.pk])

    for path, response in (
        (detail_url(message), client.get(detail_url(message))),
        (download_url, client.get(download_url)),
        (detail_url(message), client.post(detail_url(message), {"subject": "x", "body": "y"})),
    ):
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={path}"
    assert Message.objects.count() == 1


def test_missing_message_is_404(applicant_client):
    assert applicant_client.get("/messages/999999/").status_code == 404


# Replying -----------------------------------------------------------------------


def test_reply_subject_is_prefilled(applicant_client, case):
    message = StaffMessageFactory(case=case, subject="Documents needed")

    page = applicant_client.get(detail_url(message)).content.decode()

    assert 'value="Re: Documents needed"' in page


def test_reply_goes_to_the_same_thread_and_redirects_to_it(applicant_client, applicant, case):
    message = StaffMessageFactory(case=case)

    response = applicant_client.post(
        detail_url(message), {"subject": "Re: Documents needed", "body": "Here it is", "attachments": [upload()]}
    )

    reply = Message.objects.get(body="Here it is")
    assert response.status_code == 302
    assert response["Location"] == detail_url(reply)
    assert (reply.sender, reply.case, reply.application, reply.reply_to_id) == (
        applicant,
        case,
        case.application,
        message.pk,
    )
    assert reply.recipient == case.assigned_staff_profile.user
    assert reply.attachments.count() == 1
    page = applicant_client.get(response["Location"]).content.decode()
    assert "Your message was sent." in page


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"subject": "", "body": "Typed body"}, "subject", "Enter a subject."),
        ({"subject": "Typed subject", "body": "  "}, "body", "Enter a message."),
    ],
)
def test_reply_with_missing_text_keeps_what_was_typed(applicant_client, case, data, field, error):
    message = StaffMessageFactory(case=case)

    response = applicant_client.post(detail_url(message), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert f'<div class="field__errors" id="id_{field}_error"><p>{error}</p></div>' in page
    assert f'aria-describedby="id_{field}_error"' in page
    assert f'<a href="#id_{field}">{error}</a>' in page
    for value in data.values():
        if value.strip():
            assert value in page
    assert Message.objects.count() == 1


def test_reply_with_refused_file_names_it_and_keeps_text(applicant_client, case):
    message = StaffMessageFactory(case=case)

    response = applicant_client.post(
        detail_url(message),
        {
            "subject": "Re: Documents needed",
            "body": "My typed answer",
            "attachments": [SimpleUploadedFile("<b>virus.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04" + b"\x00" * 40)],
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "“&lt;b&gt;virus.exe” is not a file type we accept." in page
    assert "choose the files again" in page
    assert "My typed answer" in page and 'value="Re: Documents needed"' in page
    assert Message.objects.count() == 1


def test_reply_to_own_sent_message_goes_to_the_same_thread(applicant_client, case):
    own = MessageFactory(case=case, subject="Question", body="First")

    applicant_client.post(detail_url(own), {"subject": "Re: Question", "body": "Second"})

    assert Message.objects.get(body="Second").case == case


# Query count ------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 50])
def test_query_count_does_not_grow_with_thread_or_attachments(applicant_client, case, django_assert_num_queries, count):
    *_, last = StaffMessageFactory.create_batch(count, case=case, status=Message.Status.READ)
    message = StaffMessageFactory(case=case, status=Message.Status.READ)
    MessageAttachmentFactory.create_batch(1 if count == 1 else 5, message=message)
    assert last.pk != message.pk

    # session, user, the message (with people, booking reference, attachment
    # count), it and the messages before it in its conversation, their
    # attachments, the count of later ones, when the case team last wrote
    # (the summary: for "Answered"), unread count (header). Already read: no write.
    # + the writer's saved draft of this conversation (none here)
    with django_assert_num_queries(9):
        response = applicant_client.get(detail_url(message))

    assert response.status_code == 200


def test_first_opening_adds_only_the_read_write(applicant_client, case, django_assert_num_queries):
    message = StaffMessageFactory(case=case)

    # session, user, the message, savepoint + update to read + read event +
    # release savepoint, it and the messages before it, their attachments,
    # the count of later ones, when the case team last wrote, unread count (header)
    # + the writer's saved draft of this conversation (none here)
    with django_assert_num_queries(13):
        applicant_client.get(detail_url(message))


# The response target -----------------------------------------------------------


def reply_section(page):
    return page[page.index('<section class="reply"') :]


@pytest.mark.parametrize(
    ("language", "days", "sentence"),
    [
        ("en", 2, "We usually answer within 2 business days."),
        ("en", 1, "We usually answer within 1 business day."),
        ("en", 0, "We usually answer on the same business day."),
        ("fr", 1, "Nous répondons habituellement dans un délai de 1 jour ouvrable."),
        ("fr", 0, "Nous répondons habituellement le même jour ouvrable."),
    ],
)
def test_reply_form_tells_the_response_target(applicant_client, applicant, case, settings, language, days, sentence):
    settings.RESPONSE_TARGET_BUSINESS_DAYS = days
    User.objects.filter(pk=applicant.pk).update(preferred_language=language)
    message = StaffMessageFactory(case=case)

    page = applicant_client.get(detail_url(message)).content.decode()

    goes_to = {
        "en": "Your reply goes to the case team, about the same application.",
        "fr": "Votre réponse est transmise à l'équipe du dossier, au sujet de la même demande.",
    }[language]
    assert f"<p>{goes_to} {sentence}</p>" in reply_section(page)


def test_no_response_target_where_nothing_can_be_answered(applicant_client, case, settings):
    settings.RESPONSE_TARGET_BUSINESS_DAYS = 2
    message = StaffMessageFactory(case=case, deleted=True)

    page = applicant_client.get(detail_url(message)).content.decode()

    assert "business day" not in page


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", "Your message was sent. We usually answer within 1 business day."),
        ("fr", "Votre message a été envoyé. Nous répondons habituellement dans un délai de 1 jour ouvrable."),
    ],
)
def test_confirmation_after_a_reply_repeats_the_response_target(
    applicant_client, applicant, case, settings, language, sentence
):
    settings.RESPONSE_TARGET_BUSINESS_DAYS = 1
    User.objects.filter(pk=applicant.pk).update(preferred_language=language)
    message = StaffMessageFactory(case=case)

    response = applicant_client.post(detail_url(message), {"subject": "Re: Documents", "body": "Here"}, follow=True)

    assert f'<p class="flash__item flash__item--success">{sentence}</p>' in response.content.decode()
