"""The dashboard's assignment pages (issue 12): the case page's Assignment panel
and Case history, assigning and claiming a case, and the page of an
application that has messages but no case yet."""

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from casework.models import Case, Document, StaffProfile
from casework.tests.factories import (
    ApplicationFactory,
    CaseFactory,
    StaffProfileFactory,
    SupervisorProfileFactory,
    staff_user,
)
from intake.models import Message, MessageEvent
from intake.services.assignment import case_assign, case_open_for_application
from intake.services.handling import case_urgency_set, conversation_no_reply_needed
from intake.services.sending import message_send_from_applicant
from intake.tests.helpers import PDF, upload
from intake.tests.worker import tasks_run

pytestmark = pytest.mark.django_db


def flashes(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def case_url(case):
    return reverse("dashboard:case_detail", args=[case.pk])


def assign_url(case):
    return reverse("dashboard:case_assign", args=[case.pk])


def claim_url(case):
    return reverse("dashboard:case_claim", args=[case.pk])


def application_url(application):
    return reverse("dashboard:application_detail", args=[application.pk])


def open_url(application):
    return reverse("dashboard:application_open_case", args=[application.pk])


def login_redirect(path):
    return f"{reverse('login')}?next={path}"


# The case page's panel --------------------------------------------------------------------


def test_supervisor_gets_a_labelled_choice_of_active_caseworkers(cast):
    StaffProfileFactory(display_name="Disabled Dana", status=StaffProfile.Status.DISABLED)
    SupervisorProfileFactory(display_name="Supervisor Sam")
    StaffProfileFactory(display_name="Available Alex")

    response = cast.client_for(cast.supervisor).get(case_url(cast.case))

    body = response.content.decode()
    assert '<h2 id="assignment-heading">Assignment</h2>' in body
    assert f"Assigned to {cast.case.assigned_staff_profile.display_name}" in body
    assert f'action="{assign_url(cast.case)}"' in body
    assert '<label for="assign_caseworker">Assign to</label>' in body
    form = response.context["assign_form"]
    choices = [label for value, label in form.fields["caseworker"].choices if value]
    assert "Available Alex" in choices
    assert cast.case.assigned_staff_profile.display_name in choices
    assert "Disabled Dana" not in choices and "Supervisor Sam" not in choices
    assert f'<option value="{cast.case.assigned_staff_profile_id}" selected>' in body
    assert ">Reassign</button>" in body


def test_an_unassigned_case_says_so_and_offers_assign(client):
    case = CaseFactory(assigned_staff_profile=None)
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    body = client.get(case_url(case)).content.decode()

    assert '<p class="assignment__current">Unassigned</p>' in body
    assert ">Assign</button>" in body


def test_caseworker_sees_who_has_the_case_but_cannot_assign(cast):
    response = cast.client_for(cast.caseworker).get(case_url(cast.case))

    body = response.content.decode()
    assert f"Assigned to {cast.case.assigned_staff_profile.display_name}" in body
    assert assign_url(cast.case) not in body
    assert response.context["assign_form"] is None
    assert "A supervisor or an administrator can assign this case to someone else." in body


def test_case_history_lists_opened_assigned_urgency_and_no_reply_needed_with_actor(client):
    application = ApplicationFactory()
    applicant = application.submission.user
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR, display_name="Sue Supervisor")
    first = StaffProfileFactory(display_name="Alex First")
    second = StaffProfileFactory(display_name="Blake Second")
    message_send_from_applicant(applicant=applicant, application=application, subject="Question", body="Text")
    case = case_open_for_application(actor=supervisor, application=application, caseworker=first)
    case_assign(actor=supervisor, case=case, caseworker=second)
    case_urgency_set(staff_user=second.user, case=case, urgent=True)
    conversation_no_reply_needed(staff_user=second.user, application=application, reason="Answered by phone")
    client.force_login(second.user)

    response = client.get(case_url(case))

    items = [
        " ".join(entry.split())
        for entry in response.content.decode().split('<ol class="history" aria-labelledby="case-history-heading">')[1]
        .split("</ol>")[0]
        .split("<li>")[1:]
    ]
    assert len(items) == 4
    assert "Case opened and assigned to Alex First by Sue Supervisor (Supervisor)" in items[0]
    assert "Reassigned from Alex First to Blake Second by Sue Supervisor (Supervisor)" in items[1]
    assert "Marked urgent by Blake Second (Caseworker)" in items[2]
    assert "Marked as needing no reply (reason: Answered by phone) by Blake Second (Caseworker)" in items[3]


