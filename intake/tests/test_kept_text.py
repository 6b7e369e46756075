"""A message form that arrives after its session ended keeps what was typed
(issue 16): it is not sent, the sign-in page says the text is kept, and after
signing in the form holds it as a draft. Only for a conversation the person
may write in, and only for a form this site served (CSRF)."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from casework import sessions
from casework.tests.factories import TEST_PASSWORD, ApplicantFactory, CaseFactory
from casework.tests.two_step import code_for, confirmed_authenticator
from intake.models import Message, MessageDraft
from intake.tests.factories import MessageFactory

pytestmark = pytest.mark.django_db

TYPED = {"subject": "My pay stubs", "body": "Here is what I found about my income for March."}


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        now = sessions.now()

    moved = Clock()
    monkeypatch.setattr(sessions, "now", lambda: moved.now)
    return moved


def sign_in(client, user):
    return client.post(reverse("login"), {"username": user.email, "password": TEST_PASSWORD})


def test_an_applicants_reply_after_the_time_out_comes_back_as_a_draft(client, clock):
    case = CaseFactory()
    applicant = case.application.submission.user
    conversation = reverse("portal:conversation", args=[case.application_id])
    sign_in(client, applicant)
    assert client.get(conversation).status_code == 200

    clock.now += settings.SESSION_IDLE_TIMEOUT + 1
    response = client.post(conversation, TYPED)

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={conversation}"
    assert not Message.objects.exists()
    login_page = client.get(response["Location"]).content.decode()
    assert "your message was not sent. What you typed is kept" in login_page
    assert "signed out because you were inactive" in login_page

    signed_in = client.post(
        reverse("login"), {"username": applicant.email, "password": TEST_PASSWORD, "next": conversation}
    )

    assert signed_in["Location"] == conversation
    draft = MessageDraft.objects.get(user=applicant)
    assert (draft.application_id, draft.subject, draft.body) == (case.application_id, TYPED["subject"], TYPED["body"])
    form = client.get(conversation).context["form"]
    assert (form["subject"].value(), form["body"].value()) == (TYPED["subject"], TYPED["body"])
    assert sessions.KEPT_TEXT_KEY not in client.session


def test_a_reply_on_a_message_page_and_a_new_message_are_kept_too(client):
    case = CaseFactory()
    applicant = case.application.submission.user
    message = MessageFactory(case=case)

    client.post(reverse("portal:message_detail", args=[message.pk]), TYPED)
    sign_in(client, applicant)

    [draft] = MessageDraft.objects.filter(user=applicant)
    assert (draft.application_id, draft.subject) == (case.application_id, TYPED["subject"])

    client.post(reverse("logout"))
    draft.delete()
    client.post(reverse("portal:compose"), {**TYPED, "application": case.application_id})
    sign_in(client, applicant)

    [draft] = MessageDraft.objects.filter(user=applicant)
    assert (draft.application_id, draft.body) == (case.application_id, TYPED["body"])
    assert not Message.objects.exclude(pk=message.pk).exists()


def test_text_kept_for_someone_elses_conversation_becomes_nobodys_draft(client):
    theirs = CaseFactory()
    me = ApplicantFactory()

    response = client.post(reverse("portal:conversation", args=[theirs.application_id]), TYPED)
    sign_in(client, me)

    assert response.status_code == 302
    assert not MessageDraft.objects.exists()
    assert sessions.KEPT_TEXT_KEY not in client.session


def test_nothing_typed_is_nothing_kept(client):
    case = CaseFactory()

    response = client.post(reverse("portal:conversation", args=[case.application_id]), {"subject": " ", "body": ""})

    assert response.status_code == 302
    assert sessions.KEPT_TEXT_KEY not in client.session
    assert "What you typed is kept" not in client.get(response["Location"]).content.decode()


def test_a_form_from_elsewhere_is_refused_and_not_kept():
    case = CaseFactory()
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("portal:conversation", args=[case.application_id]), TYPED)

    assert response.status_code == 403
    assert sessions.KEPT_TEXT_KEY not in client.session


def test_staff_whose_session_ended_get_the_sign_in_page_not_not_allowed(client, clock):
    case = CaseFactory()
    caseworker = case.assigned_staff_profile.user
    device = confirmed_authenticator(caseworker)
    case_page = reverse("dashboard:case_detail", args=[case.pk])
    sign_in(client, caseworker)
    client.post(reverse("two_step"), {"code": code_for(device), "next": case_page})
    assert client.get(case_page).status_code == 200

    clock.now += settings.SESSION_IDLE_TIMEOUT + 1
    response = client.post(case_page, TYPED)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    assert "What you typed is kept" in client.get(response["Location"]).content.decode()
    sign_in(client, caseworker)
    back = client.post(reverse("two_step"), {"code": code_for(device), "next": case_page})
    assert back["Location"] == case_page
    form = client.get(case_page).context["form"]
    assert (form["subject"].value(), form["body"].value()) == (TYPED["subject"], TYPED["body"])
    assert not Message.objects.exists()
