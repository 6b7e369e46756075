"""Sessions: the idle timeout, the keep-alive, no caching of signed-in pages,
and disabling an account ends its sessions for good."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework import sessions
from casework.models import StaffProfile, User
from casework.tests.factories import ApplicantFactory, CaseFactory, StaffProfileFactory, staff_user

pytestmark = pytest.mark.django_db

IDLE = settings.SESSION_IDLE_TIMEOUT


@pytest.fixture
def clock(monkeypatch):
    """The sessions' clock, moved by hand: clock.advance(seconds)."""

    class Clock:
        now = sessions.now()

        def advance(self, seconds):
            self.now += seconds

    moved = Clock()
    monkeypatch.setattr(sessions, "now", lambda: moved.now)
    return moved


def test_an_idle_session_ends_and_the_sign_in_page_says_why(client, clock):
    applicant = ApplicantFactory()
    client.force_login(applicant)
    assert client.get("/messages/").status_code == 200

    clock.advance(IDLE + 1)
    response = client.get("/messages/")

    assert response["Location"] == "/login/?next=/messages/"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "signed out because you were inactive" in page
    assert "signed out because you were inactive" not in client.get(reverse("login")).content.decode()


def test_activity_keeps_the_session(client, clock):
    client.force_login(ApplicantFactory())
    for _ in range(4):
        clock.advance(IDLE - 60)
        assert client.get("/messages/").status_code == 200


def test_reading_pages_writes_the_session_at_most_once_a_minute(client, clock):
    client.force_login(ApplicantFactory())
    client.get("/messages/")
    clock.advance(settings.SESSION_ACTIVITY_RESOLUTION - 1)
    with CaptureQueriesContext(connection) as within_the_minute:
        client.get("/messages/")
    clock.advance(1)
    with CaptureQueriesContext(connection) as after_the_minute:
        client.get("/messages/")

    writes = [query["sql"] for query in within_the_minute.captured_queries if query["sql"].startswith("UPDATE")]
    assert writes == []
    later = [query["sql"] for query in after_the_minute.captured_queries if query["sql"].startswith("UPDATE")]
    assert len(later) == 1 and "django_session" in later[0]


def test_the_api_answers_401_after_the_timeout(client, clock):
    client.force_login(ApplicantFactory())
    clock.advance(IDLE + 1)

    response = client.get("/api/me/threads")

    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


def test_staff_sessions_time_out_too(client, clock):
    case = CaseFactory()
    client.force_login(case.assigned_staff_profile.user)
    clock.advance(IDLE + 1)

    assert client.get(f"/dashboard/cases/{case.pk}/")["Location"] == f"/login/?next=/dashboard/cases/{case.pk}/"


def test_the_status_check_is_not_activity_and_stay_signed_in_is(client, clock):
    client.force_login(ApplicantFactory())
    clock.advance(IDLE - 120)

    status = client.get(reverse("session_status"))
    assert status.json() == {"seconds_left": 120}
    clock.advance(60)
    assert client.get(reverse("session_status")).json() == {"seconds_left": 60}

    kept = client.post(reverse("session_keep_alive"))

    assert kept.json() == {"seconds_left": IDLE}
    clock.advance(IDLE - 1)
    assert client.get("/messages/").status_code == 200


def test_the_status_check_after_the_timeout_says_signed_out(client, clock):
    client.force_login(ApplicantFactory())
    clock.advance(IDLE + 1)

    response = client.get(reverse("session_status"))

    assert response.status_code == 401
    assert client.post(reverse("session_keep_alive")).status_code == 401


def test_stay_signed_in_needs_a_post_with_the_csrf_token():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(ApplicantFactory())

    assert client.post(reverse("session_keep_alive")).status_code == 403
    assert client.get(reverse("session_keep_alive")).status_code == 405


def test_signed_in_pages_carry_the_time_out_warning(client):
    client.force_login(ApplicantFactory())

    page = client.get(reverse("portal:compose")).content.decode()

    assert '<script src="/static/js/session-timeout.js" defer></script>' in page
    assert 'id="session-timeout"' in page
    assert f'data-seconds-left="{IDLE}"' in page
    assert 'action="/account/session/keep-alive/"' in page
    assert "session-timeout" not in client.get(reverse("logout")).content.decode()


def test_the_sign_in_page_has_no_time_out_warning(client):
    page = client.get(reverse("login")).content.decode()

    assert "session-timeout" not in page


