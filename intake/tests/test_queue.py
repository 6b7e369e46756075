"""The work queue (intake.queue, the page at /dashboard/ and GET /api/staff/queue):
which conversations each view holds for each role, their order, counts,
search, the response target, and that nobody sees another caseworker's work."""

import re
from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from casework.models import Case, StaffProfile, User
from casework.tests.factories import ApplicationFactory, CaseFactory, StaffProfileFactory, UserFactory, staff_user
from common.errors import InvalidInput, NotFound
from intake.business_days import overdue_threshold
from intake.models import Conversation, Message
from intake.queue import queue_counts, queue_rows
from intake.selectors import IdsFirst
from intake.tests.factories import MessageFactory, StaffMessageFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("dashboard:queue")
API = reverse("api:staff_queue")


def _waiting(case=None, *, application=None, at=None, **fields):
    """An applicant message nobody has answered, `at` a given time."""
    message = MessageFactory(case=case, application=application or case.application, **fields)
    if at is not None:
        _redate(message, at)
    return message


def _redate(message, at):
    # One UPDATE, as an operator's repair would do: the summary follows it.
    Message.objects.filter(pk=message.pk).update(created_at=at)


@pytest.fixture
def office():
    """Two caseworkers, a supervisor, and one conversation in each state."""
    now = timezone.now()
    a, b = StaffProfileFactory(), StaffProfileFactory()
    supervisor = StaffProfileFactory(primary_role=StaffProfile.Role.SUPERVISOR)
    a_waiting = CaseFactory(assigned_staff_profile=a)
    _waiting(a_waiting, at=now - timedelta(hours=5))
    a_answered = CaseFactory(assigned_staff_profile=a)
    _waiting(a_answered, at=now - timedelta(hours=9))
    StaffMessageFactory(case=a_answered)
    a_urgent = CaseFactory(assigned_staff_profile=a, urgent=True)
    _waiting(a_urgent, at=now - timedelta(hours=7))
    b_waiting = CaseFactory(assigned_staff_profile=b)
    _waiting(b_waiting, at=now - timedelta(hours=6))
    b_urgent = CaseFactory(assigned_staff_profile=b, urgent=True)
    StaffMessageFactory(case=b_urgent)
    unassigned = CaseFactory(assigned_staff_profile=None)
    _waiting(unassigned, at=now - timedelta(hours=8))
    no_case = ApplicationFactory()
    _waiting(application=no_case, at=now - timedelta(hours=10))
    CaseFactory(assigned_staff_profile=a)  # no messages: no conversation, not in the queue
    return {
        "a": a,
        "b": b,
        "supervisor": supervisor,
        "a_waiting": a_waiting.application_id,
        "a_answered": a_answered.application_id,
        "a_urgent": a_urgent.application_id,
        "b_waiting": b_waiting.application_id,
        "b_urgent": b_urgent.application_id,
        "unassigned": unassigned.application_id,
        "no_case": no_case.pk,
    }


def _ids(user, view, **kwargs):
    return [conversation.application_id for conversation in queue_rows(user, view, **kwargs)]


def test_a_caseworker_queue_holds_only_their_conversations_and_the_unassigned_cases(office):
    a = office["a"].user

    assert _ids(a, "awaiting") == [office["a_urgent"], office["a_waiting"]]  # the longest wait first
    assert set(_ids(a, "mine")) == {office["a_waiting"], office["a_answered"], office["a_urgent"]}
    assert _ids(a, "urgent") == [office["a_urgent"]]
    assert set(_ids(a, "all")) == set(_ids(a, "mine"))
    # Claimable cases, not the application without a case (a supervisor opens a case for it).
    assert _ids(a, "unassigned") == [office["unassigned"]]
    assert queue_counts(a) == {"awaiting": 2, "mine": 3, "unassigned": 1, "urgent": 1, "all": 3, "overdue": 0}


def test_a_supervisor_queue_holds_every_conversation(office):
    supervisor = office["supervisor"].user

    assert _ids(supervisor, "awaiting") == [
        office["no_case"],
        office["unassigned"],
        office["a_urgent"],
        office["b_waiting"],
        office["a_waiting"],
    ]
    assert _ids(supervisor, "mine") == []
    assert set(_ids(supervisor, "unassigned")) == {office["unassigned"], office["no_case"]}
    assert set(_ids(supervisor, "urgent")) == {office["a_urgent"], office["b_urgent"]}
    assert len(_ids(supervisor, "all")) == 7
    assert queue_counts(supervisor) == {"awaiting": 5, "mine": 0, "unassigned": 2, "urgent": 2, "all": 7, "overdue": 0}


