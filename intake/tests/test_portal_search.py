"""The applicant's search, /messages/search/: their own messages only,
subjects and booking references (no bodies), each opening MessageDetails."""

import pytest
from django.urls import reverse

from casework.tests.factories import CaseFactory, SubmissionFactory
from intake.tests.factories import MessageFactory, StaffMessageFactory

pytestmark = pytest.mark.django_db

URL = reverse("portal:search")


def test_finds_own_messages_by_body_words_and_links_to_message_details(applicant_client, case):
    mine = MessageFactory(case=case, subject="My question", body="Is the welding course full? Private words.")
    answer = StaffMessageFactory(case=case, subject="Your answer", body="The welding course has room.")

    page = applicant_client.get(URL, {"q": "welding course"}).content.decode()

    assert f'<a href="/messages/{mine.pk}/">My question</a>' in page
    assert f'<a href="/messages/{answer.pk}/">Your answer</a>' in page
    assert "Sent by you" in page and "From the ISET case team" in page
    assert case.application.submission.reference_number in page
    assert "Private words" not in page and "has room" not in page


def test_an_applicant_never_finds_another_applicants_message(applicant_client, case):
    other = CaseFactory()
    MessageFactory(case=other, subject="Someone else's question", body="welding")
    StaffMessageFactory(case=other, subject="Someone else's answer", body="welding")

    page = applicant_client.get(URL, {"q": "welding"}).content.decode()

    assert "Someone else" not in page
    assert "No message matches these words." in page


def test_with_two_applications_the_search_can_be_limited_to_one(client):
    applicant = SubmissionFactory().user
    first = CaseFactory(application__submission__user=applicant)
    second = CaseFactory(application__submission__user=applicant)
    MessageFactory(case=first, subject="First", body="budget")
    MessageFactory(case=second, subject="Second", body="budget")
    client.force_login(applicant)

    everything = client.get(URL, {"q": "budget"}).content.decode()
    limited = client.get(URL, {"q": "budget", "application": first.application_id}).content.decode()

    assert "First" in everything and "Second" in everything
    assert 'name="application"' in limited
    assert "First" in limited and ">Second<" not in limited


def test_another_applicants_application_is_refused_as_a_choice(applicant_client, case):
    other = CaseFactory()
    MessageFactory(case=other, subject="Theirs", body="budget")

    page = applicant_client.get(URL, {"q": "budget", "application": other.application_id}).content.decode()

    assert "Theirs" not in page


def test_staff_find_nothing_here(client, case):
    MessageFactory(case=case, subject="A question", body="budget")
    client.force_login(case.assigned_staff_profile.user)

    page = client.get(URL, {"q": "budget"}).content.decode()

    assert "A question" not in page


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL, {"q": "budget"})

    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_navigation_offers_search(applicant_client):
    page = applicant_client.get(reverse("portal:inbox")).content.decode()

    assert f'<a href="{URL}">Search</a>' in page


@pytest.mark.parametrize("count", [1, 50])
def test_query_count_is_the_same_for_1_and_50_results(applicant_client, case, django_assert_num_queries, count):
    for number in range(count):
        factory = MessageFactory if number % 2 else StaffMessageFactory
        factory(case=case, subject=f"Budget {number}", body="About the budget.")
    applicant_client.get(URL, {"q": "budget"})

    # session, user, the header's unread count, the applicant's applications,
    # the matches, the page's messages
    with django_assert_num_queries(6):
        response = applicant_client.get(URL, {"q": "budget"})
    assert response.content.decode().count('<th scope="row"><a href=') == min(count, 25)
