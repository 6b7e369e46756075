"""A reply sent after the session ended (issue 16): the sign-in page says the
message was not sent and the text is kept; after signing in, the form holds
it. In English and French, axe-clean at 1280 and 375 px."""

import pytest
from playwright.sync_api import expect

from casework.tests.factories import TEST_PASSWORD, CaseFactory
from intake.models import Message
from tests.browser.conftest import sign_in, switch_language
from tests.browser.test_dashboard_conversation import at_each_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {"send": "Send message", "kept": "What you typed is kept", "sign_in": "Sign in"},
    "fr": {"send": "Envoyer le message", "kept": "Ce que vous avez écrit est conservé", "sign_in": "Se connecter"},
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_reply_after_the_session_ended_comes_back_after_sign_in(page, context, language):
    words = WORDS[language]
    case = CaseFactory()
    applicant = case.application.submission.user
    sign_in(page, applicant.email, TEST_PASSWORD)
    switch_language(page, language)
    conversation = f"/messages/applications/{case.application_id}/"
    page.goto(conversation)
    page.locator("#id_subject").fill("Pay stubs")
    page.locator("#id_body").fill("My pay stubs for March are attached.")

    context.clear_cookies(name="sessionid")  # the session ends while the person writes
    page.locator("main form[method=post]").get_by_role("button", name=words["send"], exact=True).click()

    expect(page.locator("main .notice")).to_contain_text(words["kept"])
    assert not Message.objects.exists()
    at_each_width(page, f"kept-text-sign-in-{language}")
    page.locator("#id_username").fill(applicant.email)
    page.locator("#id_password").fill(TEST_PASSWORD)
    page.locator("main form").get_by_role("button", name=words["sign_in"]).click()

    expect(page).to_have_url(f"{page.url.split('/messages/')[0]}{conversation}")
    expect(page.locator("#id_subject")).to_have_value("Pay stubs")
    expect(page.locator("#id_body")).to_have_value("My pay stubs for March are attached.")