@pytest.mark.parametrize("reassignments", [1, 10])
def test_supervisors_case_page_query_count_does_not_grow_with_the_history(
    client, django_assert_num_queries, reassignments
):
    case = CaseFactory(assigned_staff_profile=None)
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    caseworkers = StaffProfileFactory.create_batch(2)
    for number in range(reassignments):
        case_assign(actor=supervisor, case=case, caseworker=caseworkers[number % 2])
    client.force_login(supervisor)

    # session, user (with staff profile), case with its tab counts, documents,
    # the case's history events with their actors, the staff profiles they
    # name, the caseworkers to choose from (no messages: no message rows),
    # the access log's INSERT (case page viewed) and the access history a
    # supervisor sees (its events with their actors)
    # + the writer's saved draft of this conversation (none here)
    # + the case's internal notes, the colleagues a note may mention, the saved replies to choose from
    with django_assert_num_queries(13):
        response = client.get(case_url(case))

    assert response.status_code == 200
    assert len(response.context["case_history"]) == reassignments


# POST /dashboard/cases/<id>/assign/ ---------------------------------------------------------


def test_supervisor_assigns_and_lands_on_the_case_page_with_a_success_message(cast):
    new = StaffProfileFactory(display_name="Blake New")
    client = cast.client_for(cast.supervisor)

    response = client.post(assign_url(cast.case), {"caseworker": new.pk}, follow=True)

    assert response.redirect_chain == [(case_url(cast.case), 302)]
    assert "The case is now assigned to Blake New, who was told by e-mail." in response.content.decode()
    cast.case.refresh_from_db()
    assert cast.case.assigned_staff_profile_id == new.pk
    assert "Assigned to Blake New" in response.content.decode()


def test_assigning_to_the_current_assignee_says_so_and_records_nothing(cast):
    response = cast.client_for(cast.supervisor).post(
        assign_url(cast.case), {"caseworker": cast.case.assigned_staff_profile_id}
    )

    assert response.status_code == 302
    assert flashes(response) == [f"The case was already assigned to {cast.case.assigned_staff_profile.display_name}."]
    assert not MessageEvent.objects.filter(event_type=MessageEvent.Type.CASE_ASSIGNED).exists()


@pytest.mark.parametrize("choice", ["supervisor", "disabled", "", "abc", "999999"])
def test_a_choice_that_is_not_an_active_caseworker_changes_nothing(cast, choice):
    values = {
        "supervisor": str(cast.supervisor.staff_profile.pk),
        "disabled": str(StaffProfileFactory(status=StaffProfile.Status.DISABLED).pk),
    }
    before = cast.case.assigned_staff_profile_id

    response = cast.client_for(cast.supervisor).post(assign_url(cast.case), {"caseworker": values.get(choice, choice)})

    assert response.status_code == 302
    assert response["Location"] == case_url(cast.case)
    assert flashes(response) in (
        ["Choose an active caseworker to assign the case to."],
        ["Choose the caseworker to assign the case to."],
    )
    cast.case.refresh_from_db()
    assert cast.case.assigned_staff_profile_id == before


@pytest.mark.parametrize("who", ["applicant", "other_applicant", "caseworker", "other_caseworker"])
def test_only_supervisors_and_admins_may_assign_others_get_404(cast, who):
    new = StaffProfileFactory()

    response = cast.client_for(getattr(cast, who)).post(assign_url(cast.case), {"caseworker": new.pk})

    assert response.status_code == 404
    cast.case.refresh_from_db()
    assert cast.case.assigned_staff_profile_id != new.pk


def test_anonymous_assign_is_sent_to_sign_in(cast):
    response = cast.client_for(None).post(assign_url(cast.case), {"caseworker": StaffProfileFactory().pk})

    assert response.status_code == 302
    assert response["Location"] == login_redirect(assign_url(cast.case))


