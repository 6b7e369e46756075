import json

import pytest

from casework.models import Document, StaffProfile
from casework.tests.factories import TEST_PASSWORD, CaseFactory, staff_user
from intake.models import Message
from intake.services import message_send_to_case
from intake.tests.helpers import applicant_message, upload
from tests.browser.conftest import axe_violations, screenshot, sign_in, switch_language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def api_message(page, message_id):
    response = page.request.get(f"/api/messages/{message_id}")
    assert response.status == 200
    return json.loads(response.text())


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login/")


def test_caseworker_reads_adopts_once_and_replies(page):
    case = CaseFactory()
    reference = case.application.submission.reference_number
    applicant = case.application.submission.user
    incoming = applicant_message(case, body="I have a question about the start date.", files=[upload("pay-stub.pdf")])

    sign_in(page, case.assigned_staff_profile.user.email, TEST_PASSWORD)
    row = page.locator("table.case-table tbody tr", has_text=reference)
    assert "1 unread" in row.inner_text()

    row.get_by_role("link", name=reference).click()
    widget_row = page.locator("table.message-table tbody tr", has_text="Question about my training")
    assert reference in widget_row.inner_text()
    assert "Unread" in widget_row.inner_text()

    widget_row.get_by_role("link", name="Question about my training").click()
    opened = page.locator("article.opened-message")
    assert "I have a question about the start date." in opened.locator(".message-body").inner_text()
    assert "Read" in page.locator("table.message-table tbody tr.is-open").inner_text()
    page.reload()
    page.reload()
    assert Document.objects.filter(case=case).count() == 1
    case_file = page.locator("section[aria-labelledby=case-file] tbody tr")
    assert case_file.count() == 1
    assert "pay-stub.pdf" in case_file.inner_text()
    assert "Attachment added to the case file: pay-stub.pdf" in opened.inner_text()

    assert page.get_by_label("Subject").input_value() == "Re: Question about my training"
    page.get_by_label("Message", exact=True).fill("Your start date is the 3rd.")
    page.get_by_role("button", name="Send reply").click()
    assert "Your message was sent to the applicant." in page.locator(".flash").inner_text()
    reply = Message.objects.get(reply_to=incoming)

    sign_out(page)
    sign_in(page, applicant.email, TEST_PASSWORD)
    inbox_row = page.locator("main tr", has_text="Re: Question about my training")
    assert reference in inbox_row.inner_text()
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
    assert page.get_by_role("heading", name="Page not found").is_visible()
    assert reference not in page.content()
    sign_out(page)

    sign_in(page, staff_user(StaffProfile.Role.SUPERVISOR).email, TEST_PASSWORD)
    response = page.goto(f"/dashboard/cases/{case.pk}/")
    assert response.status == 200
    assert page.get_by_role("heading", name=f"Case {reference}").is_visible()


def test_withdrawn_message_shows_only_the_notice_to_the_applicant(page):
    case = CaseFactory()
    caseworker = case.assigned_staff_profile.user
    sent = message_send_to_case(
        staff_user=caseworker, case_id=case.pk, subject="Wrong file", body="Meant for someone else"
    )

    sign_in(page, caseworker.email, TEST_PASSWORD)
    page.goto(f"/dashboard/cases/{case.pk}/messages/{sent.pk}/")
    page.get_by_role("link", name="Withdraw this message").click()
    assert "the applicant too" in page.locator("main").inner_text()
    screenshot(page, "dashboard-withdraw-en")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Withdraw message").click()
    assert "now sees only a notice" in page.locator(".flash").inner_text()
    sign_out(page)

    sign_in(page, case.application.submission.user.email, TEST_PASSWORD)
    seen = api_message(page, sent.pk)
    assert seen["subject"] == "Message withdrawn"
    assert seen["body"] == "This message was withdrawn by the ISET case team."
    page.goto(f"/messages/{sent.pk}/")
    text = page.locator("main").inner_text()
    assert "This message was withdrawn by the ISET case team." in text
    assert "Meant for someone else" not in text
    assert "Wrong file" not in text


@pytest.mark.parametrize("language", ["en", "fr"])
def test_case_list_and_case_page_are_accessible(page, language):
    case = CaseFactory()
    caseworker = case.assigned_staff_profile.user
    incoming = applicant_message(case, files=[upload("notes.txt", b"Some notes\n", "text/plain")])
    message_send_to_case(staff_user=caseworker, case_id=case.pk, subject="Welcome", body="Hello", urgent=True)

    sign_in(page, caseworker.email, TEST_PASSWORD)
    switch_language(page, language)
    screenshot(page, f"dashboard-case-list-{language}")
    assert axe_violations(page) == []

    page.goto(f"/dashboard/cases/{case.pk}/")
    screenshot(page, f"dashboard-case-page-{language}")
    assert axe_violations(page) == []

    page.goto(f"/dashboard/cases/{case.pk}/messages/{incoming.pk}/")
    screenshot(page, f"dashboard-message-{language}")
    assert axe_violations(page) == []

    page.get_by_role("button", name="Envoyer la réponse" if language == "fr" else "Send reply").click()
    screenshot(page, f"dashboard-reply-error-{language}")
    assert axe_violations(page) == []
