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


def url_patterns():
    """(name, pattern) of every named URL of the site, namespaces included."""
    from django.urls import URLResolver, get_resolver

    def walk(resolver, namespaces):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry, [*namespaces, entry.namespace] if entry.namespace else namespaces)
            elif entry.name:
                yield ":".join([*namespaces, entry.name]), entry

    return list(walk(get_resolver(), []))


# Named URLs that never answer a GET with a page: JSON and files (each is
# covered by its own tests, and by test_the_api_and_downloads_carry_a_policy_too).
NOT_PAGES = re.compile(r"^(api:|.*download|.*autosave|session_status|healthz)")


def test_every_named_page_is_walked_and_hardened():
    """Every named URL that answers a GET with an HTML page, for whichever of
    the audiences may open it, carries the policy: a page added later is
    checked without anyone listing it here. A URL that only takes a form
    (405 to a GET) or only redirects is no page; anything else that no
    audience could open fails the test, naming it."""
    from django.urls import NoReverseMatch

    from casework.tests.factories import SupervisorProfileFactory
    from intake.models import CaseNote, SavedReply

    case = CaseFactory()
    applicant, caseworker = case.application.submission.user, case.assigned_staff_profile.user
    from_applicant = MessageFactory(case=case)
    to_applicant = StaffMessageFactory(case=case)
    attachment = MessageAttachmentFactory(message=from_applicant)
    document = DocumentFactory(case=case)
    early = ApplicationFactory()
    MessageFactory(case=None, application=early)
    supervisor = SupervisorProfileFactory().user
    note = CaseNote.objects.create(case=case, author_user=caseworker, body="A note")
    reply = SavedReply.objects.create(
        owner_user=caseworker,
        title="Hello",
        body_en="Hello",
        body_fr="Bonjour",
        created_by_user=caseworker,
        updated_by_user=caseworker,
    )
    ids = {
        "case_id": case.pk,
        "message_id": to_applicant.pk,
        "attachment_id": attachment.pk,
        "document_id": document.pk,
        "note_id": note.pk,
        "reply_id": reply.pk,
    }
    audiences = [Client(), signed_in(applicant), signed_in(caseworker), signed_in(supervisor)]
    walked, not_pages, unreached = [], [], []
    for name, entry in url_patterns():
        if NOT_PAGES.match(name):
            continue
        # The applicant's own application on their side; one without a case on the supervisors'.
        known = {**ids, "application_id": case.application_id if name.startswith("portal:") else early.pk}
        wanted = set(entry.pattern.converters)
        if not wanted <= set(known):
            unreached.append(f"{name} (needs {sorted(wanted - set(known))})")
            continue
        try:
            url = reverse(name, kwargs={key: known[key] for key in wanted})
        except NoReverseMatch:
            unreached.append(f"{name} (does not reverse)")
            continue
        statuses = set()
        for client in audiences:
            response = client.get(url)
            statuses.add(response.status_code)
            if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                assert_hardened_page(response, url)
        if 200 in statuses:
            walked.append(name)
        elif 405 in statuses or statuses == {302}:
            not_pages.append(name)
        else:
            unreached.append(f"{name} {sorted(statuses)}")
    # The token link of a password reset is reached on its own, below.
    assert unreached == ["password_reset_confirm (needs ['token', 'uidb64'])"], " | ".join(unreached)
    assert len(walked) >= 30, walked


def test_the_code_step_and_a_reset_link_are_hardened_too(client):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from casework.tests.factories import TEST_PASSWORD
    from casework.tests.two_step import confirmed_authenticator

    caseworker = staff_user(StaffProfile.Role.CASEWORKER)
    confirmed_authenticator(caseworker)
    client.post(reverse("login"), {"username": caseworker.email, "password": TEST_PASSWORD})
    assert_hardened_page(client.get(reverse("two_step")), "two_step")

    caseworker.refresh_from_db()  # signing in changed last_login, which the token covers
    link = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(caseworker.pk)),
            "token": default_token_generator.make_token(caseworker),
        },
    )
    followed = Client().get(link, follow=True)
    assert followed.redirect_chain, link
    assert_hardened_page(followed, link)
