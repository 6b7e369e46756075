"""Internal notes on the case page, the note pages, and the mark a mention
leaves in the work queue."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework.models import StaffProfile
from casework.tests.factories import CaseFactory, SupervisorProfileFactory, staff_user
from intake.models import CaseNote, NoteMention
from intake.services.notes import note_add
from intake.tests.factories import MessageFactory

pytestmark = pytest.mark.django_db


def case_url(case):
    return reverse("dashboard:case_detail", args=[case.pk])


def note_url(case):
    return reverse("dashboard:note_new", args=[case.pk])


def test_the_case_page_shows_the_notes_in_time_order_with_author_date_and_about(client):
    case = CaseFactory(assigned_staff_profile__display_name="Casey Worker")
    message = MessageFactory(case=case, subject="My pay stub")
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR, display_name="Sam Supervisor")
    first = note_add(author=case.assigned_staff_profile.user, case=case, body="Called the employer.")
    note_add(author=supervisor, case=case, body="Approved.", about_message=message)
    CaseNote.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=1))
    client.force_login(supervisor)

    page = client.get(case_url(case)).content.decode()

    notes = page[page.index('id="notes-heading"') :]
    assert notes.index("Called the employer.") < notes.index("Approved.")
    assert "Note by Casey Worker" in notes and "Note by Sam Supervisor" in notes
    assert f'About: <a href="/dashboard/cases/{case.pk}/messages/{message.pk}/#message">My pay stub</a>' in notes
    assert "<time datetime=" in notes


def test_a_caseworker_sees_every_note_of_their_case_and_none_of_others(client):
    case, other = CaseFactory(), CaseFactory()
    note_add(author=staff_user(StaffProfile.Role.SUPERVISOR), case=case, body="On my case")
    note_add(author=other.assigned_staff_profile.user, case=other, body="On another case")
    client.force_login(case.assigned_staff_profile.user)

    page = client.get(case_url(case)).content.decode()

    assert "On my case" in page
    assert "On another case" not in page


def test_writing_a_note_about_the_open_message_mentioning_a_supervisor(client):
    case = CaseFactory()
    message = MessageFactory(case=case, subject="Start date")
    supervisor = SupervisorProfileFactory(display_name="Sam Supervisor")
    client.force_login(case.assigned_staff_profile.user)

    form = client.get(reverse("dashboard:message_detail", args=[case.pk, message.pk])).content.decode()
    response = client.post(
        note_url(case),
        {"note-body": "Check the date.", "note-about": "on", "about_message": message.pk, "note-mentions": [supervisor.pk]},
    )

    assert 'name="note-about"' in form and "About the message “Start date”" in form
    assert "@Sam Supervisor" in form
    assert response.status_code == 302
    assert response["Location"] == f"/dashboard/cases/{case.pk}/messages/{message.pk}/#notes-heading"
    note = CaseNote.objects.get()
    assert (note.body, note.about_message_id) == ("Check the date.", message.pk)
    assert NoteMention.objects.get().mentioned_user == supervisor.user


def test_an_empty_note_comes_back_on_its_own_page_with_the_error(client):
    case = CaseFactory()
    client.force_login(case.assigned_staff_profile.user)

    response = client.post(note_url(case), {"note-body": "  "})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Write the note." in page
    assert 'id="id_note-body_error"' in page
    assert not CaseNote.objects.exists()


def test_mentioning_someone_outside_the_case_team_is_refused(client):
    case = CaseFactory()
    outsider = staff_user().staff_profile
    client.force_login(case.assigned_staff_profile.user)

    response = client.post(note_url(case), {"note-body": "Hi", "note-mentions": [outsider.pk]})

    assert response.status_code == 200
    assert "You can mention the case&#x27;s caseworker and the supervisors only." in response.content.decode()
    assert not CaseNote.objects.exists()


def test_a_note_about_a_message_of_another_case_is_not_found(client):
    case = CaseFactory()
    client.force_login(case.assigned_staff_profile.user)

    response = client.post(note_url(case), {"note-body": "Hi", "note-about": "on", "about_message": MessageFactory().pk})

    assert response.status_code == 404
    assert not CaseNote.objects.exists()


@pytest.mark.parametrize("who", ["other_caseworker", "applicant", "other_applicant"])
def test_outsiders_get_404_and_write_nothing(cast, who):
    note = note_add(author=cast.caseworker, case=cast.case, body="Private")
    client = cast.client_for(getattr(cast, who))

    assert client.post(note_url(cast.case), {"note-body": "Intruder"}).status_code == 404
    assert client.get(reverse("dashboard:note_change", args=[cast.case.pk, note.pk])).status_code == 404
    assert list(CaseNote.objects.values_list("body", flat=True)) == ["Private"]


def test_anonymous_is_sent_to_sign_in(cast):
    response = cast.client_for(None).post(note_url(cast.case), {"note-body": "Hi"})

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert not CaseNote.objects.exists()


def test_the_author_changes_the_note_within_15_minutes(client):
    case = CaseFactory()
    author = case.assigned_staff_profile.user
    note = note_add(author=author, case=case, body="Frist draft")
    client.force_login(author)
    url = reverse("dashboard:note_change", args=[case.pk, note.pk])

    assert "Change this note" in client.get(case_url(case)).content.decode()
    response = client.post(url, {"body": "First draft"})
    page = client.get(url).content.decode()
    history = page[page.index("History of the note") :]

    assert response.status_code == 302
    note.refresh_from_db()
    assert note.body == "First draft"
    assert history.index("Frist draft") < history.index("First draft")
    assert "(current text)" in history


def test_after_15_minutes_the_note_cannot_be_changed(client):
    case = CaseFactory()
    author = case.assigned_staff_profile.user
    note = note_add(author=author, case=case, body="Old note")
    CaseNote.objects.filter(pk=note.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    client.force_login(author)
    url = reverse("dashboard:note_change", args=[case.pk, note.pk])

    page = client.get(url).content.decode()
    refused = client.post(url, {"body": "Changed"})

    assert "Change this note" not in client.get(case_url(case)).content.decode()
    assert 'name="body"' not in page
    assert "Write a new note instead." in page
    assert refused.status_code == 409
    note.refresh_from_db()
    assert note.body == "Old note"


def test_a_colleague_reads_the_history_but_cannot_change_the_note(client):
    case = CaseFactory()
    note = note_add(author=case.assigned_staff_profile.user, case=case, body="Mine")
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    client.force_login(supervisor)
    url = reverse("dashboard:note_change", args=[case.pk, note.pk])

    page = client.get(url).content.decode()

    assert "Mine" in page and 'name="body"' not in page
    assert client.post(url, {"body": "Changed by someone else"}).status_code == 404
    note.refresh_from_db()
    assert note.body == "Mine"


def test_a_mention_marks_the_case_in_the_queue_until_the_case_is_opened(client):
    case = CaseFactory()
    MessageFactory(case=case)
    supervisor = SupervisorProfileFactory()
    note_add(author=case.assigned_staff_profile.user, case=case, body="Have a look", mentioned=[supervisor])
    client.force_login(supervisor.user)
    queue = reverse("dashboard:queue")

    before = client.get(queue, {"view": "all"}).content.decode()
    client.get(case_url(case))
    after = client.get(queue, {"view": "all"}).content.decode()

    assert '<span class="badge badge--mention">Mentioned' in before
    assert "badge--mention" not in after


def test_the_author_sees_no_mark_of_others_mentions(client):
    case = CaseFactory()
    MessageFactory(case=case)
    note_add(author=case.assigned_staff_profile.user, case=case, body="Look", mentioned=[SupervisorProfileFactory()])
    client.force_login(case.assigned_staff_profile.user)

    assert "badge--mention" not in client.get(reverse("dashboard:queue"), {"view": "mine"}).content.decode()


@pytest.mark.parametrize("count", [1, 20])
def test_notes_cost_the_case_page_two_queries_whatever_their_number(client, count):
    """The rest of the case page's queries are pinned by its own tests; these
    are the notes', exactly: the notes (with authors and messages), their mentions."""
    case = CaseFactory()
    supervisor = SupervisorProfileFactory()
    for number in range(count):
        note_add(author=case.assigned_staff_profile.user, case=case, body=f"Note {number}", mentioned=[supervisor])
    client.force_login(case.assigned_staff_profile.user)
    client.get(case_url(case))

    with CaptureQueriesContext(connection) as captured:
        page = client.get(case_url(case)).content.decode()

    assert page.count('class="note"') == count
    notes = [query["sql"] for query in captured.captured_queries if "case_note" in query["sql"] or "note_mention" in query["sql"]]
    assert len(notes) == 2
