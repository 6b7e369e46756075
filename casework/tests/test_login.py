import pytest
from django.urls import reverse

from casework.models import StaffProfile
from casework.tests.factories import TEST_PASSWORD, ApplicantFactory, StaffProfileFactory, staff_user
from casework.tests.two_step import code_for, confirmed_authenticator

pytestmark = pytest.mark.django_db


def sign_in(client, email, password=TEST_PASSWORD, **extra):
    return client.post(reverse("login"), {"username": email, "password": password, **extra})


def test_applicant_lands_on_messages(client):
    applicant = ApplicantFactory()

    response = sign_in(client, applicant.email)

    assert response.status_code == 302
    assert response["Location"] == "/messages/"
    assert client.session["_auth_user_id"] == str(applicant.pk)


@pytest.mark.parametrize("role", [StaffProfile.Role.CASEWORKER, StaffProfile.Role.SUPERVISOR, StaffProfile.Role.ADMIN])
def test_staff_land_on_their_work_queue_after_the_code_step(client, role):
    user = staff_user(role)
    device = confirmed_authenticator(user)

    response = sign_in(client, user.email)

    assert response["Location"] == "/account/two-step/?next=%2Fdashboard%2F"
    response = client.post(response["Location"], {"code": code_for(device), "next": "/dashboard/"})
    assert response["Location"] == "/dashboard/"


def test_email_is_case_insensitive(client):
    applicant = ApplicantFactory(email="mixed.case@example.org")

    response = sign_in(client, "Mixed.Case@Example.org")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(applicant.pk)


def test_wrong_password_shows_error_and_no_session(client):
    applicant = ApplicantFactory()

    response = sign_in(client, applicant.email, "not-the-password")

    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_disabled_staff_cannot_sign_in(client):
    profile = StaffProfileFactory(status=StaffProfile.Status.DISABLED)

    response = sign_in(client, profile.user.email)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_staff_disabled_after_sign_in_loses_the_session(client):
    profile = StaffProfileFactory()
    client.force_login(profile.user)
    profile.status = StaffProfile.Status.DISABLED
    profile.save()

    response = client.get("/dashboard/cases/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/dashboard/cases/"


def test_sign_out_ends_the_session(client):
    applicant = ApplicantFactory()
    client.force_login(applicant)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get("/messages/")["Location"] == "/login/?next=/messages/"


@pytest.mark.parametrize("path", ["/messages/", "/dashboard/cases/"])
def test_anonymous_visitor_is_sent_to_login(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={path}"


def test_applicant_cannot_open_the_dashboard(client):
    client.force_login(ApplicantFactory())

    assert client.get("/dashboard/cases/").status_code == 404


def test_next_parameter_is_followed_only_on_this_site(client):
    applicant = ApplicantFactory()

    response = sign_in(client, applicant.email, next="https://evil.example/phish")

    assert response["Location"] == "/messages/"


def test_language_switch_is_remembered_on_the_account(client):
    applicant = ApplicantFactory(preferred_language="en")
    client.force_login(applicant)

    client.post(reverse("switch_language"), {"language": "fr", "next": "/messages/"})

    applicant.refresh_from_db()
    assert applicant.preferred_language == "fr"
    page = client.get("/messages/").content.decode()
    assert '<html lang="fr">' in page
    assert "<h1>Messages sécurisés</h1>" in page


def test_login_page_has_skip_link_and_labelled_fields(client):
    page = client.get(reverse("login")).content.decode()

    assert 'href="#main"' in page
    assert '<label for="id_username">' in page
    assert '<label for="id_password">' in page
