import re

import pytest
from django.urls import reverse

from casework.models import StaffProfile, User
from casework.tests.factories import ApplicantFactory, CaseFactory, staff_user
from intake.models import Message
from intake.tests.factories import MessageAttachmentFactory, MessageFactory
from intake.tests.helpers import upload

pytestmark = pytest.mark.django_db


def url(case):
    return reverse("dashboard:case_detail", args=[case.pk])


def test_page_shows_case_summary_and_recipient_read_only(client):
    case = CaseFactory()
    client.force_login(case.assigned_staff_profile.user)

    response = client.get(url(case))

    body = response.content.decode()
    assert response.status_code == 200
    assert case.application.submission.reference_number in body
    assert str(case.application.submission.user) in body
    assert case.assigned_staff_profile.display_name in body
    assert 'name="recipient' not in body
    assert 'name="to"' not in body


@pytest.mark.parametrize(
    "language, application, case_status",
    [
        ("en", "<dt>Application</dt><dd>No. {number}, open</dd>", "<dt>Case status</dt><dd>Open</dd>"),
        # A case (le dossier) is "ouvert", an application (la demande) "ouverte".
        ("fr", "<dt>Demande</dt><dd>Nº {number}, ouverte</dd>", "<dt>État du dossier</dt><dd>Ouvert</dd>"),
    ],
)
def test_statuses_agree_with_what_they_describe(client, language, application, case_status):
    case = CaseFactory(status="open", application__status="open")
    caseworker = case.assigned_staff_profile.user
    User.objects.filter(pk=caseworker.pk).update(preferred_language=language)
    client.force_login(caseworker)

    body = client.get(url(case)).content.decode()

    assert application.format(number=case.application_id) in body
    assert case_status in body


def test_widget_lists_only_this_cases_messages_with_booking_reference(client):
    case, other = CaseFactory(), CaseFactory()
    MessageFactory(case=case, subject="Mine")
    MessageFactory(case=other, subject="Someone else's")
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    response = client.get(url(case))

    body = response.content.decode()
    assert "Mine" in body
    assert "Someone else&#x27;s" not in body and "Someone else's" not in body
    reference = case.application.submission.reference_number
    # title, heading, summary, and the one message row
    assert body.count(reference) == 4
    assert body.count(f"<td>{reference}</td>") == 1
    assert other.application.submission.reference_number not in body
    assert "My private answer" not in body  # list shows subjects only


def test_unread_row_is_bold_and_labelled(client):
    case = CaseFactory()
    MessageFactory(case=case)
    client.force_login(case.assigned_staff_profile.user)

    body = client.get(url(case)).content.decode()

    assert 'class="is-unread' in body
    assert '<span class="badge badge--unread">Unread</span>' in body


def test_tabs_filter_by_direction_with_counts(client):
    case = CaseFactory()
    MessageFactory(case=case, subject="Incoming")
    client.force_login(case.assigned_staff_profile.user)
    client.post(url(case), {"subject": "Outgoing", "body": "Hello"})

    from_tab = client.get(url(case), {"tab": "from"})
    to_tab = client.get(url(case), {"tab": "to"})

    assert [m.subject for m in from_tab.context["thread"]] == ["Incoming"]
    assert [m.subject for m in to_tab.context["thread"]] == ["Outgoing"]
    assert from_tab.context["counts"] == {"all": 2, "from_applicant": 1, "to_applicant": 1, "unread": 1}
    assert 'aria-current="page">From applicant (1, 1 unread)' in from_tab.content.decode()


def test_sorted_newest_first_by_default_and_oldest_on_request(client):
    case = CaseFactory()
    first = MessageFactory(case=case, subject="First")
    second = MessageFactory(case=case, subject="Second")
    client.force_login(case.assigned_staff_profile.user)

    newest = client.get(url(case)).context["thread"].object_list
    oldest = client.get(url(case), {"sort": "oldest"}).context["thread"].object_list

    assert list(newest) == [second, first]
    assert list(oldest) == [first, second]


def test_sort_by_sender(client):
    case = CaseFactory(assigned_staff_profile__display_name="Aaron Caseworker")
    case.application.submission.user.first_name = "Zed"
    case.application.submission.user.save()
    MessageFactory(case=case, subject="From Zed")
    client.force_login(case.assigned_staff_profile.user)
    client.post(url(case), {"subject": "From Aaron", "body": "Hello"})

    rows = client.get(url(case), {"sort": "sender"}).context["thread"].object_list

    assert [m.subject for m in rows] == ["From Aaron", "From Zed"]


def test_staff_message_statuses(client):
    case = CaseFactory()
    client.force_login(case.assigned_staff_profile.user)
    for subject in ("One", "Two", "Three"):
        client.post(url(case), {"subject": subject, "body": "Hello"})
    Message.objects.filter(subject="Two").update(status=Message.Status.READ)
    Message.objects.filter(subject="Three").update(status=Message.Status.REPLIED)

    body = client.get(url(case)).content.decode()

    assert "Sent" in body
    assert "Read by applicant" in body
    assert "Applicant replied" in body


