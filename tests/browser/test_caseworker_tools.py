"""Caseworker tools in a real browser: a caseworker answers with a saved reply
(filled in place by the page's script, and by a reload without JavaScript)
and writes an internal note mentioning a supervisor, whose queue marks the
case; staff and applicants search messages (the form posts: the words never
reach the URL). In English and French, axe clean at a desk's width and a
phone's."""

import re

import pytest
from playwright.sync_api import expect

from casework.tests.factories import TEST_PASSWORD, CaseFactory, StaffProfileFactory, SupervisorProfileFactory
from intake.models import CaseNote, Message, SavedReply
from tests.browser.conftest import heading, sign_in, sign_out, switch_language
from tests.browser.test_dashboard import applicant_writes
from tests.browser.test_dashboard_conversation import at_each_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "case": "Case {}",
        "picker": "Saved reply",
        "use": "Use this reply",
        "filled": "The saved reply “Documents received” is in the message below.",
        "message": "Message",
        "send": "Send message",
        "sent": "Your message was sent to the applicant.",
        "note": "Note",
        "add": "Add note",
        "added": "Your note was added. Only staff can see it.",
        "note_by": "Note by Casey Worker",
        "mentioned": "Mentioned",
        "search": "Search messages",
        "words": "Words to find",
        "search_button": "Search",
        "replies": "Saved replies",
        "preview": "Preview",
    },
    "fr": {
        "case": "Dossier {}",
        "picker": "Réponse enregistrée",
        "use": "Utiliser cette réponse",
        "filled": "La réponse enregistrée « Documents received » est dans le message ci-dessous.",
        "message": "Message",
        "send": "Envoyer le message",
        "sent": "Votre message a été envoyé au demandeur.",
        "note": "Note",
        "add": "Ajouter la note",
        "added": "Votre note a été ajoutée. Seul le personnel peut la voir.",
        "note_by": "Note de Casey Worker",
        "mentioned": "Mentionné",
        "search": "Rechercher des messages",
        "words": "Mots à trouver",
        "search_button": "Rechercher",
        "replies": "Réponses enregistrées",
        "preview": "Aperçu",
    },
}

# The reply as the applicant gets it, in their language (the applicant's, not the caseworker's page).
FILLED = {
    "en": "Hello Aiyana,\nWe received your documents for {reference}.\nCasey Worker",
    "fr": "Bonjour Aiyana,\nNous avons reçu vos documents pour {reference}.\nCasey Worker",
}


def team_reply():
    author = SupervisorProfileFactory().user
    return SavedReply.objects.create(
        owner_user=None,
        title="Documents received",
        subject_en="Your documents",
        body_en="Hello {applicant_first_name},\nWe received your documents for {booking_reference}.\n{caseworker_name}",
        subject_fr="Vos documents",
        body_fr="Bonjour {applicant_first_name},\nNous avons reçu vos documents pour {booking_reference}.\n{caseworker_name}",
        created_by_user=author,
        updated_by_user=author,
    )


def case_of(caseworker, language):
    return CaseFactory(
        assigned_staff_profile=caseworker,
        application__submission__user__first_name="Aiyana",
        application__submission__user__preferred_language=language,
    )


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_caseworker_answers_with_a_saved_reply_in_the_applicants_language(page, language):
    words = WORDS[language]
    caseworker = StaffProfileFactory(display_name="Casey Worker", user__preferred_language=language)
    case = case_of(caseworker, language)
    reference = case.application.submission.reference_number
    team_reply()

    sign_in(page, caseworker.user.email, TEST_PASSWORD)
    switch_language(page, language)
    page.goto(f"/dashboard/cases/{case.pk}/")
    expect(heading(page)).to_have_text(words["case"].format(reference))
    page.get_by_label(words["picker"]).select_option(label="Documents received")
    page.get_by_role("button", name=words["use"]).click()

    # Filled in place by the script: the page did not reload.
    body = page.get_by_label(words["message"], exact=True)
    expect(body).to_have_value(FILLED[language].format(reference=reference))
    expect(page.get_by_role("status").filter(has_text=words["filled"])).to_be_visible()
    expect(page).to_have_url(f"/dashboard/cases/{case.pk}/")
    at_each_width(page, f"saved-reply-filled-{language}")

    body.fill(body.input_value() + "\nWe will call you on Friday.")
    page.get_by_role("button", name=words["send"]).click()
    expect(page.get_by_role("status").filter(has_text=words["sent"])).to_be_visible()
    sent = Message.objects.get(case=case)
    # Browsers send a textarea's lines with CRLF.
    assert sent.body.replace("\r\n", "\n") == FILLED[language].format(reference=reference) + "\nWe will call you on Friday."
    assert sent.subject == ("Vos documents" if language == "fr" else "Your documents")


