import json

import pytest
from playwright.sync_api import expect

from casework.models import Document, StaffProfile
from casework.tests.factories import TEST_PASSWORD, CaseFactory, staff_user
from intake.models import Message
from intake.services.sending import message_send_from_applicant, message_send_to_case
from intake.tests.helpers import upload
from tests.browser.conftest import axe_violations, heading, screenshot, sign_in, sign_out, switch_language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CASE_HEADING = {"en": "Case {}", "fr": "Dossier {}"}


def applicant_writes(case, *, subject="Question about my training", body="My private answer", files=()):
    """The case's applicant writes about its application, through the real send
    service (so the caseworker's page shows it as the applicant sent it)."""
    return message_send_from_applicant(
        applicant=case.application.submission.user,
        application=case.application,
        subject=subject,
        body=body,
        files=files,
    )


def api_message(page, message_id):
    response = page.request.get(f"/api/messages/{message_id}")
    assert response.status == 200
    return json.loads(response.text())


def test_caseworker_reads_adopts_once_and_replies(page):
    case = CaseFactory()
    reference = case.application.submission.reference_number
    applicant = case.application.submission.user
    incoming = applicant_writes(case, body="I have a question about the start date.", files=[upload("pay-stub.pdf")])

    # The caseworker lands on the work queue, where the applicant is waiting.
    sign_in(page, case.assigned_staff_profile.user.email, TEST_PASSWORD)
    row = page.locator("table.queue-table tbody tr", has_text=reference)
    expect(row).to_contain_text("1 unread")
    expect(row).to_contain_text("less than a business day")

    row.get_by_role("link", name=str(applicant), exact=True).click()
    expect(page).to_have_url(f"/dashboard/cases/{case.pk}/")
    expect(heading(page)).to_have_text(f"Case {reference}")
    widget_row = page.locator("table.message-table tbody tr", has_text="Question about my training")
    expect(widget_row).to_contain_text(reference)
    expect(widget_row).to_contain_text("Unread")

    widget_row.get_by_role("link", name="Question about my training", exact=True).click()
    opened = page.get_by_role("article")
    expect(opened.get_by_role("heading", name="Question about my training", exact=True)).to_be_visible()
    expect(opened.locator(".message-body")).to_have_text("I have a question about the start date.")
    open_row = page.locator("table.message-table tbody tr.is-open")
    expect(open_row).to_contain_text("Read")
    expect(open_row).not_to_contain_text("Unread")
    page.reload()
    page.reload()
    expect(heading(page)).to_have_text(f"Case {reference}")
    assert Document.objects.filter(case=case).count() == 1
    case_file = page.get_by_role("region", name="Case file", exact=True).locator("tbody tr")
    expect(case_file).to_have_count(1)
    expect(case_file).to_contain_text("pay-stub.pdf")
    expect(opened).to_contain_text("Attachment added to the case file: pay-stub.pdf")

    expect(page.get_by_label("Subject")).to_have_value("Re: Question about my training")
    page.get_by_label("Message", exact=True).fill("Your start date is the 3rd.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_role("status")).to_contain_text("Your message was sent to the applicant.")
    reply = Message.objects.get(reply_to=incoming)
    expect(page).to_have_url(f"/dashboard/cases/{case.pk}/messages/{reply.pk}/")

    sign_out(page)
    sign_in(page, applicant.email, TEST_PASSWORD)
    inbox_row = page.get_by_role("main").locator("tr", has_text="Re: Question about my training")
    expect(inbox_row).to_contain_text(reference)
    mine = api_message(page, incoming.pk)
    assert mine["subject"] == "Question about my training"
    assert mine["body"] == "I have a question about the start date."
    answer = api_message(page, reply.pk)
    assert answer["tracking_id"] == reference
    assert answer["body"] == "Your start date is the 3rd."


def test_unassigned_caseworker_gets_not_found_and_supervisor_can_open(page):
    case = CaseFactory()
    reference = case.application.submission.reference_number

    sign_in(page, staff_user().email, TEST_PASSWORD)
    response = page.goto(f"/dashboard/cases/{case.pk}/")
    assert response.status == 404
    expect(heading(page)).to_have_text("Page not found")
    # Neither the served HTML (attributes included) nor the rendered page names the case.
    assert reference not in response.text()
    expect(page.locator("html")).not_to_contain_text(reference)
    sign_out(page)

    sign_in(page, staff_user(StaffProfile.Role.SUPERVISOR).email, TEST_PASSWORD)
    response = page.goto(f"/dashboard/cases/{case.pk}/")
    assert response.status == 200
    expect(heading(page)).to_have_text(f"Case {reference}")


def test_withdrawn_message_shows_only_the_notice_to_the_applicant(page):
    case = CaseFactory()
    caseworker = case.assigned_staff_profile.user
    sent = message_send_to_case(staff_user=caseworker, case=case, subject="Wrong file", body="Meant for someone else")

    sign_in(page, caseworker.email, TEST_PASSWORD)
    page.goto(f"/dashboard/cases/{case.pk}/messages/{sent.pk}/")
    page.get_by_role("link", name="Withdraw this message", exact=True).click()
    expect(page).to_have_url(f"/dashboard/cases/{case.pk}/messages/{sent.pk}/withdraw/")
    expect(heading(page)).to_have_text("Withdraw this message?")
    expect(page.get_by_role("main")).to_contain_text("the applicant too")
    screenshot(page, "dashboard-withdraw-en")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Withdraw message", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("now sees only a notice")
    expect(page).to_have_url(f"/dashboard/cases/{case.pk}/messages/{sent.pk}/")
    sign_out(page)

    sign_in(page, case.application.submission.user.email, TEST_PASSWORD)
    seen = api_message(page, sent.pk)
    assert seen["subject"] == "Message withdrawn"
    assert seen["body"] == "This message was withdrawn by the ISET case team."
    page.goto(f"/messages/{sent.pk}/")
    main = page.get_by_role("main")
    expect(main).to_contain_text("This message was withdrawn by the ISET case team.")
    expect(main).not_to_contain_text("Meant for someone else")
    expect(main).not_to_contain_text("Wrong file")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_case_list_and_case_page_are_accessible(page, language):
    case = CaseFactory()
    reference = case.application.submission.reference_number
    caseworker = case.assigned_staff_profile.user
    incoming = applicant_writes(case, files=[upload("notes.txt", b"Some notes\n", "text/plain")])
    message_send_to_case(staff_user=caseworker, case=case, subject="Welcome", body="Hello", urgent=True)

    sign_in(page, caseworker.email, TEST_PASSWORD)
    page.goto("/dashboard/cases/")
    switch_language(page, language)
    expect(heading(page)).to_have_text("Dossiers" if language == "fr" else "Cases")
    screenshot(page, f"dashboard-case-list-{language}")
    assert axe_violations(page) == []

    page.goto(f"/dashboard/cases/{case.pk}/")
    expect(heading(page)).to_have_text(CASE_HEADING[language].format(reference))
    screenshot(page, f"dashboard-case-page-{language}")
    assert axe_violations(page) == []

    page.goto(f"/dashboard/cases/{case.pk}/messages/{incoming.pk}/")
    expect(page.get_by_role("article").get_by_role("heading", name=incoming.subject, exact=True)).to_be_visible()
    screenshot(page, f"dashboard-message-{language}")
    assert axe_violations(page) == []

    page.get_by_role("button", name="Envoyer la réponse" if language == "fr" else "Send reply").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(heading(page)).to_have_text(CASE_HEADING[language].format(reference))
    screenshot(page, f"dashboard-reply-error-{language}")
    assert axe_violations(page) == []
