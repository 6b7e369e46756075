"""The staff search page, /dashboard/search/: subjects and booking
references, never bodies; only the cases the staff member may open; links to
the message in its case."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models import StaffProfile
from casework.tests.factories import ApplicationFactory, CaseFactory, staff_user
from intake.models import MessageEvent
from intake.tests.factories import MessageFactory, StaffMessageFactory

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:search")


def test_results_list_subject_reference_applicant_date_and_direction_never_the_body(client):
    case = CaseFactory(application__submission__user__first_name="Aiyana", application__submission__user__last_name="Smith")
    message = MessageFactory(case=case, subject="Training start", body="My welding course begins in March, private detail.")
    client.force_login(case.assigned_staff_profile.user)

    response = client.get(URL, {"q": "welding"})

    page = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="/dashboard/cases/{case.pk}/messages/{message.pk}/#message">Training start</a>' in page
    assert case.application.submission.reference_number in page
    assert "Aiyana Smith" in page
    assert "From applicant" in page
    assert "private detail" not in page and "begins in March" not in page


def test_a_caseworker_never_finds_another_caseworkers_case(client):
    mine, theirs = CaseFactory(), CaseFactory()
    MessageFactory(case=mine, subject="Mine", body="budget")
    MessageFactory(case=theirs, subject="Theirs", body="budget")
    client.force_login(mine.assigned_staff_profile.user)

    page = client.get(URL, {"q": "budget"}).content.decode()
    limited = client.get(URL, {"q": "budget", "reference": theirs.application.submission.reference_number}).content.decode()

    assert "Mine" in page and "Theirs" not in page
    assert "Theirs" not in limited and "No message matches these words." in limited


def test_from_a_case_page_only_that_cases_messages(client):
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    case, other = CaseFactory(), CaseFactory()
    MessageFactory(case=case, subject="This case", body="budget")
    MessageFactory(case=other, subject="Other case", body="budget")
    client.force_login(supervisor)

    page = client.get(URL, {"q": "budget", "case": case.pk}).content.decode()

    assert "This case" in page and "Other case" not in page
    assert f"Only the messages of case {case.application.submission.reference_number}." in page


def test_another_caseworkers_case_id_is_not_found(client):
    mine, theirs = CaseFactory(), CaseFactory()
    client.force_login(mine.assigned_staff_profile.user)

    assert client.get(URL, {"q": "budget", "case": theirs.pk}).status_code == 404


def test_a_message_of_an_application_without_a_case_opens_the_application_page(client):
    application = ApplicationFactory()
    MessageFactory(case=None, application=application, recipient=None, subject="Before the case", body="budget")
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    page = client.get(URL, {"q": "budget"}).content.decode()

    assert f'<a href="/dashboard/applications/{application.pk}/">Before the case</a>' in page


def test_more_than_ten_words_are_refused_with_the_reason(client):
    client.force_login(staff_user())

    response = client.get(URL, {"q": " ".join(f"w{n}" for n in range(11))})

    page = response.content.decode()
    assert "Search with at most 10 words." in page
    assert 'id="id_q_error"' in page
    assert "<title>Error:" in page


def test_limits_without_words_ask_for_a_word(client):
    client.force_login(staff_user())

    page = client.get(URL, {"q": "", "direction": "staff_to_applicant"}).content.decode()

    assert "Enter at least one word to find" in page


def test_the_empty_page_is_just_the_form(client):
    client.force_login(staff_user())

    page = client.get(URL).content.decode()

    assert 'role="search"' in page
    assert "Results" not in page and "error-summary" not in page


def test_a_search_is_audited_without_its_words(client):
    user = staff_user()
    client.force_login(user)

    client.get(URL, {"q": "confidential words"})

    event = MessageEvent.objects.get(event_type=MessageEvent.Type.STAFF_SEARCHED)
    assert event.actor_user_id == user.pk
    assert event.detail["where"] == "message_search"
    assert "confidential" not in str(event.detail)


def test_pages_link_to_older_and_newer_results(client, monkeypatch):
    from intake import search

    monkeypatch.setattr(search, "PAGE_SIZE", 2)
    case = CaseFactory()
    for minutes in range(3):
        MessageFactory(case=case, subject=f"Budget {minutes}", created_at=timezone.now() - timedelta(minutes=minutes))
    client.force_login(case.assigned_staff_profile.user)

    first = client.get(URL, {"q": "budget"}).content.decode()
    second = client.get(URL, {"q": "budget", "page": 2}).content.decode()

    assert '<a href="?q=budget&amp;page=2" rel="next">Older results</a>' in first
    assert "Budget 2" in second and '<a href="?q=budget&amp;page=1" rel="prev">Newer results</a>' in second


@pytest.mark.parametrize("who", ["applicant", "other_applicant"])
def test_applicants_get_404(cast, who):
    assert cast.client_for(getattr(cast, who)).get(URL, {"q": "budget"}).status_code == 404


def test_anonymous_is_sent_to_sign_in(cast):
    response = cast.client_for(None).get(URL, {"q": "budget"})

    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("count", [1, 50])
@pytest.mark.parametrize("role", ["caseworker", "supervisor"])
def test_query_count_is_the_same_for_1_and_50_results(client, django_assert_num_queries, count, role):
    case = CaseFactory()
    for number in range(count):
        factory = MessageFactory if number % 2 else StaffMessageFactory
        factory(case=case, subject=f"Budget {number}", body="About the budget.")
    user = case.assigned_staff_profile.user if role == "caseworker" else staff_user(StaffProfile.Role.SUPERVISOR)
    client.force_login(user)
    client.get(URL, {"q": "budget"})

    # session, user; the window's start (caseworker: from the conversation
    # summary); the matches (caseworker: their cases' messages, and those
    # bound only to an application); the page's messages; the audit event.
    expected = {"caseworker": 7, "supervisor": 6}[role]
    with django_assert_num_queries(expected):
        response = client.get(URL, {"q": "budget"})
    assert response.content.decode().count('<th scope="row"><a href=') == min(count, 25)
