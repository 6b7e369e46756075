"""Drafts (issue 16): what someone writes is kept server-side per person and
conversation — by "Save draft" without JavaScript, by the page's script
otherwise — restored when they come back, removed when they send or discard
it, and never shown to anyone else."""

import pytest
from django.urls import reverse

from casework.models import StaffProfile
from casework.tests.factories import ApplicationFactory, CaseFactory, staff_user
from intake.models import Message, MessageDraft
from intake.tests.factories import StaffMessageFactory

pytestmark = pytest.mark.django_db

AUTOSAVE = reverse("portal:draft_autosave")


def _conversation(case):
    return reverse("portal:conversation", args=[case.application_id])


def test_save_draft_keeps_the_text_and_the_page_restores_it(applicant_client, case):
    StaffMessageFactory(case=case)

    saved = applicant_client.post(
        _conversation(case), {"subject": "Re: start", "body": "Half a thought", "draft": "save"}, follow=True
    )
    again = applicant_client.get(_conversation(case))

    assert "Your draft was saved at" in saved.content.decode()
    assert not Message.objects.filter(subject="Re: start").exists()
    assert again.context["form"].initial["body"] == "Half a thought"
    assert "Your draft, saved on" in again.content.decode()


def test_sending_removes_the_draft_and_discard_too(applicant_client, case):
    applicant_client.post(_conversation(case), {"subject": "S", "body": "B", "draft": "save"})
    applicant_client.post(_conversation(case), {"subject": "S", "body": "Sent now"})
    assert not MessageDraft.objects.exists()

    applicant_client.post(_conversation(case), {"subject": "S", "body": "Again", "draft": "save"})
    applicant_client.post(_conversation(case), {"draft": "discard"})
    assert not MessageDraft.objects.exists()


def test_a_draft_is_its_authors_alone(client, applicant_client, case):
    applicant_client.post(_conversation(case), {"subject": "S", "body": "Applicant's unsent words", "draft": "save"})
    client.force_login(case.assigned_staff_profile.user)

    staff_page = client.get(reverse("dashboard:case_detail", args=[case.pk])).content.decode()

    assert "Applicant's unsent words" not in staff_page
    assert "Your draft, saved on" not in staff_page


def test_the_caseworker_has_drafts_on_the_case_page(client):
    case = CaseFactory()
    client.force_login(case.assigned_staff_profile.user)
    page = reverse("dashboard:case_detail", args=[case.pk])

    client.post(page, {"subject": "Documents", "body": "Please send", "draft": "save"})

    assert client.get(page).context["form"].initial["body"] == "Please send"
    assert not Message.objects.exists()


def test_autosave_follows_the_access_rule(client, applicant_client, case):
    other = ApplicationFactory()

    mine = applicant_client.post(AUTOSAVE, {"application": case.application_id, "subject": "S", "body": "typing"})
    theirs = applicant_client.post(AUTOSAVE, {"application": other.pk, "subject": "S", "body": "typing"})
    new = applicant_client.post(AUTOSAVE, {"application": "", "subject": "", "body": "a new message"})
    nothing = applicant_client.post(AUTOSAVE, {"application": case.application_id, "subject": "", "body": " "})

    assert mine.status_code == 200 and mine.json()["saved"] is True and "Draft saved at" in mine.json()["message"]
    assert theirs.status_code == 404
    assert new.status_code == 200
    assert nothing.json() == {"saved": False}  # nothing typed: the conversation's draft is gone
    assert list(MessageDraft.objects.values_list("application_id", "body")) == [(None, "a new message")]

    client.logout()
    assert client.post(AUTOSAVE, {"application": case.application_id, "body": "x"}).status_code == 401
    client.force_login(staff_user())  # a caseworker of another case
    assert client.post(AUTOSAVE, {"application": case.application_id, "body": "x"}).status_code == 404
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))
    assert client.post(AUTOSAVE, {"application": case.application_id, "body": "x"}).status_code == 200
    assert client.get(AUTOSAVE).status_code == 405


def test_compose_restores_the_new_messages_draft(applicant_client, case):
    applicant_client.post(AUTOSAVE, {"application": case.application_id, "subject": "About my start", "body": "Hello"})

    form = applicant_client.get(reverse("portal:compose")).context["form"]

    assert (form.initial["subject"], form.initial["body"]) == ("About my start", "Hello")


@pytest.mark.django_db(transaction=True)
def test_purge_removes_the_drafts_of_the_conversations_it_removes(applicant_client, case):
    from django.core.management import call_command

    from intake.tests.factories import MessageFactory

    kept_case = CaseFactory(application__submission__user=case.application.submission.user)
    MessageFactory(case=case)
    MessageFactory(case=kept_case)
    applicant_client.post(AUTOSAVE, {"application": case.application_id, "subject": "S", "body": "gone with it"})
    applicant_client.post(AUTOSAVE, {"application": kept_case.application_id, "subject": "S", "body": "kept"})

    call_command("purge", "--case", str(case.pk), "--yes", verbosity=0)

    assert list(MessageDraft.objects.values_list("body", flat=True)) == ["kept"]
