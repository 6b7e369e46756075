"""The work queue in a real browser: a caseworker starts from "Awaiting our
reply", answers the applicant who waited longest, and the conversation leaves
the view; in English and French, at a desk's width and a phone's."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casework.tests.factories import TEST_PASSWORD, CaseFactory, StaffProfileFactory
from intake.models import Message
from intake.services.sending import message_send_to_case
from tests.browser.conftest import heading, sign_in, switch_language
from tests.browser.test_dashboard import applicant_writes
from tests.browser.test_dashboard_conversation import at_each_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "title": "Work queue",
        "views": "Queue views",
        "awaiting": "Awaiting our reply",
        "send": "Send reply",
        "past": "Past target",
        "nobody": "Nobody is waiting for an answer. Well done.",
    },
    "fr": {
        "title": "File de travail",
        "views": "Vues de la file",
        "awaiting": "En attente de notre réponse",
        "send": "Envoyer la réponse",
        "past": "Délai dépassé",
        "nobody": "Personne n'attend de réponse. Bravo.",
    },
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_caseworker_answers_the_longest_wait_from_the_queue(page, language):
    words = WORDS[language]
    caseworker = StaffProfileFactory()
    late, recent = CaseFactory(assigned_staff_profile=caseworker), CaseFactory(assigned_staff_profile=caseworker)
    question = applicant_writes(late, subject="Funding question", body="When will I know?")
    # Written a week ago: past the response target of 2 business days.
    Message.objects.filter(pk=question.pk).update(created_at=timezone.now() - timedelta(days=7))
    applicant_writes(recent, subject="Start date", body="Is Monday fine?")
    late_applicant = str(late.application.submission.user)

    sign_in(page, caseworker.user.email, TEST_PASSWORD)
    switch_language(page, language)
    expect(heading(page)).to_have_text(words["title"])
    views = page.get_by_role("navigation", name=words["views"])
    expect(views.get_by_role("link", name=f"{words['awaiting']} (2)")).to_have_attribute("aria-current", "page")
    rows = page.locator("table.queue-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(late.application.submission.reference_number)
    expect(rows.first.locator(".badge--overdue")).to_have_text(words["past"])
    at_each_width(page, f"queue-awaiting-{language}")

    rows.first.get_by_role("link", name=late_applicant, exact=True).click()
    expect(page).to_have_url(f"/dashboard/cases/{late.pk}/")
    page.get_by_role("link", name="Funding question", exact=True).click()
    page.locator("#id_body").fill("You will hear from us on Friday.")
    page.get_by_role("button", name=words["send"]).click()
    expect(page.locator(".flash")).to_be_visible()

    page.goto("/dashboard/")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(recent.application.submission.reference_number)
    expect(views.get_by_role("link", name=f"{words['awaiting']} (1)")).to_be_visible()
    message_send_to_case(staff_user=caseworker.user, case=recent, subject="Re: Start date", body="Yes.")
    page.reload()
    expect(page.get_by_role("main")).to_contain_text(words["nobody"])
    at_each_width(page, f"queue-empty-{language}")
