import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models import StaffProfile
from casework.tests.factories import ApplicationFactory, CaseFactory, StaffProfileFactory, staff_user
from intake.models import Message
from intake.tests.factories import MessageFactory, StaffMessageFactory

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:case_list")


def test_caseworker_sees_only_assigned_cases(client):
    mine, other = CaseFactory(), CaseFactory()
    client.force_login(mine.assigned_staff_profile.user)

    response = client.get(URL)

    body = response.content.decode()
    assert response.status_code == 200
    assert mine.application.submission.reference_number in body
    assert other.application.submission.reference_number not in body


@pytest.mark.parametrize("role", [StaffProfile.Role.SUPERVISOR, StaffProfile.Role.ADMIN])
def test_supervisor_and_admin_see_every_case(client, role):
    cases = [CaseFactory(), CaseFactory()]
    client.force_login(staff_user(role))

    body = client.get(URL).content.decode()

    for case in cases:
        assert case.application.submission.reference_number in body


def test_row_shows_unread_applicant_messages_and_last_message_date(client):
    case = CaseFactory()
    MessageFactory.create_batch(2, case=case, body="Private words")
    MessageFactory(case=case, status=Message.Status.READ)
    MessageFactory(case=case, deleted=True)
    client.force_login(case.assigned_staff_profile.user)

    response = client.get(URL)

    [row] = response.context["cases"].object_list
    assert row.unread_count == 2
    assert row.last_message_at == Message.objects.order_by("-created_at", "-id").values_list("created_at", flat=True)[0]
    body = response.content.decode()
    assert "2 unread" in body
    assert 'class="is-unread"' in body
    assert "Private words" not in body


def test_message_written_before_the_case_counts_for_the_case(client):
    case = CaseFactory()
    MessageFactory(case=None, application=case.application)
    client.force_login(case.assigned_staff_profile.user)

    [row] = client.get(URL).context["cases"].object_list

    assert row.unread_count == 1


def test_search_by_booking_reference(client):
    wanted, other = CaseFactory(), CaseFactory()
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))
    reference = wanted.application.submission.reference_number

    # The form posts the terms; the results come back under a search id (intake.search_terms).
    response = client.post(URL, {"q": reference[-6:].lower()}, follow=True)

    assert list(response.context["cases"].object_list) == [wanted]
    assert other.application.submission.reference_number not in response.content.decode()


def test_search_by_applicant_name(client):
    wanted = CaseFactory(
        application__submission__user__first_name="Wapiti", application__submission__user__last_name="Okimaw"
    )
    CaseFactory(application__submission__user__first_name="Someone", application__submission__user__last_name="Else")
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    response = client.post(URL, {"q": "wapiti okimaw"}, follow=True)

    assert list(response.context["cases"].object_list) == [wanted]


def test_search_without_match_says_so(client):
    CaseFactory()
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    response = client.post(URL, {"q": "ISET-00000000-ZZZZZZ"}, follow=True)

    assert "No case you may open matches" in response.content.decode()


def test_case_list_is_paginated(client):
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    for _ in range(26):
        CaseFactory()
    client.force_login(supervisor)

    first = client.get(URL)
    second = client.get(URL, {"page": 2})

    assert len(first.context["cases"].object_list) == 25
    assert len(second.context["cases"].object_list) == 1
    assert "?page=2" in first.content.decode()


def test_cases_with_recent_messages_come_first(client):
    quiet, busy = CaseFactory(), CaseFactory()
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    MessageFactory(case=busy)
    client.force_login(supervisor)

    rows = list(client.get(URL).context["cases"].object_list)

    assert rows.index(busy) < rows.index(quiet)


def test_supervisor_sees_applications_with_messages_but_no_case(client):
    waiting = ApplicationFactory()
    MessageFactory(case=None, application=waiting)
    ApplicationFactory()  # no messages: not listed
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    response = client.get(URL)

    [row] = response.context["awaiting"].object_list
    assert row == waiting
    assert row.message_count == 1
    assert row.unread_count == 1
    assert waiting.submission.reference_number in response.content.decode()


def test_caseworker_does_not_see_applications_without_case(client):
    waiting = ApplicationFactory()
    MessageFactory(case=None, application=waiting)
    client.force_login(staff_user())

    response = client.get(URL)

    assert list(response.context["awaiting"].object_list) == []
    assert waiting.submission.reference_number not in response.content.decode()


def test_applicant_gets_404(client):
    case = CaseFactory()
    client.force_login(case.application.submission.user)

    assert client.get(URL).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={URL}"


@pytest.mark.parametrize("sort", [None, "activity", "unread", "waiting"])
@pytest.mark.parametrize("count", [1, 50])
def test_query_count_does_not_grow_with_cases(client, django_assert_num_queries, count, sort):
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    for _ in range(count):
        case = CaseFactory()
        MessageFactory(case=case)
        MessageFactory(case=None, application=ApplicationFactory())
    client.force_login(supervisor)

    # session, user (with its staff profile), case count, the page's case rows
    # (one indexed read: every case here is in the sort's first part; no sort
    # is the activity sort), applications-without-case count and rows (unread
    # count and last message joined from the summary)
    with django_assert_num_queries(6):
        response = client.get(URL, {"sort": sort} if sort else {})

    assert response.status_code == 200


