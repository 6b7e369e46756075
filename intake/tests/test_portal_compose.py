"""Compose, /messages/new/: a new message about one of the applicant's applications."""

import pytest
from django.urls import reverse

from casework.models import User
from casework.tests.factories import ApplicantFactory, ApplicationFactory, SubmissionFactory
from intake.models import Message
from intake.tests.helpers import PDF, upload

pytestmark = pytest.mark.django_db

COMPOSE = reverse("portal:compose")


def test_without_submission_explains_and_offers_no_form(client):
    client.force_login(ApplicantFactory())

    page = client.get(COMPOSE).content.decode()

    assert "once you have submitted an application" in page
    assert '<form method="post" action="/messages/new/"' not in page


def test_post_without_submission_sends_nothing(client):
    client.force_login(ApplicantFactory())

    response = client.post(COMPOSE, {"subject": "Hi", "body": "Hello"})

    assert response.status_code == 200
    assert "once you have submitted an application" in response.content.decode()
    assert not Message.objects.exists()


def test_single_application_is_preselected_and_shown(applicant_client, case):
    page = applicant_client.get(COMPOSE).content.decode()

    assert f'<input type="hidden" name="application" value="{case.application.pk}"' in page
    assert f"Booking reference {case.application.submission.reference_number}" in page
    assert "<select" not in page


def test_several_applications_must_be_chosen(applicant_client, applicant, case):
    second = ApplicationFactory(submission=SubmissionFactory(user=applicant))

    page = applicant_client.get(COMPOSE).content.decode()
    response = applicant_client.post(COMPOSE, {"application": "", "subject": "Typed subject", "body": "Typed body"})

    assert '<select name="application"' in page
    assert case.application.submission.reference_number in page
    assert second.submission.reference_number in page
    error_page = response.content.decode()
    assert '<a href="#id_application">Choose which application your message is about.</a>' in error_page
    assert 'value="Typed subject"' in error_page and "Typed body" in error_page
    assert not Message.objects.exists()


def test_chosen_application_is_kept_after_an_error(applicant_client, applicant):
    second = ApplicationFactory(submission=SubmissionFactory(user=applicant))

    page = applicant_client.post(COMPOSE, {"application": str(second.pk), "subject": "", "body": "Typed body"})

    assert f'<option value="{second.pk}" selected>' in page.content.decode()


def test_sends_to_the_chosen_application_and_redirects(applicant_client, applicant, case):
    response = applicant_client.post(
        COMPOSE,
        {"application": str(case.application.pk), "subject": "Question", "body": "When?", "attachments": [upload()]},
    )

    message = Message.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:message_detail", args=[message.pk])
    assert (message.sender, message.case, message.application) == (applicant, case, case.application)
    assert message.recipient == case.assigned_staff_profile.user
    assert message.attachments.count() == 1
    assert "Your message was sent." in applicant_client.get(response["Location"]).content.decode()


def test_application_without_case_goes_to_the_case_team(client):
    application = ApplicationFactory()
    client.force_login(application.submission.user)

    client.post(COMPOSE, {"application": str(application.pk), "subject": "Early question", "body": "Hello"})

    message = Message.objects.get()
    assert (message.application, message.case, message.recipient) == (application, None, None)


def test_another_applicants_application_cannot_be_chosen(applicant_client):
    foreign = ApplicationFactory()

    response = applicant_client.post(COMPOSE, {"application": str(foreign.pk), "subject": "Hi", "body": "Hello"})

    assert response.status_code == 200
    assert not Message.objects.exists()


def test_caseworker_has_nothing_to_write_about(client, case):
    client.force_login(case.assigned_staff_profile.user)

    response = client.post(COMPOSE, {"application": str(case.application.pk), "subject": "Hi", "body": "Hello"})

    assert "once you have submitted an application" in response.content.decode()
    assert not Message.objects.exists()


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(COMPOSE)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={COMPOSE}"


def test_too_many_files_keeps_text_and_says_choose_again(applicant_client, case):
    files = [upload(name=f"file-{number}.pdf") for number in range(6)]

    response = applicant_client.post(
        COMPOSE,
        {"application": str(case.application.pk), "subject": "Many", "body": "Lots of files", "attachments": files},
    )

    page = response.content.decode()
    assert "You can attach at most 5 files to one message." in page
    assert "choose the files again" in page
    assert 'value="Many"' in page and "Lots of files" in page
    assert 'aria-describedby="id_attachments_helptext id_attachments_error"' in page
    assert not Message.objects.exists()


