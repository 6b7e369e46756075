"""The staff search page, /dashboard/search/: subjects and booking
references, never bodies; only the cases the staff member may open; links to
the message in its case. The form posts its terms and the results come back
as `?search=<id>` (issue 15): the terms are in no URL."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casework.models import StaffProfile
from casework.tests.factories import ApplicationFactory, CaseFactory, staff_user
from intake.models import MessageEvent
from intake.tests.factories import MessageFactory, StaffMessageFactory

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:search")


def searched(client, data):
    """Post a search and follow its redirect to the results, as the browser does."""
    posted = client.post(URL, data)
    assert posted.status_code == 302, posted.status_code
    return client.get(posted["Location"])


def hrefs(page):
    return [part.split('"', 1)[0] for part in page.split('href="')[1:]]


def test_results_list_subject_reference_applicant_date_and_direction_never_the_body(client):
    case = CaseFactory(application__submission__user__first_name="Aiyana", application__submission__user__last_name="Smith")
    message = MessageFactory(case=case, subject="Training start", body="My welding course begins in March, private detail.")
    client.force_login(case.assigned_staff_profile.user)

    response = searched(client, {"q": "welding"})

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

    page = searched(client, {"q": "budget"}).content.decode()
    limited = searched(client, {"q": "budget", "reference": theirs.application.submission.reference_number}).content.decode()

    assert "Mine" in page and "Theirs" not in page
    assert "Theirs" not in limited and "No message matches these words." in limited


def test_from_a_case_page_only_that_cases_messages(client):
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    case, other = CaseFactory(), CaseFactory()
    MessageFactory(case=case, subject="This case", body="budget")
    MessageFactory(case=other, subject="Other case", body="budget")
    client.force_login(supervisor)

    page = searched(client, {"q": "budget", "case": case.pk}).content.decode()

    assert "This case" in page and "Other case" not in page
    assert f"Only the messages of case {case.application.submission.reference_number}." in page


def test_another_caseworkers_case_id_is_not_found(client):
    mine, theirs = CaseFactory(), CaseFactory()
    client.force_login(mine.assigned_staff_profile.user)

    assert client.post(URL, {"q": "budget", "case": theirs.pk}).status_code == 404
    token = client.get(client.post(URL, {"q": "budget"})["Location"]).wsgi_request.GET["search"]
    assert client.get(URL, {"search": token, "case": theirs.pk}).status_code == 404


def test_a_message_of_an_application_without_a_case_opens_the_application_page(client):
    application = ApplicationFactory()
    MessageFactory(case=None, application=application, recipient=None, subject="Before the case", body="budget")
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    page = searched(client, {"q": "budget"}).content.decode()

    assert f'<a href="/dashboard/applications/{application.pk}/">Before the case</a>' in page


def test_more_than_ten_words_are_refused_with_the_reason(client):
    client.force_login(staff_user())

    response = client.post(URL, {"q": " ".join(f"w{n}" for n in range(11))})

    page = response.content.decode()
    assert "Search with at most 10 words." in page
    assert 'id="id_q_error"' in page
    assert "<title>Error:" in page


def test_limits_without_words_ask_for_a_word(client):
    client.force_login(staff_user())

    page = client.post(URL, {"q": "", "direction": "staff_to_applicant"}).content.decode()

    assert "Enter at least one word to find" in page


def test_the_empty_page_is_just_the_form(client):
    client.force_login(staff_user())

    page = client.get(URL).content.decode()

    assert 'role="search"' in page
    assert "Results" not in page and "error-summary" not in page


def test_a_search_is_audited_without_its_words(client):
    user = staff_user()
    client.force_login(user)

    searched(client, {"q": "confidential words"})

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

    first = searched(client, {"q": "budget"})
    token = first.wsgi_request.GET["search"]
    second = client.get(URL, {"search": token, "page": 2}).content.decode()

    assert f'<a href="?search={token}&amp;page=2" rel="next">Older results</a>' in first.content.decode()
    assert "Budget 2" in second and f'<a href="?search={token}&amp;page=1" rel="prev">Newer results</a>' in second
    assert 'value="budget"' in second  # the form still shows the words


@pytest.mark.parametrize("who", ["applicant", "other_applicant"])
def test_applicants_get_404(cast, who):
    client = cast.client_for(getattr(cast, who))

    assert client.get(URL).status_code == 404
    assert client.post(URL, {"q": "budget"}).status_code == 404


def test_anonymous_is_sent_to_sign_in(cast):
    client = cast.client_for(None)

    for response in (client.get(URL), client.post(URL, {"q": "budget"})):
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
    results = client.post(URL, {"q": "budget"})["Location"]
    client.get(results)

    # session, user; the window's start (caseworker: from the conversation
    # summary); the matches (caseworker: their cases' messages, and those
    # bound only to an application); the page's messages; the audit event.
    expected = {"caseworker": 7, "supervisor": 6}[role]
    with django_assert_num_queries(expected):
        response = client.get(results)
    assert response.content.decode().count('<th scope="row"><a href=') == min(count, 25)


# The terms in no URL (issue 15) --------------------------------------------------------------


def test_the_terms_never_appear_in_a_url(client, monkeypatch):
    from intake import search

    monkeypatch.setattr(search, "PAGE_SIZE", 1)
    case = CaseFactory()
    for minutes in range(3):
        MessageFactory(case=case, subject=f"Okimaw {minutes}", body="wapiti", created_at=timezone.now() - timedelta(minutes=minutes))
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))
    reference = case.application.submission.reference_number

    posted = client.post(URL, {"q": "wapiti okimaw", "reference": reference, "case": case.pk})
    first = client.get(posted["Location"])
    second = client.get(first.wsgi_request.get_full_path() + "&page=2")

    assert posted.status_code == 302
    assert posted["Location"].startswith(f"{URL}?case={case.pk}&search=")
    for number, response in enumerate((first, second)):
        page = response.content.decode()
        assert f"Okimaw {number}" in page
        assert 'value="wapiti okimaw"' in page and f'value="{reference}"' in page
        links = hrefs(page)
        assert 'rel="next"' in page and 'rel="prev"' in second.content.decode()
        assert links and not [href for href in links if "wapiti" in href.lower() or "okimaw" in href.lower() or reference in href]
        assert "wapiti" not in response.wsgi_request.get_full_path()


def test_the_search_form_posts_with_csrf(client):
    client.force_login(staff_user())

    page = client.get(URL).content.decode()

    assert '<form method="post" action="/dashboard/search/"' in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_the_case_pages_search_posts_too(client):
    case = CaseFactory()
    client.force_login(case.assigned_staff_profile.user)

    page = client.get(reverse("dashboard:case_detail", args=[case.pk])).content.decode()
    form = page.split('class="case-search case-search--messages"')[0].rsplit("<form", 1)[1]

    assert 'method="post"' in form and 'action="/dashboard/search/"' in form


def test_search_all_cases_keeps_the_words_and_drops_the_case(client):
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    case, other = CaseFactory(), CaseFactory()
    MessageFactory(case=case, subject="This case", body="budget")
    MessageFactory(case=other, subject="Other case", body="budget")
    client.force_login(supervisor)

    page = searched(client, {"q": "budget", "case": case.pk}).content.decode()
    everywhere = page.split('">Search all cases</a>')[0].rsplit('href="', 1)[1].replace("&amp;", "&")
    widened = client.get(everywhere).content.decode()

    assert everywhere.startswith(f"{URL}?search=") and "case=" not in everywhere
    assert "This case" in widened and "Other case" in widened


@pytest.mark.parametrize("token", ["unknown", "from-another-session"])
def test_an_unknown_or_expired_search_says_so(client, token):
    MessageFactory(case=CaseFactory(), subject="Budget", body="budget")
    user = staff_user(StaffProfile.Role.SUPERVISOR)
    if token == "from-another-session":
        other = Client()
        other.force_login(user)
        location = other.post(URL, {"q": "budget"})["Location"]
    else:
        location = f"{URL}?search=unknown"
    client.force_login(user)

    response = client.get(location)

    page = response.content.decode()
    assert response.status_code == 200
    assert "That search has expired. Search again." in page
    assert page.index('class="error-summary"') < page.index("<h1>")
    assert "<title>Error:" in page
    assert "Results" not in page and "budget" not in page.lower().split("<main", 1)[1].split("search-form", 1)[0]


def test_a_get_with_q_does_not_search(client):
    """Old links that carried the terms run no search: terms come only by post."""
    case = CaseFactory()
    MessageFactory(case=case, subject="Budget", body="budget")
    client.force_login(case.assigned_staff_profile.user)

    response = client.get(URL, {"q": "budget"})

    assert response.context["results"] is None
    assert not MessageEvent.objects.filter(event_type=MessageEvent.Type.STAFF_SEARCHED).exists()


def test_the_audit_event_is_written_per_page_shown_without_the_words(client):
    user = staff_user()
    client.force_login(user)

    results = client.post(URL, {"q": "confidential words"})["Location"]
    client.get(results)
    client.get(results + "&page=2")

    events = MessageEvent.objects.filter(event_type=MessageEvent.Type.STAFF_SEARCHED).order_by("pk")
    assert [event.detail["page"] for event in events] == [1, 2]
    assert not [event for event in events if "confidential" in str(event.detail)]
