"""The Content-Security-Policy in real Chromium (issue 15): the browser
enforces it, and the browser tests notice a violation (tests/browser/conftest.py
fails any test during which one was reported)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import heading

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_browser_blocks_inline_style_and_script_and_the_tests_notice(page, csp_violations):
    page.goto("/login/")
    expect(heading(page)).to_be_visible()
    assert csp_violations == []

    # What an injection would try: an inline style and an inline script.
    page.evaluate(
        """() => {
            document.body.insertAdjacentHTML("beforeend", '<p id="styled" style="color: rgb(255, 0, 0)">x</p>');
            const script = document.createElement("script");
            script.textContent = "window.inlineRan = true";
            document.body.appendChild(script);
        }"""
    )

    expect(page.locator("#styled")).to_be_attached()
    assert page.evaluate("() => getComputedStyle(document.getElementById('styled')).color") != "rgb(255, 0, 0)"
    assert page.evaluate("() => window.inlineRan === true") is False
    for _ in range(50):  # the reports arrive asynchronously, within moments
        if len(csp_violations) >= 2:
            break
        page.wait_for_timeout(100)
    reported = " ".join(csp_violations)
    assert "style-src" in reported and "script-src" in reported
    # Seen, so this test's own violations must not fail it at teardown.
    csp_violations.clear()


def test_the_headers_reach_the_browser(page):
    response = page.goto("/login/")

    assert response is not None
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "camera=()" in headers["permissions-policy"]
    expect(heading(page)).to_be_visible()