@pytest.mark.parametrize("view", ["awaiting", "mine", "unassigned", "urgent", "all"])
def test_no_view_count_or_api_page_shows_another_caseworkers_conversation(client, office, view):
    b = office["b"].user
    a_conversations = {office["a_waiting"], office["a_answered"], office["a_urgent"]}
    references = set(
        Conversation.objects.filter(application_id__in=a_conversations).values_list(
            "application__submission__reference_number", flat=True
        )
    )
    client.force_login(b)

    assert not a_conversations & set(_ids(b, view))
    api = client.get(API, {"view": view}).json()
    assert not a_conversations & {row["application_id"] for row in api["results"]}
    page = client.get(PAGE, {"view": view}).content.decode()
    for reference in references:
        assert reference not in page
    counts = queue_counts(b)
    assert counts["mine"] == counts["all"] == 2
    assert counts["urgent"] == 1


def test_the_unassigned_view_is_a_supervisors_only_when_claiming_is_off(office):
    with override_settings(STAFF_CAN_CLAIM_CASES=False):
        with pytest.raises(NotFound):
            queue_rows(office["a"].user, "unassigned")
        assert "unassigned" not in queue_counts(office["a"].user)
        assert len(_ids(office["supervisor"].user, "unassigned")) == 2


def test_applicants_and_anonymous_visitors_have_no_queue(client, office):
    applicant = Case.objects.get(application_id=office["a_waiting"]).application.submission.user
    assert client.get(API).status_code == 401
    assert client.get(PAGE).status_code == 302

    client.force_login(applicant)

    assert client.get(PAGE).status_code == 404
    assert client.get(API).status_code == 404


def test_other_views_order_by_the_wait_then_by_activity(office):
    supervisor = office["supervisor"].user

    waiting_first = _ids(supervisor, "urgent")
    by_activity = _ids(supervisor, "urgent", sort="activity")

    # a_urgent waits; b_urgent had the staff's answer, which is its latest activity.
    assert waiting_first == [office["a_urgent"], office["b_urgent"]]
    assert by_activity == [office["b_urgent"], office["a_urgent"]]


def test_pages_follow_one_another_across_the_waiting_and_answered_parts(client):
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    now = timezone.now()
    for hours in range(30):
        case = CaseFactory()
        _waiting(case, at=now - timedelta(hours=hours + 1))
        if hours % 2:
            StaffMessageFactory(case=case)
    client.force_login(supervisor)

    first = client.get(API, {"view": "all"}).json()
    second = client.get(API, {"view": "all", "page": 2}).json()

    assert first["count"] == 30 and first["num_pages"] == 2
    rows = first["results"] + second["results"]
    assert len(rows) == 30 == len({row["application_id"] for row in rows})
    waits = [row["awaiting_reply_since"] for row in rows if row["awaiting_reply_since"]]
    assert len(waits) == 15 and waits == sorted(waits)
    assert all(row["awaiting_reply_since"] is None for row in rows[15:])
    assert client.get(API, {"view": "all", "page": 3}).status_code == 404


def test_search_by_reference_name_or_email(office):
    supervisor = office["supervisor"].user
    case = Case.objects.select_related("application__submission__user").get(application_id=office["a_waiting"])
    applicant = case.application.submission.user
    applicant.first_name, applicant.last_name, applicant.email = "Wapiti", "Okimaw", "w.okimaw@example.org"
    applicant.save()

    assert _ids(supervisor, "all", search=case.application.submission.reference_number[-6:].lower()) == [
        office["a_waiting"]
    ]
    assert _ids(supervisor, "all", search="wapiti OKIMAW") == [office["a_waiting"]]
    assert _ids(supervisor, "awaiting", search="w.okimaw@example") == [office["a_waiting"]]
    assert _ids(supervisor, "mine", search="wapiti") == []


def test_a_word_matching_many_people_is_searched_in_the_join_with_the_same_rows(office, monkeypatch):
    from intake import queue

    supervisor = office["supervisor"].user
    by_ids = {word: _ids(supervisor, "all", search=word) for word in ("example", "iset-", "a e")}
    monkeypatch.setattr(queue, "MATCHES_AS_IDS_MAX", 0)  # every word matches "too many": the join

    assert {word: _ids(supervisor, "all", search=word) for word in by_ids} == by_ids
    assert all(by_ids.values())