def test_assign_of_a_case_that_does_not_exist_is_404_and_get_is_refused(cast):
    client = cast.client_for(cast.supervisor)

    assert client.post("/dashboard/cases/999999/assign/", {"caseworker": 1}).status_code == 404
    assert client.post("/dashboard/cases/0x1/assign/", {"caseworker": 1}).status_code == 404
    assert client.get(assign_url(cast.case)).status_code == 405


# The reassignment sequence the original system failed -----------------------------------------


def test_reply_after_reassignment_goes_to_the_new_caseworker_and_the_old_one_loses_the_case(cast):
    case, applicant = cast.case, cast.applicant
    first = cast.caseworker
    second = StaffProfileFactory(display_name="Blake Second").user
    first_client, second_client = cast.client_for(first), cast.client_for(second)
    supervisor_client, applicant_client = cast.client_for(cast.supervisor), cast.client_for(applicant)

    # Caseworker A writes to the applicant.
    first_client.post(case_url(case), {"subject": "Your documents", "body": "Please send your pay stub."})
    written = Message.objects.get(subject="Your documents")
    # The case is reassigned to B.
    assert supervisor_client.post(assign_url(case), {"caseworker": second.staff_profile.pk}).status_code == 302
    # The applicant answers A's message: from the message page, then from the conversation page.
    from_message_page = applicant_client.post(
        reverse("portal:message_detail", args=[written.pk]),
        {"subject": "Re: Your documents", "body": "Here it is.", "attachments": [upload("stub.pdf")]},
    )
    from_conversation = applicant_client.post(
        reverse("portal:conversation", args=[case.application_id]), {"subject": "Re: Your documents", "body": "And?"}
    )

    assert from_message_page.status_code == 302 and from_conversation.status_code == 302
    replies = list(Message.objects.filter(sender=applicant).order_by("id"))
    assert [(m.recipient_id, m.case_id, m.reply_to_id) for m in replies] == [
        (second.pk, case.pk, written.pk),
        (second.pk, case.pk, written.pk),
    ]
    # The file arrived in the case file at once.
    assert Document.objects.filter(case=case, origin_message=replies[0]).count() == 1
    # A no longer opens the case: page, message page, API, adoption endpoint.
    for path in (
        case_url(case),
        reverse("dashboard:message_detail", args=[case.pk, replies[0].pk]),
        f"/api/cases/{case.pk}/messages",
        f"/api/admin/messages/{replies[0].pk}/attachments?case_id={case.pk}",
    ):
        assert first_client.get(path).status_code == 404, path
    assert first_client.post(f"/api/cases/{case.pk}/messages", {"subject": "s", "body": "b"}).status_code == 404
    # B sees the replies and answers through the API without being refused.
    assert second_client.get(reverse("dashboard:message_detail", args=[case.pk, replies[0].pk])).status_code == 200
    listed = second_client.get(f"/api/cases/{case.pk}/messages").json()
    assert {item["id"] for item in listed["results"]} >= {reply.pk for reply in replies}
    answer = second_client.post(
        f"/api/cases/{case.pk}/messages", {"subject": "Thanks", "body": "Received.", "reply_to": replies[1].pk}
    )
    assert answer.status_code == 201
    assert Message.objects.get(pk=answer.json()["id"]).recipient_id == applicant.pk
    # A supervisor still sees everything.
    assert supervisor_client.get(case_url(case)).status_code == 200


# POST /dashboard/cases/<id>/claim/ ---------------------------------------------------------------


def test_caseworker_claims_an_unassigned_case_and_lands_on_it(client):
    case = CaseFactory(assigned_staff_profile=None)
    caseworker = staff_user()
    client.force_login(caseworker)

    response = client.post(claim_url(case), follow=True)

    assert response.redirect_chain == [(case_url(case), 302)]
    assert "The case is now assigned to you." in response.content.decode()
    case.refresh_from_db()
    assert case.assigned_staff_profile_id == caseworker.staff_profile.pk


def test_supervisor_claiming_goes_back_to_the_queue_with_the_reason(client):
    case = CaseFactory(assigned_staff_profile=None)
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    response = client.post(claim_url(case))

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:queue")
    assert flashes(response) == ["Only caseworkers claim cases. Assign the case to a caseworker instead."]
    case.refresh_from_db()
    assert case.assigned_staff_profile_id is None


