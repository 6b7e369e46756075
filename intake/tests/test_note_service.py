"""Writing internal notes (intake.services.notes): adding, the author's
15-minute window and the history of edits, mentions and their e-mail."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from casework.models import StaffProfile
from casework.tests.factories import CaseFactory, StaffProfileFactory, SupervisorProfileFactory, staff_user
from common.errors import Conflict, InvalidInput, PermissionRefused
from intake.models import CaseNote, CaseNoteRevision, MessageEvent, NoteMention
from intake.notes import case_notes, mention_candidates, note_versions
from intake.services.notes import mentions_mark_seen, note_add, note_edit, note_mentions_notify
from intake.tests.factories import MessageFactory
from intake.tests.worker import tasks_queued, tasks_run

pytestmark = pytest.mark.django_db

MARKER = "NOTE-MARKER-9c1e"


def test_a_note_is_added_with_its_author_and_the_message_it_is_about():
    case = CaseFactory()
    message = MessageFactory(case=case)
    author = case.assigned_staff_profile.user

    note = note_add(author=author, case=case, body=f"  Called the employer. {MARKER}  ", about_message=message)

    assert (note.author_user, note.about_message, note.body) == (author, message, f"Called the employer. {MARKER}")
    event = MessageEvent.objects.get()
    assert (event.event_type, event.case_id, event.actor_user_id, event.message_id) == (
        MessageEvent.Type.NOTE_ADDED,
        case.pk,
        author.pk,
        None,
    )
    assert event.detail == {"note_id": note.pk, "about_message_id": message.pk, "mentioned_user_ids": []}


def test_a_note_about_a_message_of_another_case_is_refused():
    case = CaseFactory()

    with pytest.raises(InvalidInput):
        note_add(author=case.assigned_staff_profile.user, case=case, body="Wrong case", about_message=MessageFactory())
    assert not CaseNote.objects.exists()


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001, "bad \x07 character"])
def test_an_empty_too_long_or_unstorable_note_is_refused(body):
    case = CaseFactory()

    with pytest.raises(InvalidInput) as refused:
        note_add(author=case.assigned_staff_profile.user, case=case, body=body)
    assert refused.value.field == "body"
    assert not CaseNote.objects.exists()


def test_applicants_cannot_write_notes():
    case = CaseFactory()

    with pytest.raises(PermissionRefused):
        note_add(author=case.application.submission.user, case=case, body="Hello")


def test_notes_are_read_in_time_order_with_authors():
    case = CaseFactory()
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR, display_name="Sam Supervisor")
    first = note_add(author=case.assigned_staff_profile.user, case=case, body="First")
    second = note_add(author=supervisor, case=case, body="Second")
    note_add(author=supervisor, case=CaseFactory(), body="Another case")
    CaseNote.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(hours=1))

    notes = case_notes(case)

    assert [note.body for note in notes] == ["First", "Second"]
    assert notes[1].author_user.staff_profile.display_name == "Sam Supervisor"
    assert second.pk == notes[1].pk


# Editing -----------------------------------------------------------------------------


def test_the_author_edits_within_15_minutes_and_every_text_is_kept():
    case = CaseFactory()
    author = case.assigned_staff_profile.user
    note = note_add(author=author, case=case, body="Version one")
    later = note.created_at + timedelta(minutes=5)

    assert note_edit(author=author, note=note, body="Version two", now=later)
    assert note_edit(author=author, note=note, body="Version three", now=later + timedelta(minutes=9))

    note.refresh_from_db()
    versions = note_versions(note)
    assert [version["body"] for version in versions] == ["Version one", "Version two", "Version three"]
    assert versions[0]["written_at"] == note.created_at
    assert versions[1]["written_at"] == later
    assert versions[-1]["replaced_at"] is None
    assert note.edited_at == later + timedelta(minutes=9)
    edits = MessageEvent.objects.filter(event_type=MessageEvent.Type.NOTE_EDITED)
    assert [event.detail["note_id"] for event in edits] == [note.pk, note.pk]


def test_an_unchanged_text_is_not_an_edit():
    case = CaseFactory()
    author = case.assigned_staff_profile.user
    note = note_add(author=author, case=case, body="Same")

    assert not note_edit(author=author, note=note, body=" Same ")
    assert not CaseNoteRevision.objects.exists()


def test_after_15_minutes_the_note_stays_as_it_is():
    case = CaseFactory()
    author = case.assigned_staff_profile.user
    note = note_add(author=author, case=case, body="Final")

    with pytest.raises(Conflict):
        note_edit(author=author, note=note, body="Too late", now=note.created_at + timedelta(minutes=15))
    note.refresh_from_db()
    assert note.body == "Final"


def test_only_the_author_edits():
    case = CaseFactory()
    note = note_add(author=case.assigned_staff_profile.user, case=case, body="Mine")

    with pytest.raises(PermissionRefused):
        note_edit(author=staff_user(StaffProfile.Role.SUPERVISOR), note=note, body="Theirs")


# Mentions ------------------------------------------------------------------------------


def test_the_case_team_and_the_supervisors_may_be_mentioned():
    case = CaseFactory()
    supervisor = SupervisorProfileFactory(display_name="Aaron Supervisor")
    StaffProfileFactory(display_name="Other Caseworker")
    SupervisorProfileFactory(status=StaffProfile.Status.DISABLED)

    by_supervisor = list(mention_candidates(case, supervisor.user))
    by_caseworker = list(mention_candidates(case, case.assigned_staff_profile.user))

    assert by_supervisor == [case.assigned_staff_profile]
    assert by_caseworker == [supervisor]


def test_mentioning_someone_outside_the_team_is_refused():
    case = CaseFactory()

    with pytest.raises(InvalidInput):
        note_add(author=case.assigned_staff_profile.user, case=case, body="Hi", mentioned=[StaffProfileFactory()])
    assert not CaseNote.objects.exists()


def test_a_mention_is_e_mailed_without_the_note_in_the_recipients_language():
    case = CaseFactory()
    supervisor = SupervisorProfileFactory(user__preferred_language="fr", user__first_name="Aiyana", user__last_name="Smith")
    reference = case.application.submission.reference_number

    note_add(author=case.assigned_staff_profile.user, case=case, body=f"Please look. {MARKER}", mentioned=[supervisor])

    assert not mail.outbox  # queued in the transaction, sent by the worker
    assert len(tasks_queued("intake.services.notes.note_mentions_notify")) == 1
    tasks_run()
    [email] = mail.outbox
    assert email.to == [supervisor.user.email]
    assert email.subject == f"On vous mentionne dans une note du dossier {reference}"
    html = email.alternatives[0][0]
    for text in (email.subject, email.body, html):
        assert MARKER not in text
        assert "Please look" not in text
        assert str(case.application.submission.user) not in text
    assert f"/login/?next=/dashboard/cases/{case.pk}/\n" in email.body


def test_a_mention_is_e_mailed_once_however_often_the_task_runs():
    case = CaseFactory()
    supervisor = SupervisorProfileFactory()
    note_add(author=case.assigned_staff_profile.user, case=case, body="Look", mentioned=[supervisor])
    mention = NoteMention.objects.get()

    tasks_run()
    counts = note_mentions_notify.call([mention.pk])

    assert len(mail.outbox) == 1
    assert counts["skipped"] == 1


def test_the_mention_audit_names_who_not_what():
    case = CaseFactory()
    supervisor = SupervisorProfileFactory()

    note_add(author=case.assigned_staff_profile.user, case=case, body=MARKER, mentioned=[supervisor])

    event = MessageEvent.objects.get()
    assert event.detail["mentioned_user_ids"] == [supervisor.user_id]
    assert MARKER not in json.dumps(event.detail)


def test_opening_the_case_marks_the_mention_seen():
    case = CaseFactory()
    supervisor = SupervisorProfileFactory()
    note_add(author=case.assigned_staff_profile.user, case=case, body="Look", mentioned=[supervisor])

    assert mentions_mark_seen(user=supervisor.user, case=case) == 1
    assert mentions_mark_seen(user=supervisor.user, case=case) == 0
    assert NoteMention.objects.get().seen_at is not None