def test_without_javascript_the_reply_comes_back_in_the_reloaded_page(browser, base_url):
    caseworker = StaffProfileFactory(display_name="Casey Worker")
    case = case_of(caseworker, "fr")
    question = applicant_writes(case, subject="Mes documents")
    reference = case.application.submission.reference_number
    reply = team_reply()
    context = browser.new_context(base_url=base_url, java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()

    sign_in(page, caseworker.user.email, TEST_PASSWORD)
    page.goto(f"/dashboard/cases/{case.pk}/messages/{question.pk}/")
    page.get_by_label("Saved reply").select_option(label="Documents received")
    page.get_by_role("button", name="Use this reply").click()

    expect(page).to_have_url(f"/dashboard/cases/{case.pk}/messages/{question.pk}/?saved_reply={reply.pk}#compose-heading")
    expect(page.get_by_label("Message", exact=True)).to_have_value(FILLED["fr"].format(reference=reference))
    # Answering a message keeps its subject.
    expect(page.get_by_label("Subject")).to_have_value("Re: Mes documents")
    context.close()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_caseworker_writes_a_note_that_marks_the_supervisors_queue(page, language):
    words = WORDS[language]
    caseworker = StaffProfileFactory(display_name="Casey Worker", user__preferred_language=language)
    supervisor = SupervisorProfileFactory(display_name="Sam Supervisor")
    case = case_of(caseworker, "en")
    question = applicant_writes(case, subject="Start date", body="When do I start?")
    reference = case.application.submission.reference_number

    sign_in(page, caseworker.user.email, TEST_PASSWORD)
    switch_language(page, language)
    page.goto(f"/dashboard/cases/{case.pk}/messages/{question.pk}/")
    notes = page.get_by_role("region", name="Notes internes" if language == "fr" else "Internal notes")
    notes.get_by_label(words["note"], exact=True).fill("Called the employer: the start date is confirmed.")
    notes.get_by_label("@Sam Supervisor").check()
    notes.get_by_role("button", name=words["add"]).click()

    expect(page.get_by_role("status").filter(has_text=words["added"])).to_be_visible()
    note = notes.get_by_role("article")
    expect(note).to_have_count(1)
    expect(note.get_by_role("heading")).to_have_text(words["note_by"])
    expect(note).to_contain_text("Called the employer: the start date is confirmed.")
    expect(note).to_contain_text("Start date")
    expect(note).to_contain_text("@Sam Supervisor")
    at_each_width(page, f"note-written-{language}")
    assert CaseNote.objects.get().about_message_id == question.pk
    sign_out(page)

    sign_in(page, supervisor.user.email, TEST_PASSWORD)
    switch_language(page, language)
    page.goto("/dashboard/?view=all")
    row = page.locator("table.queue-table tbody tr", has_text=reference)
    expect(row.locator(".badge--mention")).to_contain_text(words["mentioned"])
    row.get_by_role("link").first.click()
    expect(heading(page)).to_have_text(words["case"].format(reference))
    page.goto("/dashboard/?view=all")
    expect(page.locator("table.queue-table tbody tr", has_text=reference).locator(".badge--mention")).to_have_count(0)
    sign_out(page)

    sign_in(page, case.application.submission.user.email, TEST_PASSWORD)
    page.goto(f"/messages/{question.pk}/")
    expect(page.get_by_role("main")).to_contain_text("When do I start?")
    expect(page.get_by_role("main")).not_to_contain_text("Called the employer")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_staff_and_applicants_search_messages_and_staff_manage_saved_replies(page, language):
    words = WORDS[language]
    caseworker = StaffProfileFactory(display_name="Casey Worker", user__preferred_language=language)
    case = case_of(caseworker, "fr")
    applicant_writes(case, subject="Accusé de réception", body="Avez-vous reçu mon talon de paie?")
    CaseFactory()  # someone else's case, with no message the caseworker could find

    sign_in(page, caseworker.user.email, TEST_PASSWORD)
    switch_language(page, language)
    page.get_by_role("link", name=words["search"]).click()
    page.get_by_label(words["words"]).fill("recu talon")
    page.get_by_role("button", name=words["search_button"], exact=True).click()
    expect(page).to_have_url(re.compile(r"/dashboard/search/\?search=[\w-]+$"))
    expect(page.get_by_label(words["words"])).to_have_value("recu talon")
    results = page.locator("table.search-table tbody tr")
    expect(results).to_have_count(1)
    expect(results).to_contain_text("Accusé de réception")
    expect(results).to_contain_text(case.application.submission.reference_number)
    expect(page.get_by_role("main")).not_to_contain_text("talon de paie?")
    at_each_width(page, f"search-staff-{language}")

    page.get_by_role("link", name=words["replies"]).click()
    page.get_by_role("link", name="Nouvelle réponse enregistrée" if language == "fr" else "New saved reply").click()
    page.get_by_label("Titre" if language == "fr" else "Title").fill("Pay stub")
    page.get_by_label("Message en anglais" if language == "fr" else "Message in English").fill("Hello {applicant_first_name}, thanks.")
    page.get_by_label("Message en français" if language == "fr" else "Message in French").fill("Bonjour {applicant_first_name}, merci.")
    page.get_by_role("button", name=words["preview"]).click()
    expect(page.get_by_role("main")).to_contain_text("Bonjour Aiyana, merci.")
    at_each_width(page, f"saved-reply-preview-{language}")
    sign_out(page)

    sign_in(page, case.application.submission.user.email, TEST_PASSWORD)
    switch_language(page, language)
    page.get_by_role("link", name=words["search_button"], exact=True).click()
    page.get_by_label(words["words"]).fill("reçu")
    page.get_by_role("button", name=words["search_button"], exact=True).click()
    expect(page).to_have_url(re.compile(r"/messages/search/\?search=[\w-]+$"))
    expect(page.locator("table.search-table tbody tr")).to_have_count(1)
    at_each_width(page, f"search-applicant-{language}")