def test_oversize_file_is_named_and_text_kept(applicant_client, case, settings):
    settings.ATTACHMENT_MAX_BYTES = 50

    response = applicant_client.post(
        COMPOSE,
        {
            "application": str(case.application.pk),
            "subject": "Big file",
            "body": "Typed before the upload",
            "attachments": [upload(name="<img src=x>big.pdf")],
        },
    )

    page = response.content.decode()
    assert "“&lt;img src=x&gt;big.pdf” is larger than 50\xa0bytes, the limit for one file." in page
    assert "<img src=x>" not in page
    assert "Typed before the upload" in page
    assert not Message.objects.exists()


def test_typed_payloads_come_back_escaped(applicant_client, case):
    response = applicant_client.post(
        COMPOSE, {"application": str(case.application.pk), "subject": "<script>alert(1)</script>", "body": ""}
    )

    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in page


def test_french_compose(applicant_client, applicant):
    User.objects.filter(pk=applicant.pk).update(preferred_language="fr")

    page = applicant_client.get(COMPOSE).content.decode()

    assert "Écrire un message" in page
    assert "Numéro de référence" in page


# The response target -----------------------------------------------------------


TARGET_SENTENCES = {
    ("en", 2): "We usually answer within 2 business days.",
    ("en", 1): "We usually answer within 1 business day.",
    ("en", 0): "We usually answer on the same business day.",
    ("fr", 2): "Nous répondons habituellement dans un délai de 2 jours ouvrables.",
    ("fr", 1): "Nous répondons habituellement dans un délai de 1 jour ouvrable.",
    ("fr", 0): "Nous répondons habituellement le même jour ouvrable.",
}


@pytest.mark.parametrize(("language", "days"), list(TARGET_SENTENCES))
def test_compose_tells_the_response_target(applicant_client, applicant, settings, language, days):
    settings.RESPONSE_TARGET_BUSINESS_DAYS = days
    User.objects.filter(pk=applicant.pk).update(preferred_language=language)

    page = applicant_client.get(COMPOSE).content.decode()

    intro = {
        "en": "Your message goes to the ISET case team working on your application.",
        "fr": "Votre message est transmis à l'équipe FCEA qui traite votre demande.",
    }[language]
    assert f"<p>{intro} {TARGET_SENTENCES[language, days]}</p>" in page
    assert sum(sentence in page for sentence in TARGET_SENTENCES.values()) == 1


def test_no_response_target_without_an_application_to_write_about(client, settings):
    settings.RESPONSE_TARGET_BUSINESS_DAYS = 2
    client.force_login(ApplicantFactory())

    page = client.get(COMPOSE).content.decode()

    assert "business day" not in page


@pytest.mark.parametrize(("language", "days"), [("en", 2), ("en", 0), ("fr", 1)])
def test_confirmation_repeats_the_response_target(applicant_client, applicant, case, settings, language, days):
    settings.RESPONSE_TARGET_BUSINESS_DAYS = days
    User.objects.filter(pk=applicant.pk).update(preferred_language=language)

    response = applicant_client.post(
        COMPOSE, {"application": str(case.application.pk), "subject": "Question", "body": "When?"}, follow=True
    )

    sent = {"en": "Your message was sent.", "fr": "Votre message a été envoyé."}[language]
    flash = f'<p class="flash__item flash__item--success">{sent} {TARGET_SENTENCES[language, days]}</p>'
    assert flash in response.content.decode()


def test_two_bad_files_are_both_named_each_with_its_reason(applicant_client, case):
    files = [upload("setup.pdf", b"MZ\x90\x00" + b"\x00" * 60), upload("photo.png", PDF), upload("fine.pdf")]

    response = applicant_client.post(
        COMPOSE,
        {"application": str(case.application.pk), "subject": "Two", "body": "Kept text", "attachments": files},
    )

    page = response.content.decode()
    summary = page.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "“setup.pdf” is not a file type we accept." in summary
    assert "“photo.png” is named like a .png file, but its content is something else." in summary
    assert "fine.pdf" not in summary
    assert 'value="Two"' in page and "Kept text" in page
    assert not Message.objects.exists()