def test_a_search_of_more_than_ten_words_is_refused_with_the_reason(client, office):
    supervisor = office["supervisor"].user
    with pytest.raises(InvalidInput) as refused:
        queue_rows(supervisor, "all", search=" ".join(["word"] * 11))
    assert refused.value.field == "q"
    assert len(_ids(supervisor, "all", search=" ".join(["zqzq"] * 10))) == 0
    client.force_login(supervisor)

    page = client.post(PAGE, {"view": "all", "q": " ".join(["word"] * 2000)}, follow=True)
    api = client.get(API, {"view": "all", "q": " ".join(["word"] * 11)})

    body = page.content.decode()
    assert page.status_code == 200
    assert "Search with at most 10 words" in body
    assert "<title>Error:" in body
    # The view is still there, unfiltered, under the message.
    assert len(page.context["rows"]) == 7
    assert api.status_code == 400 and api.json()["error"] == "search_too_many_words"


@override_settings(RESPONSE_TARGET_BUSINESS_DAYS=2, RESPONSE_TARGET_HOLIDAYS=[])
def test_conversations_past_the_response_target_are_marked_and_counted(client):
    caseworker = StaffProfileFactory()
    now = timezone.now()
    threshold = overdue_threshold(now)
    late, on_time = CaseFactory(assigned_staff_profile=caseworker), CaseFactory(assigned_staff_profile=caseworker)
    _waiting(late, at=threshold - timedelta(minutes=1))
    _waiting(on_time, at=threshold + timedelta(minutes=1))
    client.force_login(caseworker.user)

    response = client.get(PAGE)
    api = client.get(API).json()

    late_row, on_time_row = response.context["rows"]
    assert (late_row["application_id"], late_row["overdue"]) == (late.application_id, True)
    assert (on_time_row["application_id"], on_time_row["overdue"]) == (on_time.application_id, False)
    assert late_row["waiting_business_days"] == 3
    assert on_time_row["waiting_business_days"] == 2
    assert api["counts"]["overdue"] == 1
    assert [row["overdue"] for row in api["results"]] == [True, False]
    body = response.content.decode()
    assert body.count("Past target") == 2  # the row's mark and the notice
    assert "1 conversation has waited longer than the response target of 2 business days." in body
    assert ">3 business days</time>" in body


def test_rows_link_to_what_the_staff_member_may_open(client, office):
    a = office["a"]
    client.force_login(a.user)

    rows = {row["application_id"]: row for row in client.get(API, {"view": "unassigned"}).json()["results"]}
    mine = client.get(API, {"view": "mine"}).json()["results"]

    unassigned_case = Case.objects.get(application_id=office["unassigned"])
    assert rows[office["unassigned"]]["url"] is None
    assert rows[office["unassigned"]]["claim_url"] == f"/dashboard/cases/{unassigned_case.pk}/claim/"
    assert all(row["url"] == f"/dashboard/cases/{row['case_id']}/" and row["claim_url"] is None for row in mine)

    client.force_login(office["supervisor"].user)
    rows = {row["application_id"]: row for row in client.get(API, {"view": "unassigned"}).json()["results"]}
    assert rows[office["no_case"]]["url"] == f"/dashboard/applications/{office['no_case']}/"
    assert rows[office["unassigned"]]["url"] == f"/dashboard/cases/{unassigned_case.pk}/"


def test_the_page_shows_each_view_with_its_count(client, office):
    client.force_login(office["supervisor"].user)

    response = client.get(PAGE, {"view": "urgent"})

    body = response.content.decode()
    assert response.status_code == 200
    for label, count in [
        ("Awaiting our reply", 5),
        ("Assigned to me", 0),
        ("Unassigned", 2),
        ("Urgent", 2),
        ("All", 7),
    ]:
        assert f'{label} <span class="queue-views__count">({count})</span>' in body
    assert f'href="{PAGE}?view=urgent" aria-current="page"' in body
    assert [row["application_id"] for row in response.context["rows"]] == [office["a_urgent"], office["b_urgent"]]


@pytest.mark.parametrize(
    "language, age, date_pattern",
    [
        ("en", "3\xa0days ago", r"\d{1,2} [A-Z][a-z]+ \d{4}, \d{1,2}:\d\d [ap]\.m\."),
        ("fr", "il y a 3\xa0jours", r"\d{1,2} [a-zéû]+ \d{4}, \d{1,2} h \d\d"),
    ],
)
def test_last_activity_shows_its_age_beside_the_date(client, language, age, date_pattern):
    profile = StaffProfileFactory()
    User.objects.filter(pk=profile.user_id).update(preferred_language=language)
    case = CaseFactory(assigned_staff_profile=profile)
    sent = timezone.now() - timedelta(days=3, hours=2)
    _waiting(case, at=sent)
    client.force_login(profile.user)

    body = client.get(PAGE).content.decode()

    local = timezone.localtime(sent)
    with translation.override(language):
        date = date_format(local, "DATETIME_FORMAT")
    assert re.fullmatch(date_pattern, date)
    assert f'<time datetime="{local.isoformat()}" title="{date}">{age}</time>' in body
    assert f'<span class="queue-table__date">{date}</span>' in body


