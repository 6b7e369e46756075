"""The pages anyone can open, printing, and the applicant's read status
(issue 16), in real Chromium: every footer page loads in English and French
and is axe-clean at 1280 and 375 px; printing a conversation keeps the
messages, their dates and the booking reference and drops navigation, forms
and buttons; an applicant sees when the case team read their message."""

import pytest
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from casework.tests.factories import TEST_PASSWORD, CaseFactory
from intake.models import Message
from intake.services.read_state import message_mark_read
from intake.services.sending import message_send_from_applicant, message_send_to_case
from tests.browser.conftest import heading, screenshot, sign_in, switch_language
from tests.browser.test_dashboard_conversation import at_each_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOOTER = {
    "en": ["Contact us", "Privacy", "Terms of use", "Accessibility", "Help"],
    "fr": ["Nous joindre", "Confidentialité", "Conditions d'utilisation", "Accessibilité", "Aide"],
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_footer_page_loads_and_is_axe_clean(page, language):
    page.goto("/login/")
    switch_language(page, language)
    for name in FOOTER[language]:
        page.locator("footer").get_by_role("link", name=name, exact=True).click()
        expect(heading(page)).to_be_visible()
        expect(page.locator("footer").get_by_role("link", name=name, exact=True)).to_have_attribute(
            "aria-current", "page"
        )
        assert page.evaluate("document.documentElement.lang") == language
        at_each_width(page, f"footer-{language}-{name.lower().replace(' ', '-').replace(chr(39), '')}")


def shown(page, selector):
    return page.evaluate(
        "s => [...document.querySelectorAll(s)].some(e => getComputedStyle(e).display !== 'none')", selector
    )


def test_printing_a_conversation_keeps_the_messages_and_drops_the_screen_parts(page):
    case = CaseFactory()
    applicant = case.application.submission.user
    message_send_from_applicant(applicant=applicant, application=case.application, subject="Start date", body="When?")
    message_send_to_case(staff_user=case.assigned_staff_profile.user, case=case, subject="Re: Start date", body="Monday.")
    sign_in(page, applicant.email, TEST_PASSWORD)
    page.goto(f"/messages/applications/{case.application_id}/")

    page.emulate_media(media="print")

    for screen_only in ("header.site-header", "footer.site-footer", "nav", "form", "button"):
        assert not shown(page, screen_only), screen_only
    reference = case.application.submission.reference_number
    expect(page.locator("main")).to_contain_text(reference)
    expect(page.locator("main")).to_contain_text("When?")
    expect(page.locator("main")).to_contain_text("Monday.")
    assert shown(page, ".thread-message time")
    screenshot(page, "print-conversation-en")
    page.emulate_media(media="screen")
    assert shown(page, "header.site-header") and shown(page, "form")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_applicant_sees_when_the_case_team_read_their_message(page, language):
    case = CaseFactory()
    applicant = case.application.submission.user
    sent = message_send_from_applicant(applicant=applicant, application=case.application, subject="Pay stub", body="Attached.")
    message_mark_read(message=sent, reader=case.assigned_staff_profile.user)
    read_at = Message.objects.get(pk=sent.pk).read_at
    with translation.override(language):
        when = formats.date_format(timezone.localtime(read_at), "DATETIME_FORMAT")
        expected = {"en": f"Read by the case team on {when}", "fr": f"Lu par l'équipe du dossier le {when}"}[language]
    sign_in(page, applicant.email, TEST_PASSWORD)
    switch_language(page, language)

    page.goto(f"/messages/applications/{case.application_id}/")

    expect(page.locator(f"#message-{sent.pk} .thread-message__read")).to_contain_text(expected)
    at_each_width(page, f"read-by-team-{language}")
