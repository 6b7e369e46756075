"""Internal notes never reach an applicant (issue 13; Chatwoot #838/#1073 and
Zammad #2472 leaked theirs). A note with a unique marker is written on a
case, about one of its messages, mentioning a supervisor; then every page and
endpoint the applicant can reach about that case is walked, every e-mail the
case produced is read (new messages, the mention, an unread reminder, a
reassignment), and the audit trail too: the marker is in none of
them. The staff case page, where the note belongs, shows it (so the walk
would notice a marker that never made it anywhere)."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from casework.tests.factories import StaffProfileFactory, SupervisorProfileFactory
from intake.models import EmailNotice, MessageAttachment, MessageEvent
from intake.reminders import reminders_queue
from intake.services.assignment import case_assign
from intake.services.notes import note_add, note_edit
from intake.services.sending import message_send_from_applicant, message_send_to_case
from intake.tests.helpers import upload
from intake.tests.worker import tasks_run

pytestmark = pytest.mark.django_db

MARKER = "LEAKCHECK-q7Zr4W"


def applicant_urls(case, messages):
    """Every GET the applicant can make about the case: pages, API, downloads."""
    application = case.application
    urls = [
        reverse("portal:inbox"),
        reverse("portal:inbox") + f"?application={application.pk}",
        reverse("portal:compose"),
        reverse("portal:conversation", args=[application.pk]),
        # The note's own words: search covers messages only (the marker itself would be echoed in the form).
        reverse("portal:search") + "?q=called+back+twice",
        reverse("portal:search") + "?q=employer",
        reverse("api:me_threads"),
    ]
    for message in messages:
        urls += [reverse("portal:message_detail", args=[message.pk]), reverse("api:message_detail", args=[message.pk])]
        for attachment in MessageAttachment.objects.filter(message=message):
            urls.append(reverse("portal:attachment_download", args=[message.pk, attachment.pk]))
    return urls


def content_of(response):
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content)
    return response.content


def test_a_note_reaches_no_applicant_page_endpoint_email_or_audit_row(cast):
    case, caseworker, applicant = cast.case, cast.caseworker, cast.applicant
    supervisor = SupervisorProfileFactory()
    question = message_send_from_applicant(
        applicant=applicant,
        application=case.application,
        subject="About my employer",
        body="My employer is Acme.",
        files=[upload("pay-stub.pdf")],
    )
    note = note_add(
        author=caseworker,
        case=case,
        body=f"The employer {MARKER} called back.",
        about_message=question,
        mentioned=[supervisor],
    )
    note_edit(author=caseworker, note=note, body=f"The employer {MARKER} called back twice.")
    answer = message_send_to_case(
        staff_user=caseworker, case=case, subject="Re: About my employer", body="Thank you.", reply_to=question
    )
    # The other e-mails a case produces: the applicant's unread reminder, and
    # the notice to a caseworker the case is reassigned to.
    assert reminders_queue(now=timezone.now() + timedelta(days=30)) == 1
    case_assign(actor=supervisor.user, case=case, caseworker=StaffProfileFactory())
    case.refresh_from_db()
    tasks_run()  # the e-mails: new messages both ways, the mention, the reminder, the assignment

    staff_page = cast.client_for(supervisor.user).get(reverse("dashboard:message_detail", args=[case.pk, question.pk]))
    assert MARKER in staff_page.content.decode()

    client = cast.client_for(applicant)
    urls = applicant_urls(case, [question, answer])
    assert any("attachments" in url for url in urls)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert MARKER.encode() not in content_of(response), url

    # The drafts endpoint answers the applicant's own form (what they typed), nothing more.
    drafted = client.post(reverse("portal:draft_autosave"), {"application": case.application_id, "body": "Draft"})
    assert drafted.status_code == 200 and MARKER.encode() not in drafted.content

    kinds = set(EmailNotice.objects.filter(status=EmailNotice.Status.SENT).values_list("kind", flat=True))
    assert kinds == {EmailNotice.Kind.NEW_MESSAGE, EmailNotice.Kind.UNREAD_REMINDER, EmailNotice.Kind.CASE_ASSIGNED}
    # New messages to the caseworker and the applicant, the mention, the reminder, the assignment.
    assert len(mail.outbox) >= 5
    for email in mail.outbox:
        for text in (email.subject, email.body, *(alternative for alternative, _type in email.alternatives)):
            assert MARKER not in text

    events = list(MessageEvent.objects.values_list("event_type", "detail"))
    assert MessageEvent.Type.NOTE_ADDED in {event_type for event_type, _detail in events}
    assert MARKER not in json.dumps(events)


def test_the_staff_api_of_the_case_thread_carries_no_note(cast):
    message_send_from_applicant(applicant=cast.applicant, application=cast.case.application, subject="Hi", body="Hello")
    note_add(author=cast.caseworker, case=cast.case, body=f"Internal {MARKER}")

    response = cast.client_for(cast.caseworker).get(reverse("api:case_messages", args=[cast.case.pk]))

    assert response.status_code == 200
    assert MARKER not in response.content.decode()


def test_no_applicant_path_imports_the_notes_module():
    """The applicant's views, their selectors and presenters, the API and the
    e-mails: none of them can read a note, because none imports its reader."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    applicant_side = ["views/portal.py", "views/api.py", "views/downloads.py", "selectors.py", "presenters.py", "notifications.py", "search.py"]
    for name in applicant_side:
        tree = ast.parse((root / name).read_text())
        imported = {
            node.module if isinstance(node, ast.ImportFrom) else alias.name
            for node in ast.walk(tree)
            if isinstance(node, (ast.Import, ast.ImportFrom))
            for alias in node.names
        }
        assert not {"intake.notes", "intake.services.notes"} & imported, name
        assert "CaseNote" not in (root / name).read_text(), name
