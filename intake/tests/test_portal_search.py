"""The applicant's search, /messages/search/: their own messages only,
subjects and booking references (no bodies), each opening MessageDetails.
The form posts its terms; the results come back as `?search=<id>` (issue 15)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from casework.tests.factories import CaseFactory, SubmissionFactory
from intake.services.notes import note_add
from intake.tests.factories import MessageFactory, StaffMessageFactory

pytestmark = pytest.mark.django_db

URL = reverse("portal:search")


def searched(client, data):
    """Post a search and follow its redirect to the results, as the browser does."""
    posted = client.post(URL, data)
    assert posted.status_code == 302, posted.status_code
    return client.get(posted["Location"])


def test_finds_own_messages_by_body_words_and_links_to_message_details(applicant_client, case):
    mine = MessageFactory(case=case, subject="My question", body="Is the welding course full? Private words.")
    answer = StaffMessageFactory(case=case, subject="Your answer", body="The welding course has room.")

    page = searched(applicant_client, {"q": "welding course"}).content.decode()

    assert f'<a href="/messages/{mine.pk}/">My question</a>' in page
    assert f'<a href="/messages/{answer.pk}/">Your answer</a>' in page
    assert "Sent by you" in page and "From the ISET case team" in page
    assert case.application.submission.reference_number in page
    assert "Private words" not in page and "has room" not in page


def test_an_applicant_never_finds_another_applicants_message(applicant_client, case):
    other = CaseFactory()
    MessageFactory(case=other, subject="Someone else's question", body="welding")
    StaffMessageFactory(case=other, subject="Someone else's answer", body="welding")

    page = searched(applicant_client, {"q": "welding"}).content.decode()

    assert "Someone else" not in page
    assert "No message matches these words." in page


def test_with_two_applications_the_search_can_be_limited_to_one(client):
    applicant = SubmissionFactory().user
    first = CaseFactory(application__submission__user=applicant)
    second = CaseFactory(application__submission__user=applicant)
    MessageFactory(case=first, subject="First", body="budget")
    MessageFactory(case=second, subject="Second", body="budget")
    client.force_login(applicant)

    everything = searched(client, {"q": "budget"}).content.decode()
    limited = searched(client, {"q": "budget", "application": first.application_id}).content.decode()

    assert "First" in everything and "Second" in everything
    assert 'name="application"' in limited
    assert "First" in limited and ">Second<" not in limited


def test_another_applicants_application_is_refused_as_a_choice(applicant_client, case):
    other = CaseFactory()
    MessageFactory(case=other, subject="Theirs", body="budget")

    page = searched(applicant_client, {"q": "budget", "application": other.application_id}).content.decode()

    assert "Theirs" not in page


def test_staff_find_nothing_here(client, case):
    MessageFactory(case=case, subject="A question", body="budget")
    client.force_login(case.assigned_staff_profile.user)

    page = searched(client, {"q": "budget"}).content.decode()

    assert "A question" not in page
    assert "No message matches these words." in page


def test_anonymous_is_sent_to_sign_in(client):
    for response in (client.get(URL), client.post(URL, {"q": "budget"})):
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_navigation_offers_search(applicant_client):
    page = applicant_client.get(reverse("portal:inbox")).content.decode()

    assert f'<a href="{URL}">Search</a>' in page


@pytest.mark.parametrize("count", [1, 50])
def test_query_count_is_the_same_for_1_and_50_results(applicant_client, case, django_assert_num_queries, count):
    for number in range(count):
        factory = MessageFactory if number % 2 else StaffMessageFactory
        factory(case=case, subject=f"Budget {number}", body="About the budget.")
    results = applicant_client.post(URL, {"q": "budget"})["Location"]
    applicant_client.get(results)

    # session, user, the header's unread count, the applicant's applications,
    # the matches, the page's messages
    with django_assert_num_queries(6):
        response = applicant_client.get(results)
    assert response.content.decode().count('<th scope="row"><a href=') == min(count, 25)


# The terms in no URL (issue 15) --------------------------------------------------------------


def test_the_terms_never_appear_in_a_url(client, monkeypatch):
    from intake import search

    monkeypatch.setattr(search, "PAGE_SIZE", 1)
    applicant = SubmissionFactory().user
    first_case = CaseFactory(application__submission__user=applicant)
    CaseFactory(application__submission__user=applicant)
    for number in range(3):
        MessageFactory(case=first_case, subject=f"Pay stub {number}", body="my SIN 046 454 286")
    client.force_login(applicant)

    posted = client.post(URL, {"q": "stub 046", "application": first_case.application_id, "direction": "applicant_to_staff"})
    first = client.get(posted["Location"])
    second = client.get(posted["Location"] + "&page=2")

    assert posted.status_code == 302
    assert posted["Location"].startswith(f"{URL}?search=")
    assert "046" not in posted["Location"] and "stub" not in posted["Location"]
    for response in (first, second):
        page = response.content.decode()
        assert page.count('<th scope="row"><a href=') == 1
        assert 'value="stub 046"' in page
        assert f'<option value="{first_case.application_id}" selected>' in page
        links = [part.split('"', 1)[0] for part in page.split('href="')[1:]]
        assert 'rel="next"' in page
        # "046" as a number of its own: a message id such as 4046 holds it by chance.
        assert links and not [href for href in links if re.search(r"(?<!\d)046(?!\d)", href) or "stub" in href]


def test_the_form_posts_with_csrf(applicant_client):
    page = applicant_client.get(URL).content.decode()

    assert '<form method="post" action="/messages/search/"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert "Results" not in page and "error-summary" not in page


@pytest.mark.parametrize("location", ["unknown", "another applicant's"])
def test_an_unknown_or_expired_search_says_so(applicant_client, case, location):
    MessageFactory(case=case, subject="Budget", body="budget")
    if location == "unknown":
        url = f"{URL}?search=unknown"
    else:
        # Another applicant's search id means nothing in this session.
        other = CaseFactory()
        MessageFactory(case=other, subject="Their budget", body="budget")
        client = Client()
        client.force_login(other.application.submission.user)
        url = client.post(URL, {"q": "budget"})["Location"]

    response = applicant_client.get(url)

    page = response.content.decode()
    assert response.status_code == 200
    assert "That search has expired. Search again." in page
    assert page.index('class="error-summary"') < page.index("<h1>")
    assert "<title>Error:" in page
    assert "Their budget" not in page and ">Budget<" not in page


def test_a_get_with_q_does_not_search(applicant_client, case):
    MessageFactory(case=case, subject="Budget", body="budget")

    response = applicant_client.get(URL, {"q": "budget"})

    assert response.context["results"] is None


def test_a_search_for_a_notes_words_shows_no_note(applicant_client, case):
    """The note-leak walk (test_note_leak.py) reaches the search by GET, which
    no longer searches: here its words are searched the way the form does."""
    question = MessageFactory(case=case, subject="About my employer", body="My employer is Acme.")
    note_add(author=case.assigned_staff_profile.user, case=case, body="The employer LEAKCHECK-s3arch called back twice.", about_message=question)

    pages = [searched(applicant_client, {"q": words}).content.decode() for words in ("employer", "called back twice")]

    assert "About my employer" in pages[0]
    assert not [page for page in pages if "LEAKCHECK" in page or "called back" in page.split('class="search-form"', 1)[1].split("</form>", 1)[1]]
