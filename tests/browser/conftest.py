"""Browser tests: real Chromium (Debian's package) driven by Playwright against
pytest-django's live server on 127.0.0.1, with axe for accessibility.

The browser, context and page are pytest-playwright's fixtures; this file only
points them at Debian's Chromium and at the live server. Checks of what is on
the screen go through expect(), which retries until the page shows it (or the
timeout below runs out), never through one-shot reads like is_visible().

Screenshots go to artifacts/screenshots/ (git-ignored) for people to look at.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from casework.tests.two_step import code_for, confirmed_authenticator
from conftest import CHROMIUM

# Playwright's sync API runs an event loop in this thread; the test's own ORM
# calls are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 900}
# One limit for both expect() and Playwright's actions (click, fill, goto...).
TIMEOUT_MS = 15_000
# Where a successful sign-in lands: applicants on their messages, staff on their work queue.
LANDING_URL = re.compile(r"/(messages|dashboard)/$")
# The code step of a sign-in (two-step verification).
CODE_STEP_URL = re.compile(r"/account/two-step/\?next=")
LANGUAGE_BUTTONS = {"en": "English", "fr": "Français"}

expect.set_options(timeout=TIMEOUT_MS)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, browser_name, browser_channel):
    """pytest-playwright's launch options (--headed, --slowmo) with Debian's
    Chromium: Playwright's own browser downloads do not work on this machine,
    so no other browser (--browser) or channel (--browser-channel) can run."""
    if browser_name != "chromium" or browser_channel:
        asked = f"--browser-channel {browser_channel}" if browser_channel else f"--browser {browser_name}"
        pytest.fail(f"The browser tests run only in Debian's Chromium ({CHROMIUM}), not with {asked}.", pytrace=False)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(live_server):
    """Relative URLs in goto(), page.request and expect(page).to_have_url()
    are on pytest-django's live server, whatever --base-url says."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, base_url):
    # A --device's own viewport still wins over the default one.
    return {"viewport": VIEWPORT, **browser_context_args, "base_url": base_url}


@pytest.fixture
def context(context):
    context.set_default_timeout(TIMEOUT_MS)
    return context


def heading(page):
    """The page's main heading (its only h1)."""
    return page.get_by_role("heading", level=1)


def wait_until_loaded(page):
    """Once an expect() has shown that the new page is there, wait for it to
    finish loading (its stylesheet applied): layout checks, screenshots and
    axe's colour-contrast rule need that. Not a substitute for the expect():
    straight after a click, the old page is still the loaded one.

    Playwright's own wait for the load event, not wait_for_function: that
    polls a string predicate through eval once its first check fails, which
    the Content-Security-Policy (script-src 'self') blocks and reports, so a
    page still loading at the first check failed its test."""
    page.wait_for_load_state("load")


def submit_sign_in_form(page, email, password):
    page.goto("/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main form").get_by_role("button").click()


def sign_in(page, email, password):
    """Sign in through the form and wait until the person sees the page they
    land on. Staff (and applicants who turned it on) then give a code, as
    their authenticator app would show it (casework/tests/two_step.py): a staff
    member without an authenticator gets one first."""
    device = _authenticator_for(email)
    submit_sign_in_form(page, email, password)
    if device is not None:
        expect(page).to_have_url(CODE_STEP_URL)
        page.locator("#id_code").fill(code_for(device))
        page.locator("main form").get_by_role("button").click()
    expect(page).to_have_url(LANDING_URL)
    expect(heading(page)).to_be_visible()


def _authenticator_for(email):
    from casework.models import User
    from casework.two_step import has_authenticator

    user = User.objects.select_related("staff_profile").filter(email__iexact=email.strip()).first()
    if user is None or (user.active_staff_profile is None and not has_authenticator(user)):
        return None
    return confirmed_authenticator(user)


@pytest.fixture(autouse=True)
def _two_step_devices_removed_first(django_db_blocker):
    """The suite's clean-up after a transactional test deletes the shared
    tables' rows (conftest.py), before Django empties its own tables; on
    SQLite a two-step device would still point at its user then."""
    yield
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with django_db_blocker.unblock():
        TOTPDevice.objects.all().delete()
        StaticDevice.objects.all().delete()


def sign_out(page):
    page.locator("form[action='/logout/']").get_by_role("button").click()
    expect(page).to_have_url("/login/")
    expect(page.locator("#id_username")).to_be_visible()


def switch_language(page, language):
    """Click the header's language switch if the page is not already in `language`."""
    html = page.locator("html")
    if html.get_attribute("lang") != language:
        page.get_by_role("button", name=LANGUAGE_BUTTONS[language], exact=True).click()
    expect(html).to_have_attribute("lang", language)


def axe_violations(page):
    """Every WCAG 2.1 A/AA violation axe finds on the page, whatever its impact.
    Call it after an expect() on what the page shows (its heading, an alert)."""
    from axe_playwright_python.sync_playwright import Axe

    wait_until_loaded(page)
    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}},
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


def screenshot(page, name):
    """A full-page screenshot; like axe_violations, after an expect() on the page."""
    wait_until_loaded(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# --- Content-Security-Policy violations fail the test ------------------------
# Chromium reports each violation on the console; the page's own
# `securitypolicyviolation` event is reported there too (by a script
# Playwright runs in every page before the page's own, which the policy does
# not govern), so both kinds reach one list, across navigations and pages.
CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"} in ${event.documentURI}`);
});
"""


def is_csp_violation(text):
    return "Content Security Policy" in text or text.startswith("CSP violation:")


@pytest.fixture
def csp_violations():
    """What the browser reported as blocked by the Content-Security-Policy during the test."""
    return []


@pytest.fixture(autouse=True)
def _fail_on_csp_violation(request, csp_violations):
    """Every browser test fails (at teardown) if any page it opened broke the CSP."""
    if "context" not in request.fixturenames:
        yield
        return
    context = request.getfixturevalue("context")
    context.add_init_script(CSP_REPORTER)
    context.on("console", lambda message: is_csp_violation(message.text) and csp_violations.append(message.text))
    yield
    assert not csp_violations, "Content-Security-Policy violations:\n" + "\n".join(csp_violations)
