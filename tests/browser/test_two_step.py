"""Staff sign-in with two-step verification, in a real browser, in English and
French: the first sign-in sets up the authenticator app; later ones ask for
its code. And the session time-out warning's "Stay signed in"."""

import base64
import re

import pytest
from django.utils import translation
from django_otp.oath import TOTP
from playwright.sync_api import expect

from casework.models import StaffProfile
from casework.tests.factories import TEST_PASSWORD, CaseFactory, staff_user
from casework.tests.two_step import code_for, confirmed_authenticator
from tests.browser.conftest import axe_violations, heading, screenshot, sign_in, submit_sign_in_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def said(language, text):
    """`text` as the product says it in `language` (its catalogue's translation)."""
    with translation.override(language):
        return translation.gettext(text)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_staff_members_first_sign_in_sets_up_two_step_verification(page, language):
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR, user__preferred_language=language)

    submit_sign_in_form(page, supervisor.email, TEST_PASSWORD)

    expect(page).to_have_url(re.compile(r"/account/two-step/set-up/\?next="))
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(heading(page)).to_have_text(said(language, "Set up two-step verification"))
    expect(page.get_by_role("img", name=said(language, "QR code of your key for the authenticator app"))).to_be_visible()
    screenshot(page, f"two-step-set-up-{language}")
    assert axe_violations(page) == []

    # The person's app reads the key (here: the text under the QR code) and shows a code.
    key = page.locator("#two-step-key").inner_text().replace(" ", "")
    totp = TOTP(base64.b32decode(key + "=" * (-len(key) % 8)))
    page.locator("#id_code").fill(f"{totp.token():06d}")
    page.locator("main form").get_by_role("button").click()

    expect(heading(page)).to_have_text(said(language, "Your recovery codes"))
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    screenshot(page, f"two-step-recovery-codes-{language}")
    assert axe_violations(page) == []

    page.get_by_role("link", name=said(language, "I have kept my codes: continue")).click()
    expect(page).to_have_url("/dashboard/")
    expect(heading(page)).to_have_text(said(language, "Work queue"))


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_staff_member_signs_in_with_the_code_from_the_app(page, language):
    caseworker = staff_user(user__preferred_language=language)
    device = confirmed_authenticator(caseworker)

    submit_sign_in_form(page, caseworker.email, TEST_PASSWORD)

    expect(heading(page)).to_have_text(said(language, "Enter your code"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.locator("#id_code").fill("000000")
    page.locator("main form").get_by_role("button").click()
    expect(page.get_by_role("alert")).to_contain_text(
        said(language, "That code is not right, or it has expired. Enter the code your app shows now.")
    )
    screenshot(page, f"two-step-code-{language}")
    assert axe_violations(page) == []

    page.wait_for_timeout(1100)  # django-otp refuses codes for a second after a wrong one
    page.locator("#id_code").fill(code_for(device))
    page.locator("main form").get_by_role("button").click()

    expect(page).to_have_url("/dashboard/")
    expect(heading(page)).to_have_text(said(language, "Work queue"))


def test_the_time_out_warning_offers_to_stay_signed_in(page, settings):
    # A short session so that the warning comes within seconds.
    settings.SESSION_IDLE_TIMEOUT = 64
    settings.SESSION_IDLE_WARNING = 60
    case = CaseFactory()
    sign_in(page, case.application.submission.user.email, TEST_PASSWORD)
    page.goto("/messages/new/")

    warning = page.get_by_role("alert")
    expect(warning).to_contain_text("you will soon be signed out because of inactivity")
    stay = page.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_visible()
    expect(stay).to_be_focused()
    assert axe_violations(page) == []

    with page.expect_response("**/account/session/keep-alive/") as kept:
        stay.click()

    assert kept.value.json() == {"seconds_left": 64}
    expect(stay).to_be_hidden()
    expect(page.get_by_role("alert")).to_have_count(0)
