"""The saved replies pages, and choosing a saved reply on the case page:
without JavaScript (?saved_reply=<id> fills the compose form) and the JSON
the page's script reads, in the applicant's language."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models import StaffProfile
from casework.tests.factories import CaseFactory, StaffProfileFactory, staff_user
from intake.models import MessageEvent, SavedReply
from intake.tests.factories import MessageFactory

pytestmark = pytest.mark.django_db


def saved_reply(owner=None, **fields):
    author = owner or staff_user(StaffProfile.Role.SUPERVISOR)
    values = {
        "title": "Documents received",
        "subject_en": "Your documents ({booking_reference})",
        "body_en": "Hello {applicant_first_name},\nWe received your documents.\n{caseworker_name}",
        "subject_fr": "Vos documents ({booking_reference})",
        "body_fr": "Bonjour {applicant_first_name},\nNous avons reçu vos documents.\n{caseworker_name}",
        **fields,
    }
    return SavedReply.objects.create(owner_user=owner, created_by_user=author, updated_by_user=author, **values)


def signed_in(client, user):
    client.force_login(user)
    return client


def form_data(**changes):
    return {
        "title": "Missing pay stub",
        "subject_en": "Pay stub for {booking_reference}",
        "body_en": "Hello {applicant_first_name}, please send your pay stub.",
        "subject_fr": "Talon de paie pour {booking_reference}",
        "body_fr": "Bonjour {applicant_first_name}, veuillez envoyer votre talon de paie.",
        "save": "",
        **changes,
    }


def textarea(body, name):
    match = re.search(rf'<textarea name="{name}"[^>]*>\n?(.*?)</textarea>', body, re.S)
    return match.group(1) if match else None


# The case page ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "subject", "body"),
    [
        ("en", "Your documents ({reference})", "Hello Aiyana,\nWe received your documents.\nCasey Worker"),
        ("fr", "Vos documents ({reference})", "Bonjour Aiyana,\nNous avons reçu vos documents.\nCasey Worker"),
    ],
)
def test_choosing_a_reply_fills_the_form_in_the_applicants_language(client, language, subject, body):
    case = CaseFactory(
        assigned_staff_profile__display_name="Casey Worker",
        application__submission__user__first_name="Aiyana",
        application__submission__user__preferred_language=language,
    )
    reply = saved_reply()
    reference = case.application.submission.reference_number

    response = signed_in(client, case.assigned_staff_profile.user).get(
        reverse("dashboard:case_detail", args=[case.pk]), {"saved_reply": reply.pk}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert f'name="subject" value="{subject.format(reference=reference)}"' in page
    assert textarea(page, "body") == body.replace("\n", "\n")
    assert "is in the message below" in page
    assert f'<option value="{reply.pk}" selected>' in page


def test_answering_a_message_keeps_the_re_subject(client):
    case = CaseFactory()
    message = MessageFactory(case=case, subject="My pay stub")
    reply = saved_reply()

    page = signed_in(client, case.assigned_staff_profile.user).get(
        reverse("dashboard:message_detail", args=[case.pk, message.pk]), {"saved_reply": reply.pk}
    ).content.decode()

    assert 'name="subject" value="Re: My pay stub"' in page
    assert "We received your documents." in textarea(page, "body")


def test_the_picker_lists_the_team_replies_and_ones_own_only(client):
    caseworker = StaffProfileFactory()
    case = CaseFactory(assigned_staff_profile=caseworker)
    saved_reply(title="Team reply")
    saved_reply(owner=caseworker.user, title="My reply")
    saved_reply(owner=staff_user(), title="Colleague's reply")

    page = signed_in(client, caseworker.user).get(reverse("dashboard:case_detail", args=[case.pk])).content.decode()

    assert "Team reply" in page and "My reply" in page
    assert "Colleague" not in page
    assert 'action="/dashboard/cases/' in page and 'name="saved_reply"' in page


def test_someone_elses_personal_reply_is_not_found(client):
    case = CaseFactory()
    theirs = saved_reply(owner=staff_user(), title="Theirs")

    response = signed_in(client, case.assigned_staff_profile.user).get(
        reverse("dashboard:case_detail", args=[case.pk]), {"saved_reply": theirs.pk}
    )

    assert response.status_code == 404


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_script_gets_the_reply_filled_in_as_json(client, language):
    case = CaseFactory(application__submission__user__preferred_language=language, application__submission__user__first_name="Nina")
    reply = saved_reply()

    response = signed_in(client, case.assigned_staff_profile.user).get(
        reverse("dashboard:case_saved_reply", args=[case.pk, reply.pk])
    )

    data = response.json()
    assert (data["id"], data["language"]) == (reply.pk, language)
    assert data["body"].startswith("Hello Nina," if language == "en" else "Bonjour Nina,")
    assert case.application.submission.reference_number in data["subject"]


@pytest.mark.parametrize("who", ["other_caseworker", "applicant", "anonymous"])
def test_outsiders_get_404_from_the_json(cast, who):
    reply = saved_reply()
    url = reverse("dashboard:case_saved_reply", args=[cast.case.pk, reply.pk])
    user = {"other_caseworker": cast.other_caseworker, "applicant": cast.applicant, "anonymous": None}[who]

    response = cast.client_for(user).get(url)

    assert response.status_code == (302 if who == "anonymous" else 404)


# The pages of saved replies -------------------------------------------------------


def test_the_list_shows_both_groups_with_edit_links_where_allowed(client):
    caseworker = staff_user()
    team = saved_reply(title="Team reply")
    mine = saved_reply(owner=caseworker, title="My reply")

    page = signed_in(client, caseworker).get(reverse("dashboard:saved_replies")).content.decode()

    assert "Team reply" in page and "My reply" in page
    assert reverse("dashboard:saved_reply_change", args=[mine.pk]) in page
    assert reverse("dashboard:saved_reply_change", args=[team.pk]) not in page


def test_a_caseworker_creates_a_personal_reply_without_the_choice_of_sharing(client):
    caseworker = staff_user()
    signed_in(client, caseworker)

    form = client.get(reverse("dashboard:saved_reply_new")).content.decode()
    response = client.post(reverse("dashboard:saved_reply_new"), form_data(shared="team"))

    assert 'name="shared"' not in form
    assert response.status_code == 302
    reply = SavedReply.objects.get()
    assert reply.owner_user == caseworker
    assert reply.body_fr == "Bonjour {applicant_first_name}, veuillez envoyer votre talon de paie."


def test_a_supervisor_creates_a_team_reply(client):
    signed_in(client, staff_user(StaffProfile.Role.SUPERVISOR))

    client.post(reverse("dashboard:saved_reply_new"), form_data(shared="team"))

    assert SavedReply.objects.get().is_team


def test_an_unknown_placeholder_is_refused_naming_it_and_keeps_the_text(client):
    signed_in(client, staff_user())

    response = client.post(reverse("dashboard:saved_reply_new"), form_data(body_fr="Bonjour {prenom}, merci."))

    page = response.content.decode()
    assert response.status_code == 200
    assert not SavedReply.objects.exists()
    assert "{prenom} is not a placeholder." in page
    assert 'id="id_body_fr_error"' in page
    assert "Bonjour {prenom}, merci." in page


def test_preview_fills_both_languages_from_a_sample_case_and_saves_nothing(client):
    caseworker = StaffProfileFactory(display_name="Casey Worker")
    case = CaseFactory(assigned_staff_profile=caseworker, application__submission__user__first_name="Tara")
    signed_in(client, caseworker.user)

    response = client.post(reverse("dashboard:saved_reply_new"), {**form_data(), "preview": "1"})

    page = response.content.decode()
    reference = case.application.submission.reference_number
    assert not SavedReply.objects.exists()
    assert f"Filled in as for case {reference} (Tara)" in page
    assert "Hello Tara, please send your pay stub." in page
    assert "Bonjour Tara, veuillez envoyer votre talon de paie." in page
    assert f"Talon de paie pour {reference}" in page


def test_the_owner_edits_their_reply(client):
    caseworker = staff_user()
    reply = saved_reply(owner=caseworker)
    signed_in(client, caseworker)

    response = client.post(reverse("dashboard:saved_reply_change", args=[reply.pk]), form_data(title="Renamed"))

    reply.refresh_from_db()
    assert response.status_code == 302
    assert reply.title == "Renamed"
    assert MessageEvent.objects.get().event_type == MessageEvent.Type.SAVED_REPLY_EDITED


def test_delete_asks_first_then_deletes(client):
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    reply = saved_reply()
    signed_in(client, supervisor)
    url = reverse("dashboard:saved_reply_delete", args=[reply.pk])

    question = client.get(url)
    assert SavedReply.objects.exists()
    assert "Delete the saved reply “Documents received”?" in question.content.decode()

    client.post(url)
    assert not SavedReply.objects.exists()


@pytest.mark.parametrize("page", ["saved_reply_change", "saved_reply_delete"])
def test_a_caseworker_cannot_reach_the_team_replys_pages(client, page):
    reply = saved_reply()
    signed_in(client, staff_user())

    assert client.get(reverse(f"dashboard:{page}", args=[reply.pk])).status_code == 404
    assert client.post(reverse(f"dashboard:{page}", args=[reply.pk]), form_data()).status_code == 404
    assert SavedReply.objects.filter(title="Documents received").exists()


@pytest.mark.parametrize("page", ["saved_reply_change", "saved_reply_delete"])
def test_nobody_reaches_someone_elses_personal_reply(client, page):
    reply = saved_reply(owner=staff_user())
    signed_in(client, staff_user(StaffProfile.Role.SUPERVISOR))

    assert client.get(reverse(f"dashboard:{page}", args=[reply.pk])).status_code == 404


def test_applicants_get_404(client):
    applicant = CaseFactory().application.submission.user
    signed_in(client, applicant)

    assert client.get(reverse("dashboard:saved_replies")).status_code == 404
    assert client.get(reverse("dashboard:saved_reply_new")).status_code == 404


def test_the_list_reads_two_queries_however_many_replies(client, django_assert_num_queries):
    caseworker = staff_user()
    for number in range(20):
        saved_reply(owner=caseworker, title=f"Reply {number}", updated_at=timezone.now())
    signed_in(client, caseworker)
    client.get(reverse("dashboard:saved_replies"))

    # session, user (with the staff profile), the replies
    with django_assert_num_queries(3):
        client.get(reverse("dashboard:saved_replies"))