def test_claiming_someone_elses_case_is_404(cast):
    response = cast.client_for(cast.other_caseworker).post(claim_url(cast.case))

    assert response.status_code == 404
    cast.case.refresh_from_db()
    assert cast.case.assigned_staff_profile.user_id == cast.caseworker.pk


def test_claiming_when_it_is_switched_off_is_404(client, settings):
    settings.STAFF_CAN_CLAIM_CASES = False
    case = CaseFactory(assigned_staff_profile=None)
    client.force_login(staff_user())

    assert client.post(claim_url(case)).status_code == 404
    case.refresh_from_db()
    assert case.assigned_staff_profile_id is None


def test_claim_from_outside(client):
    case = CaseFactory(assigned_staff_profile=None)

    anonymous = client.post(claim_url(case))
    client.force_login(ApplicationFactory().submission.user)
    applicant = client.post(claim_url(case))
    client.force_login(staff_user())
    missing = client.post("/dashboard/cases/999999/claim/")
    get = client.get(claim_url(case))

    assert anonymous.status_code == 302 and anonymous["Location"] == login_redirect(claim_url(case))
    assert (applicant.status_code, missing.status_code, get.status_code) == (404, 404, 405)
    case.refresh_from_db()
    assert case.assigned_staff_profile_id is None


# GET /dashboard/applications/<id>/ -------------------------------------------------------------


def application_with_messages(count=2):
    """An application whose applicant wrote `count` messages (the first with a file) and no case."""
    application = ApplicationFactory()
    applicant = application.submission.user
    for number in range(count):
        message_send_from_applicant(
            applicant=applicant,
            application=application,
            subject=f"Question {number + 1}",
            body=f"Line one\n<b>body {number + 1}</b>",
            files=[upload(f"proof-{number + 1}.pdf")] if number == 0 else [],
        )
    return application


def test_supervisor_reads_the_conversation_without_marking_it_read(client):
    application = application_with_messages()
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    response = client.get(application_url(application))

    body = response.content.decode()
    assert response.status_code == 200
    reference = application.submission.reference_number
    assert f"<h1>Application {reference}</h1>" in body
    assert str(application.submission.user) in body
    assert '<div class="message-body">Line one\n&lt;b&gt;body 1&lt;/b&gt;</div>' in body
    assert "Question 2" in body
    first = Message.objects.order_by("id").first()
    attachment = first.attachments.get()
    download = reverse("dashboard:application_attachment_download", args=[application.pk, first.pk, attachment.pk])
    assert f'href="{download}"' in body
    assert f'action="{open_url(application)}"' in body
    assert '<label for="open_caseworker">Assign to <span class="optional">(optional)</span></label>' in body
    assert set(Message.objects.values_list("status", flat=True)) == {Message.Status.UNREAD}
    assert not MessageEvent.objects.filter(event_type=MessageEvent.Type.READ).exists()


def test_supervisor_downloads_an_attachment_of_the_conversation(client):
    application = application_with_messages(1)
    message = Message.objects.get()
    attachment = message.attachments.get()
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    download = reverse("dashboard:application_attachment_download", args=[application.pk, message.pk, attachment.pk])
    client.force_login(supervisor)

    response = client.get(download)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert MessageEvent.objects.filter(
        event_type=MessageEvent.Type.ATTACHMENT_DOWNLOADED, actor_user_id=supervisor.pk
    ).exists()
    # Through another application, or by anyone else: not found.
    other = application_with_messages(1)
    client.force_login(supervisor)
    wrong_parent = reverse("dashboard:application_attachment_download", args=[other.pk, message.pk, attachment.pk])
    assert client.get(wrong_parent).status_code == 404
    for user in (staff_user(), application.submission.user):
        client.force_login(user)
        assert client.get(download).status_code == 404


def test_an_application_that_has_a_case_redirects_to_it(client):
    case = CaseFactory()
    client.force_login(staff_user(StaffProfile.Role.ADMIN))

    response = client.get(application_url(case.application))

    assert response.status_code == 302
    assert response["Location"] == case_url(case)


