"""The applicant portal in real Chromium: read, reply, compose, in English and
French, with axe on every page and a screenshot of each (artifacts/)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from casework.tests.factories import TEST_PASSWORD, ApplicationFactory, CaseFactory
from intake.models import Message
from intake.services.sending import message_send_to_case
from tests.browser.conftest import axe_violations, heading, screenshot, sign_in, sign_out, switch_language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
INBOX_HEADING = {"en": "Secure messages", "fr": "Messages sécurisés"}
COMPOSE_HEADING = {"en": "Write a message", "fr": "Écrire un message"}
REFERENCE_LABEL = {"en": "Booking reference", "fr": "Numéro de référence"}


def caseworker_writes(case, subject="Documents needed", files=()):
    return message_send_to_case(
        staff_user=case.assigned_staff_profile.user,
        case=case,
        subject=subject,
        body="Please send your latest pay stub.\nThank you.",
        files=files,
    )


def pdf_file(tmp_path, name="pay-stub.pdf"):
    path = tmp_path / name
    path.write_bytes(PDF)
    return path


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "en",
            {
                "unread": "1 unread",
                "new": "New message",
                "waiting": "Waiting for the case team",
                "reference": "Booking reference",
                "filter": "Show conversations about",
                "show": "Show",
                "send": "Send reply",
                "sent": "Your message was sent.",
                "not_read": "Sent, not read by the case team yet",
                "this_message": "This message",
                "re": "Re: Documents needed",
            },
        ),
        (
            "fr",
            {
                "unread": "1 non lu",
                "new": "Nouveau message",
                "waiting": "En attente de l'équipe du dossier",
                "reference": "Numéro de référence",
                "filter": "Afficher les conversations au sujet de",
                "show": "Afficher",
                "send": "Envoyer la réponse",
                "sent": "Votre message a été envoyé.",
                "not_read": "Envoyé, pas encore lu par l’équipe du dossier",
                "this_message": "Ce message",
                "re": "RE : Documents needed",
            },
        ),
    ],
)
def test_applicant_with_two_applications_reads_and_answers_a_conversation(page, tmp_path, language, words):
    case = CaseFactory()
    reference = case.application.submission.reference_number
    applicant = case.application.submission.user
    other = ApplicationFactory(submission__user=applicant, submission__intake_payload={"program": "Welding"})
    Message.objects.create(
        sender=applicant,
        application=other,
        direction=Message.Direction.APPLICANT_TO_STAFF,
        subject="About my welding course",
        body="Hello",
    )
    incoming = caseworker_writes(case, files=[SimpleUploadedFile("form.pdf", PDF, "application/pdf")])

    sign_in(page, applicant.email, TEST_PASSWORD)
    switch_language(page, language)
    expect(heading(page)).to_have_text(INBOX_HEADING[language])
    rows = page.locator("table.inbox tbody tr")
    expect(rows).to_have_count(2)
    row = rows.first
    expect(row).to_contain_text("Documents needed")
    expect(row).to_contain_text(reference)
    expect(row.locator(".badge--unread")).to_have_text(words["unread"])
    expect(row).to_contain_text(words["new"])
    expect(rows.nth(1)).to_contain_text(words["waiting"])
    expect(page.locator(".badge--nav")).to_be_visible()
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"portal-inbox-{language}-{width}")
        assert axe_violations(page) == []
    page.set_viewport_size({"width": 1280, "height": 900})

    # One application at a time, without JavaScript: a choice and a button.
    page.get_by_label(words["filter"]).select_option(str(case.application_id))
    page.get_by_role("button", name=words["show"], exact=True).click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(reference)

    rows.first.get_by_role("link", name="Documents needed", exact=True).click()
    expect(page).to_have_url(f"/messages/applications/{case.application_id}/")
    expect(heading(page)).to_contain_text(reference)
    article = page.locator(f"#message-{incoming.pk}")
    # A pattern, so the text is compared as it is (to_have_text("...") would
    # fold the line break into a space).
    body = article.locator(".message-body")
    expect(body).to_have_text(re.compile(r"^Please send your latest pay stub\.\nThank you\.$"))
    expect(body).to_have_css("white-space", "pre-wrap")
    expect(article.get_by_role("link", name="form.pdf")).to_be_visible()
    expect(page.locator(".badge--nav")).to_have_count(0)
    expect(page.locator("#id_subject")).to_have_value(words["re"])
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"portal-conversation-{language}-{width}")
        assert axe_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.set_viewport_size({"width": 1280, "height": 900})

    page.locator("#id_body").fill("Here is my pay stub.")
    page.locator("#id_attachments").set_input_files(str(pdf_file(tmp_path)))
    page.get_by_role("button", name=words["send"]).click()

    expect(page.get_by_role("status")).to_contain_text(words["sent"])
    reply = Message.objects.get(body="Here is my pay stub.")
    assert (reply.reply_to_id, reply.case_id) == (incoming.pk, case.pk)
    expect(page).to_have_url(f"/messages/applications/{case.application_id}/#message-{reply.pk}")
    mine = page.locator(f"#message-{reply.pk}")
    expect(mine).to_contain_text(words["not_read"])
    expect(mine.get_by_role("link", name="pay-stub.pdf")).to_be_visible()
    screenshot(page, f"portal-sent-{language}")
    assert axe_violations(page) == []

    # MessageDetails still works for old links: the message within its conversation.
    page.locator(f"#message-{incoming.pk}").get_by_role("link", name="Documents needed", exact=True).click()
    expect(page).to_have_url(f"/messages/{incoming.pk}/")
    summary = page.locator("dl.summary")
    reference_term = summary.locator("dt", has_text=words["reference"])
    expect(reference_term.locator("xpath=following-sibling::dd[1]")).to_have_text(reference)
    expect(page.locator("article[aria-current=true]")).to_contain_text(words["this_message"])
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"portal-details-{language}-{width}")
        assert axe_violations(page) == []
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto("/messages/")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(reply.subject)
    expect(rows.first).to_contain_text(words["waiting"])

    # The caseworker's dashboard shows the reply in the case's thread.
    sign_out(page)
    sign_in(page, case.assigned_staff_profile.user.email, TEST_PASSWORD)
    page.goto(f"/dashboard/cases/{case.pk}/")
    expect(page.locator("table.message-table")).to_contain_text(reply.subject)


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
    expect(heading(page)).to_have_text("Before my case opened")

    summary = page.locator("dl.summary")
    reference_term = summary.locator("dt", has_text="Booking reference")
    expect(reference_term).to_be_visible()
    expect(summary).to_contain_text(application.submission.reference_number)
    expect(reference_term.locator("xpath=following-sibling::dd[1]")).to_have_text(
        application.submission.reference_number
    )
    expect(summary).to_contain_text("Case team")


def test_oversize_file_is_refused_and_typed_text_kept(page, tmp_path, settings):
    case = CaseFactory()
    big = tmp_path / "big-scan.pdf"
    big.write_bytes(PDF + b"0" * (settings.ATTACHMENT_MAX_BYTES + 1))

    sign_in(page, case.application.submission.user.email, TEST_PASSWORD)
    page.goto("/messages/new/")
    expect(heading(page)).to_have_text("Write a message")
    page.locator("#id_subject").fill("My bank statement")
    page.locator("#id_body").fill("Typed with care.\nSecond line.")
    page.locator("#id_attachments").set_input_files(str(big))
    page.get_by_role("button", name="Send message").click()

    alert = page.get_by_role("alert")
    # A pattern, so the no-break space between size and unit is checked as
    # such (to_contain_text("...") would accept any space there).
    expect(alert).to_contain_text(re.compile(r"“big-scan\.pdf” is larger than 10\xa0MB, the limit for one file\."))
    expect(alert).to_contain_text("choose the files again")
    expect(page).to_have_url("/messages/new/")
    expect(page.locator("#id_subject")).to_have_value("My bank statement")
    expect(page.locator("#id_body")).to_have_value("Typed with care.\nSecond line.")
    expect(page.locator("#id_attachments")).to_have_attribute("aria-invalid", "true")
    alert.get_by_role("link").first.click()
    expect(page.locator("#id_attachments")).to_be_focused()
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
        expect(heading(page)).to_have_text("Page not found")
        # Neither the served HTML (attributes included) nor the rendered page names the message.
        assert "Documents needed" not in response.text()
        expect(page.locator("html")).not_to_contain_text("Documents needed")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_compose_is_accessible_in_both_languages(page, language):
    case = CaseFactory()
    second = ApplicationFactory(submission__user=case.application.submission.user)

    sign_in(page, case.application.submission.user.email, TEST_PASSWORD)
    switch_language(page, language)
    page.goto("/messages/new/")
    expect(heading(page)).to_have_text(COMPOSE_HEADING[language])

    choice = page.get_by_label(REFERENCE_LABEL[language], exact=True)
    for reference in (case.application.submission.reference_number, second.submission.reference_number):
        expect(choice.locator("option", has_text=reference)).to_have_text(reference)
    screenshot(page, f"portal-compose-{language}")
    assert axe_violations(page) == []

    page.get_by_role("button").filter(has_text="Envoyer" if language == "fr" else "Send").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(heading(page)).to_have_text(COMPOSE_HEADING[language])
    screenshot(page, f"portal-compose-errors-{language}")
    assert axe_violations(page) == []


@pytest.mark.parametrize("language", ["en", "fr"])
def test_empty_states_are_accessible(page, language):
    application = ApplicationFactory()

    sign_in(page, application.submission.user.email, TEST_PASSWORD)
    switch_language(page, language)
    expect(heading(page)).to_have_text(INBOX_HEADING[language])
    screenshot(page, f"portal-inbox-empty-{language}")
    assert axe_violations(page) == []


def test_inbox_and_details_fit_a_narrow_screen(page):
    case = CaseFactory()
    message = caseworker_writes(case, subject="A rather long subject about the documents we still need from you")
    page.set_viewport_size({"width": 375, "height": 800})

    sign_in(page, case.application.submission.user.email, TEST_PASSWORD)
    expect(heading(page)).to_have_text("Secure messages")
    screenshot(page, "portal-inbox-375")
    # Layout is measured once the page (and its stylesheet) has loaded: screenshot() waits for that.
    unread = page.locator("table.inbox .badge--unread")
    expect(unread).to_be_visible()
    box = unread.bounding_box()
    assert box["x"] + box["width"] <= 375
    assert page.evaluate("(el => el.scrollWidth <= el.clientWidth)(document.querySelector('.table-wrap'))")
    assert axe_violations(page) == []
    page.goto(f"/messages/{message.pk}/")
    expect(heading(page)).to_have_text(message.subject)
    screenshot(page, "portal-details-375")

    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert axe_violations(page) == []
