"""Errors you can see (issue 16): a send that fails validation comes back with
the error summary as the first thing in <main>, focused, the title starting
"Error:", and every invalid input red; and sending the same form twice
(Back, then Send again) sends one message. In English and French."""

import pytest
from playwright.sync_api import expect

from casework.tests.factories import TEST_PASSWORD, CaseFactory
from intake.models import Message
from tests.browser.conftest import heading, screenshot, sign_in, switch_language
from tests.browser.test_dashboard_conversation import at_each_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {"error": "Error: ", "send": "Send message", "send_staff": "Send message", "already": "You already sent this message"},
    "fr": {"error": "Erreur : ", "send": "Envoyer le message", "send_staff": "Envoyer le message", "already": "Vous avez déjà envoyé ce message"},
}
ERROR_RED = "rgb(164, 0, 29)"


def _summary_is_first_and_focused(page, words):
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    assert page.evaluate("document.querySelector('main').firstElementChild.id") == "error-summary"
    assert page.title().startswith(words["error"])
    # Scrolled to: the summary is on the screen, not 2,500 px down the page.
    box = summary.bounding_box()
    assert box is not None and box["y"] < page.viewport_size["height"]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_applicant_sees_the_error_first_and_every_bad_field_red(page, language):
    words = WORDS[language]
    case = CaseFactory()
    sign_in(page, case.application.submission.user.email, TEST_PASSWORD)
    switch_language(page, language)

    page.goto("/messages/new/")
    page.locator("#id_subject").fill("   ")
    page.locator("#id_body").fill("")
    page.locator("main form[method=post]").get_by_role("button", name=words["send"]).click()

    _summary_is_first_and_focused(page, words)
    for field in ("#id_subject", "#id_body"):
        assert page.eval_on_selector(field, "e => getComputedStyle(e).borderTopColor") == ERROR_RED
    at_each_width(page, f"compose-error-{language}")
    assert not Message.objects.exists()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_caseworker_sees_the_error_at_the_top_of_a_long_case_page(page, language):
    words = WORDS[language]
    case = CaseFactory()
    for number in range(15):
        Message.objects.create(
            sender=case.application.submission.user,
            case=case,
            application=case.application,
            direction=Message.Direction.APPLICANT_TO_STAFF,
            subject=f"Question {number}",
            body="Some words.",
        )
    sign_in(page, case.assigned_staff_profile.user.email, TEST_PASSWORD)
    switch_language(page, language)

    page.goto(f"/dashboard/cases/{case.pk}/")
    page.locator("#id_body").fill("Typed, but no subject.")
    page.locator("#id_subject").fill("")
    page.locator("section.compose form").get_by_role("button", name=words["send_staff"]).click()

    _summary_is_first_and_focused(page, words)
    expect(page.locator("#id_body")).to_have_value("Typed, but no subject.")
    screenshot(page, f"case-reply-error-{language}")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_back_then_send_again_creates_nothing(page, language):
    words = WORDS[language]
    case = CaseFactory()
    sign_in(page, case.application.submission.user.email, TEST_PASSWORD)
    switch_language(page, language)

    page.goto("/messages/new/")
    page.locator("#id_subject").fill("My start date")
    page.locator("#id_body").fill("Is it Monday?")
    key = page.locator("#id_submission_key").input_value()
    page.locator("main form[method=post]").get_by_role("button", name=words["send"]).click()
    expect(heading(page)).to_have_text("My start date")
    page.go_back()
    expect(page.locator("#id_subject")).to_be_visible()
    if page.locator("#id_submission_key").input_value() != key:
        # This browser fetched the page again instead of restoring it (signed-in
        # pages are not cached): put back what a restoring browser keeps.
        page.locator("#id_subject").fill("My start date")
        page.locator("#id_body").fill("Is it Monday?")
        page.eval_on_selector("#id_submission_key", "(field, key) => { field.value = key; }", key)
    page.locator("main form[method=post]").get_by_role("button", name=words["send"]).click()

    expect(page.locator(".flash")).to_contain_text(words["already"])
    assert Message.objects.count() == 1


def test_a_double_click_sends_one_message(page):
    case = CaseFactory()
    sign_in(page, case.application.submission.user.email, TEST_PASSWORD)

    page.goto("/messages/new/")
    page.locator("#id_subject").fill("Twice?")
    page.locator("#id_body").fill("Clicked twice.")
    page.locator("main form[method=post]").get_by_role("button", name="Send message").dblclick()

    expect(heading(page)).to_have_text("Twice?")
    assert Message.objects.filter(subject="Twice?").count() == 1


REASON = {
    "en": ("Sent in error: the applicant can ignore it", "it was sent to you in error", "Withdraw message"),
    "fr": ("Envoyé par erreur : le demandeur peut l’ignorer", "il vous a été envoyé par erreur", "Retirer le message"),
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_withdrawal_reason_reaches_the_applicant(page, language):
    from intake.services.sending import message_send_to_case

    label, notice, button = REASON[language]
    case = CaseFactory()
    sent = message_send_to_case(staff_user=case.assigned_staff_profile.user, case=case, subject="Pay stub", body="x")
    sign_in(page, case.assigned_staff_profile.user.email, TEST_PASSWORD)
    switch_language(page, language)

    page.goto(f"/dashboard/cases/{case.pk}/messages/{sent.pk}/withdraw/")
    page.get_by_label(label).check()
    at_each_width(page, f"withdraw-reason-{language}")
    page.get_by_role("button", name=button).click()
    expect(page.locator(".flash")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, case.application.submission.user.email, TEST_PASSWORD)
    switch_language(page, language)
    page.goto(f"/messages/{sent.pk}/")
    expect(page.get_by_role("main")).to_contain_text(notice)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_draft_survives_a_language_switch_and_signing_in_again(page, language):
    case = CaseFactory()
    applicant = case.application.submission.user
    sign_in(page, applicant.email, TEST_PASSWORD)
    switch_language(page, language)

    page.goto(f"/messages/applications/{case.application_id}/")
    page.locator("#id_subject").fill("My start date")
    page.locator("#id_body").fill("Typed, then the language switched")
    # The page's script saves the draft every few seconds and as the language switches.
    expect(page.locator(".draft-controls__status")).not_to_be_empty(timeout=15000)
    switch_language(page, "en" if language == "fr" else "fr")
    expect(page.locator("#id_body")).to_have_value("Typed, then the language switched")

    page.context.clear_cookies()
    sign_in(page, applicant.email, TEST_PASSWORD)
    page.goto(f"/messages/applications/{case.application_id}/")
    expect(page.locator("#id_subject")).to_have_value("My start date")
    expect(page.locator("#id_body")).to_have_value("Typed, then the language switched")
    expect(page.locator(".draft-controls__restored")).to_be_visible()
    at_each_width(page, f"draft-restored-{language}")
    assert not Message.objects.exists()
