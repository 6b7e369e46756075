import pytest
from playwright.sync_api import expect

from casework.tests.factories import TEST_PASSWORD, ApplicantFactory, staff_user
from tests.browser.conftest import (
    axe_violations,
    heading,
    screenshot,
    sign_in,
    sign_out,
    submit_sign_in_form,
    switch_language,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_page_is_accessible_in_both_languages(page):
    page.goto("/login/")
    expect(heading(page)).to_have_text("Sign in")
    expect(page).to_have_title("Sign in — ISET Secure Messaging")
    screenshot(page, "login-en")
    assert axe_violations(page) == []

    switch_language(page, "fr")
    expect(heading(page)).to_have_text("Se connecter")
    expect(page).to_have_title("Se connecter — Messagerie sécurisée FCEA")
    screenshot(page, "login-fr")
    assert axe_violations(page) == []


def test_wrong_password_is_announced(page):
    applicant = ApplicantFactory()

    submit_sign_in_form(page, applicant.email, "wrong-password-123")

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("do not match an account")
    expect(page).to_have_url("/login/")
    expect(heading(page)).to_have_text("Sign in")
    assert axe_violations(page) == []


def test_skip_link_is_first_and_reaches_main(page):
    page.goto("/login/")
    expect(heading(page)).to_have_text("Sign in")

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content", exact=True)
    expect(skip_link).to_be_focused()
    expect(page.locator(":focus")).to_have_text("Skip to main content")
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    expect(page).to_have_url("/login/#main")


def test_each_role_lands_on_its_page(page):
    applicant = ApplicantFactory()
    caseworker = staff_user()

    sign_in(page, applicant.email, TEST_PASSWORD)
    expect(page).to_have_url("/messages/")
    expect(heading(page)).to_have_text("Secure messages")
    sign_out(page)

    sign_in(page, caseworker.email, TEST_PASSWORD)
    expect(page).to_have_url("/dashboard/")
    expect(heading(page)).to_have_text("Work queue")