def test_application_page_from_outside(client):
    application = application_with_messages(1)
    path = application_url(application)

    anonymous = client.get(path)
    client.force_login(application.submission.user)
    own_applicant = client.get(path)
    client.force_login(staff_user())
    caseworker = client.get(path)
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))
    missing = client.get("/dashboard/applications/999999/")
    malformed = client.get("/dashboard/applications/01/")

    assert anonymous.status_code == 302 and anonymous["Location"] == login_redirect(path)
    assert [own_applicant.status_code, caseworker.status_code, missing.status_code, malformed.status_code] == [404] * 4


@pytest.mark.parametrize("count", [1, 20])
def test_application_page_query_count_does_not_grow_with_messages(client, django_assert_num_queries, count):
    application = application_with_messages(count)
    StaffProfileFactory.create_batch(3)
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    # session, user (with staff profile), application (submission, applicant,
    # case, conversation summary: the message count), the page of messages
    # (senders, booking reference, attachment count joined), their attachments,
    # the caseworkers to choose from, the access log's INSERT (application page viewed)
    # + the writer's saved draft of this conversation (none here)
    with django_assert_num_queries(8):
        response = client.get(application_url(application))

    assert response.status_code == 200
    assert response.context["thread"].paginator.count == count


def test_the_last_page_is_shown_first_and_earlier_messages_are_a_link_away(client):
    # As on the case page's conversation view: pages of 20 from the first
    # message, and the page with the newest one shown first.
    application = application_with_messages(21)
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    body = client.get(application_url(application)).content.decode()
    earlier = client.get(application_url(application), {"page": 1}).content.decode()

    assert "Messages 21 to 21 of 21, oldest first." in body
    assert ">Question 21</h3>" in body and ">Question 20</h3>" not in body
    assert f'href="{application_url(application)}?page=1#messages-heading"' in body
    assert "Messages 1 to 20 of 21, oldest first." in earlier
    assert ">Question 1</h3>" in earlier and ">Question 21</h3>" not in earlier


# POST /dashboard/applications/<id>/ (write to the applicant) -------------------------------------


def test_supervisor_writes_to_the_applicant_of_the_application(client):
    application = application_with_messages(1)
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    response = client.post(
        application_url(application),
        {"subject": "About your question", "body": "We are on it.", "attachments": [upload("form.pdf")]},
    )
    tasks_run()  # the worker sends the notices

    sent = Message.objects.get(subject="About your question")
    assert response.status_code == 302
    assert response["Location"] == f"{application_url(application)}#conversation-message-{sent.pk}"
    assert flashes(response) == ["Your message was sent to the applicant."]
    assert (sent.recipient_id, sent.case_id, sent.application_id) == (
        application.submission.user_id,
        None,
        application.pk,
    )
    assert sent.attachments.count() == 1
    assert [email.to for email in mail.outbox][-1] == [application.submission.user.email]


def test_a_message_written_while_a_case_was_opened_joins_the_case(client):
    application = application_with_messages(1)
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    case = case_open_for_application(actor=supervisor, application=application)
    client.force_login(supervisor)

    response = client.post(application_url(application), {"subject": "Typed before", "body": "the case was opened"})

    sent = Message.objects.get(subject="Typed before")
    assert (sent.case_id, sent.recipient_id) == (case.pk, application.submission.user_id)
    assert response["Location"] == reverse("dashboard:message_detail", args=[case.pk, sent.pk])


def test_a_message_with_errors_comes_back_with_what_was_typed(client):
    application = application_with_messages(1)
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    response = client.post(application_url(application), {"subject": "Kept subject", "body": ""})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Your message was not sent" in body
    assert 'value="Kept subject"' in body
    assert Message.objects.count() == 1


def test_caseworker_cannot_write_through_the_application_page(client):
    application = application_with_messages(1)
    client.force_login(staff_user())

    response = client.post(application_url(application), {"subject": "s", "body": "b"})

    assert response.status_code == 404
    assert Message.objects.count() == 1


# POST /dashboard/applications/<id>/open-case/ -------------------------------------------------------