def test_send_creates_message_to_the_applicant_and_redirects(client):
    case = CaseFactory()
    client.force_login(case.assigned_staff_profile.user)

    response = client.post(
        url(case),
        {
            "subject": "Your documents",
            "body": "Please send your ID.",
            "urgent": "on",
            "attachments": [upload("letter.pdf")],
        },
    )

    message = Message.objects.get(subject="Your documents")
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:message_detail", args=[case.pk, message.pk])
    assert message.recipient == case.application.submission.user
    assert message.case == case
    assert message.urgent
    assert message.attachments.count() == 1


def test_posted_recipient_is_ignored(client):
    case = CaseFactory()
    intruder = ApplicantFactory()
    client.force_login(case.assigned_staff_profile.user)

    client.post(url(case), {"subject": "Hi", "body": "Hello", "recipient": intruder.pk, "recipient_id": intruder.pk})

    assert Message.objects.get().recipient == case.application.submission.user


def test_missing_subject_keeps_what_was_typed(client):
    case = CaseFactory()
    client.force_login(case.assigned_staff_profile.user)

    response = client.post(url(case), {"subject": "  ", "body": "Typed words stay", "urgent": "on"})

    body = response.content.decode()
    assert response.status_code == 200
    assert not Message.objects.exists()
    assert "Enter a subject." in body
    assert 'id="id_subject_error"' in body
    assert "Typed words stay" in body
    assert 'name="urgent" id="id_urgent" checked' in body


def test_refused_file_is_named_and_text_kept(client):
    case = CaseFactory()
    client.force_login(case.assigned_staff_profile.user)

    response = client.post(
        url(case),
        {
            "subject": "Keep me",
            "body": "And me",
            "attachments": [upload("virus.exe", b"MZ\x00\x01\x02", "application/octet-stream")],
        },
    )

    body = response.content.decode()
    assert not Message.objects.exists()
    assert "virus.exe" in body
    assert "Choose the files again." in body
    assert 'id="id_attachments_error"' in body
    assert 'value="Keep me"' in body
    assert "And me" in body


def test_help_text_and_errors_are_tied_to_their_fields(client):
    case = CaseFactory()
    client.force_login(case.assigned_staff_profile.user)

    body = client.post(url(case), {"subject": "", "body": "kept"}).content.decode()

    # Every id a field's aria-describedby names is on the page, so screen readers read it with the field.
    described = re.findall(r'aria-describedby="([^"]+)"', body)
    assert "id_attachments_helptext" in " ".join(described)
    assert "id_subject_error" in " ".join(described)
    for ids in described:
        for target in ids.split():
            assert f'id="{target}"' in body


def test_case_file_lists_documents_with_download_links(client):
    case = CaseFactory()
    message = MessageAttachmentFactory(message__case=case, original_filename="id-card.pdf").message
    client.force_login(case.assigned_staff_profile.user)
    client.get(reverse("dashboard:message_detail", args=[case.pk, message.pk]))

    response = client.get(url(case))

    [document] = response.context["documents"]
    body = response.content.decode()
    assert "id-card.pdf" in body
    assert reverse("dashboard:document_download", args=[case.pk, document.pk]) in body
    assert "Secure message attachment" in body


def test_supervisor_can_open_any_case(client):
    case = CaseFactory()
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    assert client.get(url(case)).status_code == 200


def test_other_caseworker_gets_404(client):
    case = CaseFactory()
    client.force_login(staff_user())

    assert client.get(url(case)).status_code == 404
    assert client.post(url(case), {"subject": "x", "body": "y"}).status_code == 404
    assert not Message.objects.exists()


def test_applicant_gets_404(client):
    case = CaseFactory()
    client.force_login(case.application.submission.user)

    assert client.get(url(case)).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client):
    case = CaseFactory()

    response = client.get(url(case))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url(case)}"


def test_missing_case_gets_404(client):
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    assert client.get(reverse("dashboard:case_detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("count", [1, 50])
def test_query_count_does_not_grow_with_messages(client, django_assert_num_queries, count):
    case = CaseFactory()
    for message in MessageFactory.create_batch(count, case=case):
        MessageAttachmentFactory(message=message)
    client.force_login(case.assigned_staff_profile.user)

    # session, user (with staff profile), case with its tab counts (the page's
    # row count comes from them), the case's history (its own audit events
    # with their actors), the access log's INSERT (case page viewed), message
    # rows (sender, recipient, booking reference, attachment count joined),
    # documents
    # + the case's internal notes, the colleagues a note may mention, the saved replies to choose from
    # + the writer's saved draft of this conversation (none here)
    with django_assert_num_queries(11):
        response = client.get(url(case))

    assert response.status_code == 200