# Sorts ------------------------------------------------------------------------


def hours_ago(hours):
    return timezone.now() - timedelta(hours=hours)


@pytest.fixture
def conversations():
    """Cases whose conversations are in distinct states, by name, all assigned
    to one caseworker; and the orders each sort must give them."""
    profile = StaffProfileFactory()
    cases = {}

    def case(name):
        cases[name] = CaseFactory(assigned_staff_profile=profile)
        return cases[name]

    quiet_old, quiet_new = case("quiet_old"), case("quiet_new")  # no messages
    answered = case("answered")  # staff had the last word
    MessageFactory(case=answered, status=Message.Status.READ, created_at=hours_ago(50))
    StaffMessageFactory(case=answered, created_at=hours_ago(10))
    waiting_long = case("waiting_long")  # two unread questions, the first 40 hours ago
    MessageFactory(case=waiting_long, created_at=hours_ago(40))
    MessageFactory(case=waiting_long, created_at=hours_ago(30))
    waiting_short = case("waiting_short")  # an unread answer to staff, 5 hours ago
    StaffMessageFactory(case=waiting_short, created_at=hours_ago(20))
    MessageFactory(case=waiting_short, created_at=hours_ago(5))
    read_not_answered = case("read_not_answered")  # read 2 hours ago, not answered yet
    MessageFactory(case=read_not_answered, status=Message.Status.READ, created_at=hours_ago(2))
    assert quiet_new.pk > quiet_old.pk
    orders = {
        "activity": ["read_not_answered", "waiting_short", "answered", "waiting_long", "quiet_new", "quiet_old"],
        "unread": ["waiting_long", "waiting_short", "read_not_answered", "answered", "quiet_new", "quiet_old"],
        "waiting": ["waiting_long", "waiting_short", "read_not_answered", "answered", "quiet_new", "quiet_old"],
    }
    return profile.user, cases, orders


def names(response, cases):
    by_pk = {case.pk: name for name, case in cases.items()}
    return [by_pk[row.pk] for row in response.context["cases"].object_list]


@pytest.mark.parametrize("sort", ["activity", "unread", "waiting"])
def test_each_sort_gives_its_order(client, conversations, sort):
    caseworker, cases, orders = conversations
    client.force_login(caseworker)

    response = client.get(URL, {"sort": sort})

    assert names(response, cases) == orders[sort]
    assert response.context["sort"] == sort


def test_activity_is_the_default_and_unknown_sorts_fall_back_to_it(client, conversations):
    caseworker, cases, orders = conversations
    client.force_login(caseworker)

    for query in ({}, {"sort": "bogus"}, {"sort": ""}, {"sort": "-id"}):
        response = client.get(URL, query)
        assert response.status_code == 200
        assert names(response, cases) == orders["activity"]
        assert response.context["sort"] == "activity"


