"""Staff search terms stay out of URLs, and so out of access logs (issue 15):
the work queue's and the case list's search forms post the terms, which the
session keeps; the results page is `?search=<id>`. Pagination, sorting and
"Clear search" work as before."""

import pytest
from django.test import Client
from django.urls import reverse

from casework.models import StaffProfile
from casework.tests.factories import CaseFactory, staff_user
from intake.tests.factories import MessageFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("dashboard:queue")
CASES = reverse("dashboard:case_list")


@pytest.fixture
def supervisor_client(client):
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))
    return client


def wapitis(count):
    cases = [CaseFactory(application__submission__user__first_name="Wapiti") for _ in range(count)]
    for case in cases:
        MessageFactory(case=case)
    return cases


@pytest.mark.parametrize("url, extra", [(QUEUE, {"view": "all"}), (CASES, {})])
def test_the_terms_never_appear_in_a_url(supervisor_client, url, extra):
    wapitis(1)

    posted = supervisor_client.post(url, {"q": "Wapiti Okimaw", **extra})
    results = supervisor_client.get(posted["Location"])

    assert posted.status_code == 302
    assert "search=" in posted["Location"]
    assert "apiti" not in posted["Location"] and "Okimaw" not in posted["Location"]
    page = results.content.decode()
    assert 'value="Wapiti Okimaw"' in page  # the field still shows them
    hrefs = [part.split('"', 1)[0] for part in page.split('href="')[1:]]
    assert hrefs and not [href for href in hrefs if "apiti" in href or "Okimaw" in href]
    assert "apiti" not in results.wsgi_request.get_full_path()


def test_queue_search_keeps_the_view_and_sort(supervisor_client):
    wapitis(1)

    posted = supervisor_client.post(QUEUE, {"q": "wapiti", "view": "all", "sort": "activity"})

    assert posted["Location"].startswith(f"{QUEUE}?view=all&sort=activity&search=")


def test_pages_of_results_keep_the_search(supervisor_client):
    wapitis(26)
    CaseFactory(application__submission__user__first_name="Someone")

    first = supervisor_client.get(supervisor_client.post(CASES, {"q": "wapiti"})["Location"])
    token = first.wsgi_request.GET["search"]
    second = supervisor_client.get(CASES, {"search": token, "page": 2})

    assert first.context["cases"].paginator.count == 26
    assert f'href="?search={token}&amp;page=2"' in first.content.decode()
    assert len(second.context["cases"].object_list) == 1
    assert second.context["search"] == "wapiti"


@pytest.mark.parametrize("url, extra, clear", [(QUEUE, {"view": "all"}, "Clear search"), (CASES, {}, "Show all cases")])
def test_clear_search_leads_to_the_unsearched_list(supervisor_client, url, extra, clear):
    wapitis(1)
    CaseFactory(application__submission__user__first_name="Someone")

    page = supervisor_client.get(supervisor_client.post(url, {"q": "wapiti", **extra})["Location"]).content.decode()
    clear_href = page.split(f'">{clear}</a>')[0].rsplit('href="', 1)[1]

    assert "search=" not in clear_href
    assert supervisor_client.get(clear_href.replace("&amp;", "&")).context["search"] == ""


def test_an_empty_search_is_the_whole_list(supervisor_client):
    posted = supervisor_client.post(CASES, {"q": "   "})

    assert posted["Location"] == CASES


def test_a_search_id_from_another_session_finds_nothing_and_says_so(supervisor_client):
    wapitis(1)
    location = supervisor_client.post(CASES, {"q": "wapiti"})["Location"]
    other = Client()
    other.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    response = other.get(location)

    page = response.content.decode()
    assert response.context["search"] == ""
    assert "That search has expired. Search again." in page
    assert "wapiti" not in page


def test_a_session_keeps_its_latest_searches_only(supervisor_client):
    first = supervisor_client.post(CASES, {"q": "first"})["Location"]
    for number in range(20):
        supervisor_client.post(CASES, {"q": f"search {number}"})

    assert supervisor_client.get(first).context["search_error"] == "That search has expired. Search again."
    assert len(supervisor_client.session["staff_search_terms"]) == 20


def test_a_get_with_q_does_not_search(supervisor_client):
    """Old links that carried the terms do not run a search: terms only come by POST."""
    wanted, *_ = wapitis(1)
    CaseFactory(application__submission__user__first_name="Someone")

    response = supervisor_client.get(CASES, {"q": "wapiti"})

    assert response.context["search"] == ""
    assert response.context["cases"].paginator.count == 2


def test_the_api_takes_a_search_by_post_to_keep_it_out_of_the_url(supervisor_client):
    wapitis(2)
    CaseFactory(application__submission__user__first_name="Someone")
    api = reverse("api:staff_queue")

    by_post = supervisor_client.post(api, {"view": "all", "q": "wapiti"})
    by_json = supervisor_client.post(api, '{"view": "all", "q": "wapiti"}', content_type="application/json")
    by_get = supervisor_client.get(api, {"view": "all", "q": "wapiti"})

    assert by_post.status_code == by_json.status_code == by_get.status_code == 200
    assert by_post.json()["count"] == by_json.json()["count"] == by_get.json()["count"] == 2
    assert by_post.wsgi_request.get_full_path() == api
