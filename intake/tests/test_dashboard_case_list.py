import pytest
from django.urls import reverse

from casework.models import StaffProfile
from casework.tests.factories import ApplicationFactory, CaseFactory, staff_user
from intake.models import Message
from intake.tests.factories import MessageFactory

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

    response = client.get(URL, {"q": reference[-6:].lower()})

    assert list(response.context["cases"].object_list) == [wanted]
    assert other.application.submission.reference_number not in response.content.decode()


def test_search_by_applicant_name(client):
    wanted = CaseFactory(
        application__submission__user__first_name="Wapiti", application__submission__user__last_name="Okimaw"
    )
    CaseFactory(application__submission__user__first_name="Someone", application__submission__user__last_name="Else")
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    response = client.get(URL, {"q": "wapiti okimaw"})

    assert list(response.context["cases"].object_list) == [wanted]


def test_search_without_match_says_so(client):
    CaseFactory()
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    response = client.get(URL, {"q": "ISET-00000000-ZZZZZZ"})

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


@pytest.mark.parametrize("count", [1, 50])
def test_query_count_does_not_grow_with_cases(client, django_assert_num_queries, count):
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    for _ in range(count):
        case = CaseFactory()
        MessageFactory(case=case)
        MessageFactory(case=None, application=ApplicationFactory())
    client.force_login(supervisor)

    # session, user (with its staff profile), case count, applications-without-case
    # count, case rows and application rows (unread count and last message as subqueries)
    with django_assert_num_queries(6):
        response = client.get(URL)

    assert response.status_code == 200
