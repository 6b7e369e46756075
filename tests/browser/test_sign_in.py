import pytest

from casework.tests.factories import TEST_PASSWORD, ApplicantFactory, staff_user
from tests.browser.conftest import axe_violations, screenshot, sign_in, switch_language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_page_is_accessible_in_both_languages(page):
    page.goto("/login/")
    screenshot(page, "login-en")
    assert axe_violations(page) == []

    switch_language(page, "fr")
    assert page.get_by_role("heading", name="Se connecter").is_visible()
    screenshot(page, "login-fr")
    assert axe_violations(page) == []


def test_wrong_password_is_announced(page):
    applicant = ApplicantFactory()

    sign_in(page, applicant.email, "wrong-password-123")

    alert = page.get_by_role("alert")
    assert "do not match an account" in alert.inner_text()
    assert axe_violations(page) == []


def test_skip_link_is_first_and_reaches_main(page):
    page.goto("/login/")

    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_each_role_lands_on_its_page(page):
    applicant = ApplicantFactory()
    caseworker = staff_user()

    sign_in(page, applicant.email, TEST_PASSWORD)
    assert page.url.endswith("/messages/")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login/")

    sign_in(page, caseworker.email, TEST_PASSWORD)
    assert page.url.endswith("/dashboard/cases/")
