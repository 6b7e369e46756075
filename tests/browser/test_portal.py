"""The applicant portal in real Chromium: read, reply, compose, in English and
French, with axe on every page and a screenshot of each (artifacts/)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from casework.tests.factories import TEST_PASSWORD, ApplicationFactory, CaseFactory
from intake.models import Message
from intake.services import message_send_to_case
from tests.browser.conftest import axe_violations, screenshot, sign_in, switch_language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def caseworker_writes(case, subject="Documents needed", files=()):
    return message_send_to_case(
        staff_user=case.assigned_staff_profile.user,
        case_id=case.pk,
        subject=subject,
        body="Please send your latest pay stub.\nThank you.",
        files=files,
    )


def pdf_file(tmp_path, name="pay-stub.pdf"):
    path = tmp_path / name
    path.write_bytes(PDF)
    return path


def sign_out(page):
    page.locator(".site-tools form[action='/logout/'] button").click()
    page.wait_for_url("**/login/")


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "en",
            {
                "unread": "Unread",
                "reference": "Booking reference",
                "send": "Send reply",
                "sent": "Your message was sent.",
                "you": "You",
                "sent_badge": "Sent",
            },
        ),
        (
            "fr",
            {
                "unread": "Non lu",
                "reference": "Numéro de référence",
                "send": "Envoyer la réponse",
                "sent": "Votre message a été envoyé.",
                "you": "Vous",
                "sent_badge": "Envoyé",
            },
        ),
    ],
)
def test_applicant_reads_and_replies_with_a_pdf(page, tmp_path, language, words):
    case = CaseFactory()
    reference = case.application.submission.reference_number
    applicant = case.application.submission.user
    incoming = caseworker_writes(case, files=[SimpleUploadedFile("form.pdf", PDF, "application/pdf")])

    sign_in(page, applicant.email, TEST_PASSWORD)
    switch_language(page, language)
    row = page.locator("table.inbox tbody tr", has_text="Documents needed")
    assert reference in row.inner_text()
    assert words["unread"] in row.locator(".badge--unread").inner_text()
    assert page.locator(".badge--nav").is_visible()
    screenshot(page, f"portal-inbox-{language}")
    assert axe_violations(page) == []

    row.get_by_role("link", name="Documents needed").click()
    summary = page.locator("dl.summary")
    assert summary.locator("dt", has_text=words["reference"]).is_visible()
    assert reference in summary.inner_text()
    body = page.locator(".message-body")
    assert body.text_content() == "Please send your latest pay stub.\nThank you."
    assert body.evaluate("el => getComputedStyle(el).whiteSpace") == "pre-wrap"
    assert page.locator(".badge--nav").count() == 0
    screenshot(page, f"portal-details-{language}")
    assert axe_violations(page) == []

    page.fill("#id_body", "Here is my pay stub.")
    page.set_input_files("#id_attachments", str(pdf_file(tmp_path)))
    page.get_by_role("button", name=words["send"]).click()
    page.wait_for_load_state()

    assert words["sent"] in page.get_by_role("status").inner_text()
    assert page.locator("dl.summary dd").first.inner_text() == words["you"]
    assert page.get_by_role("link", name="pay-stub.pdf").is_visible()
    screenshot(page, f"portal-sent-{language}")
    assert axe_violations(page) == []
    reply = Message.objects.get(body="Here is my pay stub.")
    assert (reply.reply_to_id, reply.case_id) == (incoming.pk, case.pk)

    page.goto("/messages/")
    rows = page.locator("table.inbox tbody tr")
    assert rows.count() == 2
    assert words["sent_badge"] in rows.first.inner_text()
    assert reply.subject in rows.first.inner_text()

    # The caseworker's dashboard shows the reply in the case's thread.
    sign_out(page)
    sign_in(page, case.assigned_staff_profile.user.email, TEST_PASSWORD)
    page.goto(f"/dashboard/cases/{case.pk}/")
    assert reply.subject in page.locator("table.message-table").inner_text()


def test_message_tied_only_to_an_application_shows_its_booking_reference(page):
    application = ApplicationFactory()
    applicant = application.submission.user
    message = Message.objects.create(
        sender=applicant,
        application=application,
        direction=Message.Direction.APPLICANT_TO_STAFF,
        subject="Before my case opened",
        body="Hello",
    )

    sign_in(page, applicant.email, TEST_PASSWORD)
    page.goto(f"/messages/{message.pk}/")

    summary = page.locator("dl.summary")
    assert summary.locator("dt", has_text="Booking reference").is_visible()
    assert application.submission.reference_number in summary.inner_text()
    assert "Case team" in summary.inner_text()


def test_oversize_file_is_refused_and_typed_text_kept(page, tmp_path, settings):
    case = CaseFactory()
    big = tmp_path / "big-scan.pdf"
    big.write_bytes(PDF + b"0" * (settings.ATTACHMENT_MAX_BYTES + 1))

    sign_in(page, case.application.submission.user.email, TEST_PASSWORD)
    page.goto("/messages/new/")
    page.fill("#id_subject", "My bank statement")
    page.fill("#id_body", "Typed with care.\nSecond line.")
    page.set_input_files("#id_attachments", str(big))
    page.get_by_role("button", name="Send message").click()
    page.wait_for_load_state()

    alert = page.get_by_role("alert")
    assert "“big-scan.pdf” is larger than 10.0\xa0MB, the limit for one file." in alert.inner_text()
    assert "choose the files again" in alert.inner_text()
    assert page.input_value("#id_subject") == "My bank statement"
    assert page.input_value("#id_body") == "Typed with care.\nSecond line."
    assert page.get_attribute("#id_attachments", "aria-invalid") == "true"
    alert.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_attachments"
    screenshot(page, "portal-compose-error-en")
    assert axe_violations(page) == []
    assert not Message.objects.exists()


def test_second_applicant_typing_urls_gets_not_found(page):
    case = CaseFactory()
    message = caseworker_writes(case, files=[SimpleUploadedFile("form.pdf", PDF, "application/pdf")])
    attachment = message.attachments.get()
    second = ApplicationFactory().submission.user

    sign_in(page, second.email, TEST_PASSWORD)
    for url in (f"/messages/{message.pk}/", f"/messages/{message.pk}/attachments/{attachment.pk}/"):
        response = page.goto(url)
        assert response.status == 404
        assert page.get_by_role("heading", name="Page not found").is_visible()
    assert "Documents needed" not in page.content()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_compose_is_accessible_in_both_languages(page, language):
    case = CaseFactory()
    second = ApplicationFactory(submission__user=case.application.submission.user)

    sign_in(page, case.application.submission.user.email, TEST_PASSWORD)
    switch_language(page, language)
    page.goto("/messages/new/")

    options = page.locator("#id_thread option").all_inner_texts()
    assert case.application.submission.reference_number in options
    assert second.submission.reference_number in options
    screenshot(page, f"portal-compose-{language}")
    assert axe_violations(page) == []

    page.get_by_role("button").filter(has_text="Envoyer" if language == "fr" else "Send").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").is_visible()
    screenshot(page, f"portal-compose-errors-{language}")
    assert axe_violations(page) == []


@pytest.mark.parametrize("language", ["en", "fr"])
def test_empty_states_are_accessible(page, language):
    application = ApplicationFactory()

    sign_in(page, application.submission.user.email, TEST_PASSWORD)
    switch_language(page, language)
    screenshot(page, f"portal-inbox-empty-{language}")
    assert axe_violations(page) == []


def test_inbox_and_details_fit_a_narrow_screen(page):
    case = CaseFactory()
    message = caseworker_writes(case, subject="A rather long subject about the documents we still need from you")
    page.set_viewport_size({"width": 375, "height": 800})

    sign_in(page, case.application.submission.user.email, TEST_PASSWORD)
    screenshot(page, "portal-inbox-375")
    unread = page.locator("table.inbox .badge--unread").bounding_box()
    assert unread["x"] + unread["width"] <= 375
    assert page.evaluate("(el => el.scrollWidth <= el.clientWidth)(document.querySelector('.table-wrap'))")
    assert axe_violations(page) == []
    page.goto(f"/messages/{message.pk}/")
    screenshot(page, "portal-details-375")

    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert axe_violations(page) == []
