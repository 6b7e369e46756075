"""The staff side of conversations in a real browser: the case list's sorts and
the case page's conversation view, at a desk's width and a phone's."""

import re

import pytest
from playwright.sync_api import expect

from casework.tests.factories import TEST_PASSWORD, CaseFactory, StaffProfileFactory
from intake.models import Message
from intake.services.sending import message_send_to_case
from intake.services.withdrawal import message_withdraw
from intake.tests.helpers import upload
from tests.browser.conftest import axe_violations, heading, screenshot, sign_in, switch_language
from tests.browser.test_dashboard import applicant_writes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 375)


def at_each_width(page, name):
    """Screenshots and axe at each width, and nothing wider than the screen."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"{name}-{width}")
        assert axe_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.set_viewport_size({"width": 1280, "height": 900})


def test_caseworker_reads_the_conversation_without_marking_it_read(page):
    case = CaseFactory()
    reference = case.application.submission.reference_number
    caseworker = case.assigned_staff_profile.user
    message_send_to_case(staff_user=caseworker, case=case, subject="Welcome", body="Hello.\nWhat is your start date?")
    question = applicant_writes(
        case, subject="My start date", body="The 3rd of March.\nIs that fine?", files=[upload("pay-stub.pdf")]
    )
    wrong = message_send_to_case(staff_user=caseworker, case=case, subject="Wrong file", body="Meant for someone else")
    message_withdraw(staff_user=caseworker, case=case, message=wrong)

    sign_in(page, caseworker.email, TEST_PASSWORD)
    page.goto("/dashboard/cases/")
    page.get_by_role("link", name=reference, exact=True).click()
    expect(heading(page)).to_have_text(f"Case {reference}")
    page.get_by_role("navigation", name="Message views").get_by_role("link", name="Conversation").click()

    expect(page).to_have_url(f"/dashboard/cases/{case.pk}/?view=conversation#messages-heading")
    tab = page.get_by_role("link", name="Conversation", exact=True)
    expect(tab).to_have_attribute("aria-current", "page")
    messages = page.get_by_role("article")
    expect(messages).to_have_count(3)
    expect(messages.get_by_role("heading", level=3)).to_have_text(["Welcome", "My start date", "Message withdrawn"])
    welcome, asked, withdrawn = messages.all()
    expect(welcome.locator(".message-body")).to_have_text(re.compile(r"^Hello\.\nWhat is your start date\?$"))
    expect(welcome).to_contain_text("Not read by the applicant yet")
    expect(asked.locator(".message-body")).to_have_text(re.compile(r"^The 3rd of March\.\nIs that fine\?$"))
    expect(asked.get_by_role("link", name="pay-stub.pdf")).to_be_visible()
    expect(asked.locator(".badge--unread")).to_have_text("Unread")
    expect(withdrawn).to_contain_text("This message was withdrawn by the ISET case team.")
    expect(withdrawn).not_to_contain_text("Meant for someone else")
    at_each_width(page, "dashboard-conversation-en")

    # Reading the conversation left the applicant's question unread.
    question.refresh_from_db()
    assert question.status == Message.Status.UNREAD
    page.get_by_role("link", name="All cases", exact=True).click()
    expect(page.locator("table.case-table tbody tr", has_text=reference)).to_contain_text("1 unread")


def test_case_list_sorts_by_link_and_keeps_the_search(page):
    profile = StaffProfileFactory()
    answered, waiting = CaseFactory(assigned_staff_profile=profile), CaseFactory(assigned_staff_profile=profile)
    CaseFactory(assigned_staff_profile=profile)  # no messages yet
    applicant_writes(waiting, subject="Any news?")
    applicant_writes(answered, subject="A question")
    message_send_to_case(staff_user=profile.user, case=answered, subject="An answer", body="Yes.")
    references = {case: case.application.submission.reference_number for case in (answered, waiting)}

    sign_in(page, profile.user.email, TEST_PASSWORD)
    page.goto("/dashboard/cases/")
    rows = page.locator("table.case-table tbody tr")
    expect(rows.first).to_contain_text(references[answered])
    sorts = page.get_by_role("navigation", name="Sort cases by")
    expect(sorts.get_by_role("link", name="Latest message")).to_have_attribute("aria-current", "true")

    sorts.get_by_role("link", name="Waiting longest").click()
    expect(page).to_have_url("/dashboard/cases/?sort=waiting")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text(references[waiting])
    expect(rows.first).to_contain_text("Waiting since")
    expect(page.get_by_role("columnheader", name="Waiting for a reply")).to_have_attribute("aria-sort", "ascending")
    at_each_width(page, "dashboard-case-list-waiting-en")

    page.get_by_label("Search by booking reference or applicant name").fill(references[answered])
    page.get_by_role("button", name="Search", exact=True).click()
    # The terms stay out of the URL: it names the search by an id (intake.search_terms).
    expect(page).to_have_url(re.compile(r"/dashboard/cases/\?sort=waiting&search=[\w-]+$"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(references[answered])
    expect(page.get_by_role("link", name="Waiting longest")).to_have_attribute("aria-current", "true")


def test_conversation_view_and_sorts_in_french(page):
    case = CaseFactory()
    reference = case.application.submission.reference_number
    caseworker = case.assigned_staff_profile.user
    message_send_to_case(staff_user=caseworker, case=case, subject="Bienvenue", body="Bonjour.")
    applicant_writes(case, subject="Ma date de début", body="Le 3 mars.")

    sign_in(page, caseworker.email, TEST_PASSWORD)
    page.goto("/dashboard/cases/")
    switch_language(page, "fr")
    sorts = page.get_by_role("navigation", name="Trier les dossiers par")
    sorts.get_by_role("link", name="Attente la plus longue").click()
    expect(page).to_have_url("/dashboard/cases/?sort=waiting")
    row = page.locator("table.case-table tbody tr", has_text=reference)
    expect(row).to_contain_text("En attente depuis le")
    expect(page.get_by_role("columnheader", name="En attente d'une réponse")).to_have_attribute(
        "aria-sort", "ascending"
    )
    at_each_width(page, "dashboard-case-list-waiting-fr")

    row.get_by_role("link", name=reference, exact=True).click()
    page.get_by_role("navigation", name="Vues des messages").get_by_role("link", name="Conversation").click()
    messages = page.get_by_role("article")
    expect(messages.get_by_role("heading", level=3)).to_have_text(["Bienvenue", "Ma date de début"])
    expect(messages.first).to_contain_text("Pas encore lu par le demandeur")
    expect(messages.nth(1).locator(".badge--unread")).to_have_text("Non lu")
    at_each_width(page, "dashboard-conversation-fr")