@pytest.mark.parametrize("per_page", [1, 2, 4])
@pytest.mark.parametrize("sort", ["activity", "unread", "waiting"])
def test_pages_follow_one_another_across_the_parts_of_a_sort(client, monkeypatch, conversations, sort, per_page):
    """A sort reads the waiting, not waiting and silent cases as separate parts
    (each through its own index); the pages run on across them, none lost or doubled."""
    caseworker, cases, orders = conversations
    monkeypatch.setattr("intake.views.dashboard.CASES_PER_PAGE", per_page)
    client.force_login(caseworker)

    shown = []
    pages = range(1, len(cases) // per_page + 2)
    for page in pages:
        response = client.get(URL, {"sort": sort, "page": page})
        if response.context["cases"].number == page:
            shown += names(response, cases)

    assert shown == orders[sort]


@pytest.mark.parametrize("ids_first_from", [0, 1000])
@pytest.mark.parametrize("sort", ["activity", "unread", "waiting"])
def test_a_supervisors_pages_read_from_the_summary_follow_one_another(
    client, monkeypatch, conversations, sort, ids_first_from
):
    """A supervisor's unsearched list reads deep pages' case ids and each
    part's count from the conversation summary alone: the same rows in the
    same order as the shallow pages' joined reads, and never a conversation
    that has no case yet."""
    _caseworker, cases, orders = conversations
    MessageFactory(case=None, application=ApplicationFactory(), created_at=hours_ago(1))
    monkeypatch.setattr("intake.views.dashboard.CASES_PER_PAGE", 2)
    monkeypatch.setattr("intake.selectors.IDS_FIRST_FROM", ids_first_from)
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    shown, counts = [], set()
    for page in range(1, 4):
        response = client.get(URL, {"sort": sort, "page": page})
        shown += names(response, cases)
        counts.add(response.context["cases"].paginator.count)

    assert shown == orders[sort]
    assert counts == {6}


@pytest.mark.parametrize("sort", ["activity", "unread", "waiting"])
def test_each_sort_lists_only_the_caseworkers_own_cases(client, conversations, sort):
    caseworker, cases, _orders = conversations
    other = CaseFactory()
    MessageFactory(case=other, created_at=hours_ago(100))
    StaffMessageFactory(case=CaseFactory(), created_at=hours_ago(1))
    client.force_login(caseworker)

    rows = client.get(URL, {"sort": sort}).context["cases"].object_list

    assert {row.pk for row in rows} == {case.pk for case in cases.values()}


def test_row_shows_unread_count_last_message_and_since_when_the_applicant_waits(client, conversations):
    caseworker, cases, _orders = conversations
    client.force_login(caseworker)

    response = client.get(URL, {"sort": "waiting"})

    rows = {row.pk: row for row in response.context["cases"].object_list}
    waiting_long = rows[cases["waiting_long"].pk]
    assert waiting_long.unread_count == 2
    assert (
        waiting_long.awaiting_reply_since
        == Message.objects.filter(case=cases["waiting_long"]).earliest("created_at").created_at
    )
    assert rows[cases["answered"].pk].awaiting_reply_since is None
    assert rows[cases["quiet_new"].pk].awaiting_reply_since is None
    body = response.content.decode()
    since = timezone.localtime(waiting_long.awaiting_reply_since).isoformat()
    assert re.search(rf'<time datetime="{re.escape(since)}">Waiting since [^<]+</time>', body)
    # waiting_long, waiting_short, read_not_answered; nothing for the others
    assert body.count("Waiting since") == 3


def test_current_sort_is_marked_on_its_link_and_its_column(client, conversations):
    caseworker, _cases, _orders = conversations
    client.force_login(caseworker)

    unread = client.get(URL, {"sort": "unread"}).content.decode()
    waiting = client.get(URL, {"sort": "waiting"}).content.decode()
    activity = client.get(URL).content.decode()

    assert f'<a href="{URL}?sort=unread" aria-current="true">Most unread</a>' in unread
    assert '<th scope="col" aria-sort="descending">Unread messages</th>' in unread
    assert unread.count("aria-sort") == 1 and unread.count('aria-current="true"') == 1
    assert '<th scope="col" aria-sort="ascending">Waiting for a reply</th>' in waiting
    assert "longest waiting for a reply first" in waiting
    assert '<th scope="col" aria-sort="descending">Last message</th>' in activity
    assert 'aria-current="true">Latest message</a>' in activity


def test_search_and_sort_keep_each_other(client):
    profile = StaffProfileFactory()
    wanted = CaseFactory(assigned_staff_profile=profile, application__submission__user__first_name="Wapiti")
    unread = CaseFactory(assigned_staff_profile=profile, application__submission__user__first_name="Wapiti")
    CaseFactory(assigned_staff_profile=profile, application__submission__user__first_name="Someone")
    MessageFactory(case=wanted, created_at=hours_ago(1), status=Message.Status.READ)
    MessageFactory(case=unread, created_at=hours_ago(9))
    client.force_login(profile.user)

    response = client.post(URL, {"q": "wapiti", "sort": "unread"}, follow=True)

    assert list(response.context["cases"].object_list) == [unread, wanted]
    body = response.content.decode()
    token = response.wsgi_request.GET["search"]
    # The search form sends the sort again, the sort links the search, "show all" keeps the sort.
    assert '<input type="hidden" name="sort" value="unread">' in body
    assert f'<a href="{URL}?sort=waiting&amp;search={token}">Waiting longest</a>' in body
    assert f'<a href="{URL}?sort=unread" class="button button--secondary">Show all cases</a>' in body


def test_default_sort_sends_no_hidden_field(client, conversations):
    caseworker, _cases, _orders = conversations
    client.force_login(caseworker)

    assert 'name="sort"' not in client.get(URL, {"sort": "bogus"}).content.decode()




@pytest.mark.parametrize("sort", ["activity", "unread", "waiting"])
@pytest.mark.parametrize("count", [1, 50])
def test_query_count_of_each_sort_for_a_caseworker(client, django_assert_num_queries, count, sort):
    profile = StaffProfileFactory()
    for _ in range(count):
        MessageFactory(case=CaseFactory(assigned_staff_profile=profile))
    client.force_login(profile.user)

    # session, user (with its staff profile), case count, the page's case rows
    # (no applications without a case for a caseworker, so no query for them)
    with django_assert_num_queries(4):
        response = client.get(URL, {"sort": sort})

    assert response.status_code == 200


def test_query_count_of_pages_across_the_parts_of_a_sort(client, monkeypatch, django_assert_num_queries, conversations):
    caseworker, _cases, _orders = conversations
    client.force_login(caseworker)

    # session, user, case count, then each part the page reaches: waiting,
    # not waiting, no messages
    with django_assert_num_queries(6):
        client.get(URL, {"sort": "waiting"})
    # the last page, past the first two parts: each is read (empty) and counted,
    # then the third part read from where the page starts in it
    monkeypatch.setattr("intake.views.dashboard.CASES_PER_PAGE", 1)
    with django_assert_num_queries(8):
        response = client.get(URL, {"sort": "waiting", "page": 6})

    assert len(response.context["cases"].object_list) == 1