def test_supervisor_opens_a_case_for_a_caseworker_and_lands_on_it(client):
    application = application_with_messages(2)
    caseworker = StaffProfileFactory(display_name="Alex Caseworker")
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    response = client.post(open_url(application), {"caseworker": caseworker.pk}, follow=True)

    case = Case.objects.get(application=application)
    assert response.redirect_chain == [(case_url(case), 302)]
    body = response.content.decode()
    reference = application.submission.reference_number
    assert f"A case was opened for {reference} and assigned to Alex Caseworker." in body
    assert case.assigned_staff_profile_id == caseworker.pk
    assert set(Message.objects.values_list("case_id", flat=True)) == {case.pk}
    assert list(Document.objects.filter(case=case).values_list("file_name", flat=True)) == ["proof-1.pdf"]
    # The old address now leads to the case.
    assert client.get(application_url(application))["Location"] == case_url(case)


def test_a_case_whose_files_cannot_be_stored_is_not_opened_and_the_page_says_why(client, monkeypatch):
    from django.core.files.storage import default_storage

    application = application_with_messages(2)
    caseworker = StaffProfileFactory()
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    def read_only(name, content, **kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(default_storage, "save", read_only)
    response = client.post(open_url(application), {"caseworker": caseworker.pk})

    assert response.status_code == 200
    assert "The case was not opened: the files for its case file could not be stored just now." in response.content.decode()
    assert not Case.objects.filter(application=application).exists()
    assert not Document.objects.exists()
    assert set(Message.objects.values_list("case_id", flat=True)) == {None}


def test_supervisor_opens_an_unassigned_case(client):
    application = application_with_messages(1)
    client.force_login(staff_user(StaffProfile.Role.ADMIN))

    response = client.post(open_url(application), {"caseworker": ""})

    case = Case.objects.get(application=application)
    assert response["Location"] == case_url(case)
    reference = application.submission.reference_number
    assert flashes(response) == [f"A case was opened for {reference}. It is not assigned to anyone yet."]
    assert case.assigned_staff_profile_id is None


def test_opening_a_second_case_goes_back_with_the_reason(client):
    application = application_with_messages(1)
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    case = case_open_for_application(actor=supervisor, application=application)
    client.force_login(supervisor)

    response = client.post(open_url(application), {"caseworker": ""})

    assert response["Location"] == application_url(application)
    assert flashes(response) == ["A case is already open for this application. Its messages are on the case page."]
    assert list(Case.objects.values_list("pk", flat=True)) == [case.pk]


def test_opening_with_a_choice_that_is_not_a_caseworker_shows_the_error(client):
    application = application_with_messages(1)
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    client.force_login(supervisor)

    response = client.post(open_url(application), {"caseworker": supervisor.staff_profile.pk})

    body = response.content.decode()
    assert response.status_code == 200
    assert "The case was not opened" in body
    assert "Choose an active caseworker to assign the case to." in body
    assert not Case.objects.exists()


def test_open_case_from_outside(client):
    application = application_with_messages(1)
    path = open_url(application)

    anonymous = client.post(path, {"caseworker": ""})
    client.force_login(application.submission.user)
    applicant = client.post(path, {"caseworker": ""})
    client.force_login(staff_user())
    caseworker = client.post(path, {"caseworker": ""})
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))
    missing = client.post("/dashboard/applications/999999/open-case/", {"caseworker": ""})
    get = client.get(path)

    assert anonymous.status_code == 302 and anonymous["Location"] == login_redirect(path)
    assert [applicant.status_code, caseworker.status_code, missing.status_code, get.status_code] == [404, 404, 404, 405]
    assert not Case.objects.exists()


# The supervisor's list links to the application page -----------------------------------------------


def test_applications_without_a_case_link_to_their_page(client):
    application = application_with_messages(1)
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    body = client.get(reverse("dashboard:case_list")).content.decode()

    reference = application.submission.reference_number
    assert f'<a href="{application_url(application)}">{reference}</a>' in body


def test_applicant_writing_before_a_case_exists_leads_supervisors_to_the_application_page():
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    application = ApplicationFactory()

    message_send_from_applicant(applicant=application.submission.user, application=application, subject="s", body="b")
    tasks_run()

    [email] = mail.outbox
    assert email.to == [supervisor.email]
    assert f"/login/?next={application_url(application)}" in email.body

