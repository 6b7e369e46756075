"""Content-Security-Policy (django-csp) and Permissions-Policy on every page
(issue 15), for every audience, with no inline script or style for the
policy to block. The browser tests fail on any violation the browser reports
(tests/browser/conftest.py)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from casework.models import StaffProfile
from casework.tests.factories import ApplicationFactory, CaseFactory, staff_user
from intake.tests.factories import DocumentFactory, MessageAttachmentFactory, MessageFactory, StaffMessageFactory

pytestmark = pytest.mark.django_db

REQUIRED_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
FEATURES_OFF = ["camera", "microphone", "geolocation", "payment", "usb", "serial", "bluetooth", "display-capture"]
INLINE = [
    re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE),
    re.compile(r"<style[\s>]", re.IGNORECASE),
    re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE),
    re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE),
    re.compile(r"javascript:", re.IGNORECASE),
]


def directives(response):
    policy = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())


def assert_hardened_page(response, url):
    assert response.status_code in (200, 404), url
    assert response["Content-Type"].startswith("text/html"), url
    found = directives(response)
    for directive, value in REQUIRED_DIRECTIVES.items():
        assert found.get(directive) == value, (url, directive, found.get(directive))
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    permissions = response["Permissions-Policy"]
    for feature in FEATURES_OFF:
        assert f"{feature}=()" in permissions, (url, feature)
    page = response.content.decode()
    for pattern in INLINE:
        assert not pattern.search(page), (url, pattern.pattern, pattern.search(page))


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_every_page_of_every_audience():
    case = CaseFactory()
    applicant, caseworker = case.application.submission.user, case.assigned_staff_profile.user
    from_applicant = MessageFactory(case=case)
    to_applicant = StaffMessageFactory(case=case)
    MessageAttachmentFactory(message=from_applicant)
    DocumentFactory(case=case)
    early = ApplicationFactory()
    MessageFactory(case=None, application=early)
    pages = {
        Client(): [reverse("login"), "/no/such/page/"],
        signed_in(applicant): [
            reverse("portal:inbox"),
            reverse("portal:compose"),
            reverse("portal:conversation", args=[case.application.pk]),
            reverse("portal:message_detail", args=[to_applicant.pk]),
        ],
        signed_in(caseworker): [
            reverse("dashboard:queue"),
            reverse("dashboard:case_list"),
            reverse("dashboard:case_detail", args=[case.pk]),
            reverse("dashboard:case_detail", args=[case.pk]) + "?view=conversation",
            reverse("dashboard:message_detail", args=[case.pk, from_applicant.pk]),
            reverse("dashboard:message_withdraw", args=[case.pk, to_applicant.pk]),
        ],
        signed_in(staff_user(StaffProfile.Role.SUPERVISOR)): [
            reverse("dashboard:case_detail", args=[case.pk]),
            reverse("dashboard:application_detail", args=[early.pk]),
        ],
    }

    for client, urls in pages.items():
        for url in urls:
            assert_hardened_page(client.get(url), url)


def test_pages_sent_back_with_errors_too():
    case = CaseFactory()
    client = signed_in(case.application.submission.user)

    response = client.post(reverse("portal:compose"), {"application": case.application.pk, "subject": "", "body": ""})

    assert_hardened_page(response, "compose with errors")


def test_the_api_and_downloads_carry_a_policy_too():
    case = CaseFactory()
    message = MessageFactory(case=case)
    attachment = MessageAttachmentFactory(message=message)
    client = signed_in(case.assigned_staff_profile.user)

    api = client.get(reverse("api:case_messages", args=[case.pk]))
    download = client.get(reverse("dashboard:attachment_download", args=[case.pk, message.pk, attachment.pk]))

    assert directives(api)["default-src"] == "'self'"
    assert "camera=()" in api["Permissions-Policy"]
    # A download keeps its own, stricter policy: nothing in it may run.
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "camera=()" in download["Permissions-Policy"]