def test_an_unknown_view_shows_the_default_page_and_is_refused_by_the_api(client, office):
    client.force_login(office["a"].user)

    assert client.get(PAGE, {"view": "nonsense"}).context["view"] == "awaiting"
    assert client.get(API, {"view": "nonsense"}).status_code == 404
    assert client.get(API, {"sort": "nonsense"}).status_code == 400


def test_a_caseworker_with_no_cases_is_shown_where_work_comes_from(client):
    StaffProfileFactory(primary_role=StaffProfile.Role.SUPERVISOR, display_name="Marie Supervisor")
    newcomer = StaffProfileFactory()
    unassigned = CaseFactory(assigned_staff_profile=None)
    _waiting(unassigned)
    client.force_login(newcomer.user)

    claimable = client.get(PAGE).content.decode()
    with override_settings(STAFF_CAN_CLAIM_CASES=False):
        assigned_by = client.get(PAGE).content.decode()

    assert "No case is assigned to you yet." in claimable
    assert "Claim an unassigned case" in claimable
    assert "Cases are assigned by Marie Supervisor." in assigned_by


@pytest.mark.parametrize("role", [StaffProfile.Role.CASEWORKER, StaffProfile.Role.SUPERVISOR])
@pytest.mark.parametrize("view", ["awaiting", "all", "urgent"])
def test_the_page_costs_the_same_queries_for_1_or_50_conversations(client, django_assert_num_queries, role, view):
    profile = StaffProfileFactory(primary_role=role)
    applicant = UserFactory()
    client.force_login(profile.user)
    # session + user, the view's rows, and the counts, which include the view's own
    # (a supervisor's: one pass over the summary, and the urgent cases; a
    # caseworker's also the claimable cases). The urgent view reads its
    # page's ids, then their rows.
    expected = (5 if role == StaffProfile.Role.SUPERVISOR else 6) + (view == "urgent")
    for size in (1, 50):
        while Conversation.objects.count() < size:
            case = CaseFactory(
                assigned_staff_profile=profile, application__submission__user=applicant, urgent=view == "urgent"
            )
            _waiting(case)
        with django_assert_num_queries(expected):
            response = client.get(PAGE, {"view": view})
        assert len(response.context["rows"]) == min(size, 25)


def test_deep_slices_are_read_ids_first_in_the_same_order(django_assert_num_queries):
    for _ in range(12):
        _waiting(CaseFactory())
    ordered = Conversation.objects.order_by("-last_message_at", "-application_id")
    expected = list(ordered.values_list("pk", flat=True))

    def details(conversations):
        return conversations.select_related("application__submission", "applicant_user")

    # From its threshold on, a slice is two queries: the ids, then their rows with their joins.
    with django_assert_num_queries(2):
        deep = IdsFirst(ordered, details, ids_first_from=3)[5:11]
        names = [str(row.applicant_user) for row in deep]
    with django_assert_num_queries(1):
        shallow = IdsFirst(ordered, details, ids_first_from=3)[0:3]
        [str(row.applicant_user) for row in shallow]

    assert [row.pk for row in deep] == expected[5:11]
    assert [row.pk for row in shallow] == expected[0:3]
    assert len(names) == 6
    assert IdsFirst(ordered, details, ids_first_from=0)[20:30] == []


@pytest.mark.parametrize("word", ["wapiti", "ISET-WAP"])
@pytest.mark.parametrize("role", [StaffProfile.Role.CASEWORKER, StaffProfile.Role.SUPERVISOR])
def test_a_searched_page_costs_the_same_queries_for_1_or_50_conversations(client, django_assert_num_queries, role, word):
    profile = StaffProfileFactory(primary_role=role)
    applicant = UserFactory(first_name="Wapiti")
    client.force_login(profile.user)
    searched = client.post(PAGE, {"view": "all", "q": word})["Location"]
    # As the unsearched page, plus: the people and the booking references the
    # word matches (looked up once, for the count and the rows) and, when
    # references match, their applications; the count of the search's own
    # results, and the audit row of the search (no terms in it).
    expected = (5 if role == StaffProfile.Role.SUPERVISOR else 6) + 4 + (word == "ISET-WAP")
    for size in (1, 50):
        while Conversation.objects.count() < size:
            case = CaseFactory(
                assigned_staff_profile=profile,
                application__submission__user=applicant,
                application__submission__reference_number=f"ISET-WAP-{Conversation.objects.count():04d}",
            )
            _waiting(case)
        with django_assert_num_queries(expected):
            response = client.get(searched)
        assert len(response.context["rows"]) == min(size, 25)
