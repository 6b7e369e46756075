"""An urgent message with a due date (issue 16): the caseworker picks the date
in the case page's form, and the applicant reads what to do and by when, in
English and French, axe-clean at 1280 and 375 px."""

from datetime import timedelta

import pytest
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from casework.tests.factories import TEST_PASSWORD, CaseFactory
from intake.models import Message
from tests.browser.conftest import sign_in, sign_out, switch_language
from tests.browser.test_dashboard_conversation import at_each_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {"send": "Send message", "urgent": "Urgent", "due": "Due date", "asks": "please do what this message asks by"},
    "fr": {"send": "Envoyer le message", "urgent": "Urgent", "due": "Date limite", "asks": "veuillez faire ce que demande ce message d'ici le"},
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_caseworker_gives_a_due_date_and_the_applicant_reads_it(page, language):
    words = WORDS[language]
    case = CaseFactory()
    due = timezone.localdate() + timedelta(days=6)
    with translation.override(language):
        shown = formats.date_format(due, "DATE_FORMAT")
    sign_in(page, case.assigned_staff_profile.user.email, TEST_PASSWORD)
    switch_language(page, language)

    page.goto(f"/dashboard/cases/{case.pk}/")
    form = page.locator("section.compose form")
    form.locator("#id_subject").fill("Pay stub")
    form.locator("#id_body").fill("Please send your latest pay stub.")
    form.get_by_label(words["urgent"], exact=True).check()
    form.get_by_label(words["due"]).fill(due.isoformat())
    form.get_by_role("button", name=words["send"]).click()

    message = Message.objects.get()
    assert (message.urgent, message.due_date) == (True, due)
    expect(page.locator("main")).to_contain_text(shown)
    at_each_width(page, f"due-date-staff-{language}")
    sign_out(page)

    sign_in(page, case.application.submission.user.email, TEST_PASSWORD)
    switch_language(page, language)
    page.goto(f"/messages/applications/{case.application_id}/")
    expect(page.locator(".urgent-note")).to_contain_text(f"{words['asks']} {shown}")
    at_each_width(page, f"due-date-applicant-{language}")
