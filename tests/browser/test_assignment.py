"""Assignment in a real browser (issue 12): a supervisor assigns an unassigned
case from its page and sees the change in its history; a supervisor reads an
application that has no case yet and opens one for it. In English and
French, axe-clean at a desk's width and a phone's."""

import pytest
from playwright.sync_api import expect

from casework.models import StaffProfile
from casework.tests.factories import TEST_PASSWORD, ApplicationFactory, CaseFactory, StaffProfileFactory, staff_user
from intake.models import Message
from intake.services.sending import message_send_from_applicant
from intake.tests.helpers import upload
from tests.browser.conftest import axe_violations, heading, screenshot, sign_in, switch_language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 375)

TEXT = {
    "en": {
        "case": "Case {}",
        "panel": "Assignment",
        "unassigned": "Unassigned",
        "assign_to": "Assign to",
        "assign": "Assign",
        "assigned": "The case is now assigned to {}, who was told by e-mail.",
        "assigned_to": "Assigned to {}",
        "history": "Case history",
        "history_entry": "Assigned to {} by {} (Supervisor)",
    },
    "fr": {
        "case": "Dossier {}",
        "panel": "Attribution du dossier",
        "unassigned": "Non assigné",
        "assign_to": "Assigner à",
        "assign": "Assigner",
        "assigned": "Le dossier est maintenant assigné à {}, qui en a été avisé par courriel.",
        "assigned_to": "Assigné à {}",
        "history": "Historique du dossier",
        "history_entry": "Assigné à {} par {} (Superviseur)",
    },
}


def at_each_width(page, name):
    """Screenshots and axe at each width, and nothing wider than the screen."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"{name}-{width}")
        assert axe_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.parametrize("language", ["en", "fr"])
def test_supervisor_assigns_an_unassigned_case_and_sees_it_in_the_history(page, language):
    text = TEXT[language]
    case = CaseFactory(assigned_staff_profile=None)
    reference = case.application.submission.reference_number
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR, display_name="Sam Supervisor")
    StaffProfileFactory(display_name="Alex Caseworker")
    blake = StaffProfileFactory(display_name="Blake Caseworker")
    StaffProfileFactory(display_name="Dana Disabled", status=StaffProfile.Status.DISABLED)

    sign_in(page, supervisor.email, TEST_PASSWORD)
    switch_language(page, language)
    page.goto(f"/dashboard/cases/{case.pk}/")
    expect(heading(page)).to_have_text(text["case"].format(reference))
    panel = page.get_by_role("region", name=text["panel"], exact=True)
    expect(panel.locator(".assignment__current")).to_have_text(text["unassigned"])
    choice = panel.get_by_label(text["assign_to"])
    expect(choice.locator("option")).to_have_count(3)  # the placeholder and the two active caseworkers
    at_each_width(page, f"assignment-panel-{language}")

    choice.select_option(label="Blake Caseworker")
    panel.get_by_role("button", name=text["assign"], exact=True).click()

    expect(page.get_by_role("status")).to_have_text(text["assigned"].format("Blake Caseworker"))
    expect(page).to_have_url(f"/dashboard/cases/{case.pk}/")
    panel = page.get_by_role("region", name=text["panel"], exact=True)
    expect(panel.locator(".assignment__current")).to_have_text(text["assigned_to"].format("Blake Caseworker"))
    history = panel.get_by_role("list", name=text["history"], exact=True).get_by_role("listitem")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text(text["history_entry"].format("Blake Caseworker", "Sam Supervisor"))
    expect(panel.get_by_label(text["assign_to"])).to_have_value(str(blake.pk))
    case.refresh_from_db()
    assert case.assigned_staff_profile_id == blake.pk
    at_each_width(page, f"assignment-assigned-{language}")


def test_supervisor_reads_an_application_without_a_case_and_opens_one(page):
    application = ApplicationFactory()
    reference = application.submission.reference_number
    applicant = application.submission.user
    message_send_from_applicant(
        applicant=applicant,
        application=application,
        subject="Before my case exists",
        body="Here is my pay stub.\nWho will read this?",
        files=[upload("pay-stub.pdf")],
    )
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    StaffProfileFactory(display_name="Alex Caseworker")

    sign_in(page, supervisor.email, TEST_PASSWORD)
    page.goto("/dashboard/cases/")
    page.get_by_role("link", name=reference, exact=True).click()

    expect(heading(page)).to_have_text(f"Application {reference}")
    message = page.get_by_role("article")
    expect(message.locator(".message-body")).to_have_text("Here is my pay stub.\nWho will read this?")
    expect(message.get_by_role("link", name="pay-stub.pdf")).to_be_visible()
    expect(message.locator(".badge--unread")).to_have_text("Unread")
    at_each_width(page, "application-page-en")
    assert Message.objects.get().status == Message.Status.UNREAD

    page.get_by_label("Assign to").select_option(label="Alex Caseworker")
    page.get_by_role("button", name="Open a case", exact=True).click()

    expect(heading(page)).to_have_text(f"Case {reference}")
    expect(page.get_by_role("status")).to_have_text(
        f"A case was opened for {reference} and assigned to Alex Caseworker."
    )
    case_file = page.get_by_role("region", name="Case file", exact=True).locator("tbody tr")
    expect(case_file).to_have_count(1)
    expect(case_file).to_contain_text("pay-stub.pdf")
    history = page.get_by_role("list", name="Case history", exact=True).get_by_role("listitem")
    expect(history.first).to_contain_text("Case opened and assigned to Alex Caseworker")
    at_each_width(page, "application-case-opened-en")