@pytest.mark.parametrize("path", ["/messages/", "/messages/new/", "/account/"])
def test_signed_in_applicant_pages_are_never_cached(client, path):
    client.force_login(ApplicantFactory())

    response = client.get(path)

    assert response.status_code == 200
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives


@pytest.mark.parametrize("path", ["/dashboard/", "/dashboard/cases/", "/dashboard/sign-ins/"])
def test_signed_in_staff_pages_are_never_cached(client, path):
    client.force_login(staff_user(StaffProfile.Role.SUPERVISOR))

    response = client.get(path)

    assert response.status_code == 200
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives


def test_a_case_page_is_never_cached(client):
    case = CaseFactory()
    client.force_login(case.assigned_staff_profile.user)

    response = client.get(f"/dashboard/cases/{case.pk}/")

    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives


# Disabling ---------------------------------------------------------------------


def _disable_applicant_with_the_orm(user):
    user.is_active = False
    user.save()


def _enable_applicant_with_the_orm(user):
    user.is_active = True
    user.save()


def _disable_applicant_with_sql(user):
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {connection.ops.quote_name('user')} SET is_active = 0 WHERE id = %s", [user.pk])


def _enable_applicant_with_sql(user):
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {connection.ops.quote_name('user')} SET is_active = 1 WHERE id = %s", [user.pk])


@pytest.mark.parametrize(
    "disable, enable",
    [(_disable_applicant_with_the_orm, _enable_applicant_with_the_orm), (_disable_applicant_with_sql, _enable_applicant_with_sql)],
    ids=["orm", "sql"],
)
def test_a_disabled_applicants_session_stays_dead_after_re_enabling(client, disable, enable):
    applicant = ApplicantFactory()
    client.force_login(applicant)
    assert client.get("/messages/").status_code == 200

    disable(applicant)
    assert client.get("/messages/")["Location"] == "/login/?next=/messages/"
    enable(applicant)

    assert client.get("/messages/")["Location"] == "/login/?next=/messages/"
    assert client.get("/api/me/threads").status_code == 401


def _set_status(profile, status, with_sql):
    if with_sql:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE staff_profiles SET status = %s WHERE id = %s", [status, profile.pk])
    else:
        profile.status = status
        profile.save()


@pytest.mark.parametrize("with_sql", [False, True], ids=["orm", "sql"])
def test_a_disabled_staff_members_session_stays_dead_after_re_enabling(client, with_sql):
    case = CaseFactory()
    profile = case.assigned_staff_profile
    client.force_login(profile.user)
    assert client.get("/dashboard/cases/").status_code == 200

    _set_status(profile, StaffProfile.Status.DISABLED, with_sql)
    assert client.get("/dashboard/cases/")["Location"] == "/login/?next=/dashboard/cases/"
    _set_status(profile, StaffProfile.Status.ACTIVE, with_sql)

    assert client.get("/dashboard/cases/")["Location"] == "/login/?next=/dashboard/cases/"
    assert client.get(f"/api/cases/{case.pk}/messages").status_code == 401


def test_a_user_row_saved_from_before_the_disabling_cannot_revive_old_sessions(client):
    applicant = ApplicantFactory()
    client.force_login(applicant)
    read_before = User.objects.get(pk=applicant.pk)

    _disable_applicant_with_sql(applicant)
    read_before.is_active = True
    read_before.save()  # writes the session_version it read: the database keeps the higher one

    assert client.get("/messages/")["Location"] == "/login/?next=/messages/"


def test_a_re_enabled_account_signs_in_afresh(client):
    profile = StaffProfileFactory()
    client.force_login(profile.user)
    _set_status(profile, StaffProfile.Status.DISABLED, with_sql=True)
    _set_status(profile, StaffProfile.Status.ACTIVE, with_sql=True)

    client.force_login(User.objects.get(pk=profile.user_id))

    assert client.get("/dashboard/cases/").status_code == 200


def test_other_changes_to_the_account_keep_the_session(client):
    applicant = ApplicantFactory(preferred_language="en")
    client.force_login(applicant)

    client.post(reverse("switch_language"), {"language": "fr", "next": "/messages/"})
    User.objects.filter(pk=applicant.pk).update(first_name="Renamed")

    assert client.get("/messages/").status_code == 200
