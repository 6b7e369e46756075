"""Two-step verification: every staff role gives a code after the password
before any staff page or API answers; the first sign-in sets up the
authenticator app; recovery codes; applicants may opt in."""

import base64
import re

import pytest
from axes.models import AccessFailureLog
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework import two_step
from casework.models import StaffProfile, User
from casework.tests.factories import TEST_PASSWORD, ApplicantFactory, CaseFactory, staff_user
from casework.tests.two_step import code_for, confirmed_authenticator
from intake.models import MessageEvent
from intake.tests.factories import MessageFactory

pytestmark = pytest.mark.django_db

ROLES = [StaffProfile.Role.CASEWORKER, StaffProfile.Role.SUPERVISOR, StaffProfile.Role.ADMIN]


def sign_in(client, email, password=TEST_PASSWORD):
    return client.post(reverse("login"), {"username": email, "password": password})


def staff_pages(case):
    message = MessageFactory(case=case)
    return [
        reverse("dashboard:queue"),
        reverse("dashboard:case_list"),
        reverse("dashboard:case_detail", args=[case.pk]),
        reverse("dashboard:message_detail", args=[case.pk, message.pk]),
        reverse("dashboard:application_detail", args=[case.application.pk]),
        reverse("sign_ins"),
        reverse("account"),
    ]


def staff_api(case):
    message = MessageFactory(case=case)
    return [
        reverse("api:case_messages", args=[case.pk]),
        reverse("api:staff_queue"),
        f"{reverse('api:admin_message_attachments', args=[message.pk])}?case_id={case.pk}",
    ]


@pytest.mark.parametrize("role", ROLES)
def test_a_password_alone_opens_no_staff_page(client, role):
    user = staff_user(role)
    case = CaseFactory(assigned_staff_profile=user.staff_profile)
    confirmed_authenticator(user)

    landing = sign_in(client, user.email)

    assert landing["Location"] == "/account/two-step/?next=%2Fdashboard%2F"
    for path in staff_pages(case):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/account/two-step/?next="), path
    for path in staff_api(case):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.json()["error"] == "two_step_required"
    assert client.post(reverse("api:case_messages", args=[case.pk]), {"body": "Hello"}).status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_the_code_opens_the_staff_pages(client, role):
    user = staff_user(role)
    case = CaseFactory(assigned_staff_profile=user.staff_profile)
    device = confirmed_authenticator(user)
    sign_in(client, user.email)
    key_before = client.session.session_key

    response = client.post(reverse("two_step"), {"code": code_for(device), "next": "/dashboard/cases/"})

    assert response["Location"] == "/dashboard/cases/"
    assert client.session.session_key != key_before
    assert client.get(reverse("dashboard:case_detail", args=[case.pk])).status_code == 200
    assert client.get(reverse("api:case_messages", args=[case.pk])).status_code == 200


def test_the_code_step_page_is_labelled_and_follows_next(client):
    user = staff_user()
    confirmed_authenticator(user)
    sign_in(client, user.email)

    page = client.get("/account/two-step/?next=/dashboard/cases/").content.decode()

    assert "<h1>Enter your code</h1>" in page
    assert '<label for="id_code">' in page
    assert 'autocomplete="one-time-code"' in page
    assert 'name="next" value="/dashboard/cases/"' in page


def test_next_leads_only_to_this_site(client):
    user = staff_user()
    device = confirmed_authenticator(user)
    sign_in(client, user.email)

    response = client.post(reverse("two_step"), {"code": code_for(device), "next": "https://evil.example/"})

    assert response["Location"] == "/dashboard/"


def test_a_wrong_code_is_refused_and_recorded(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = staff_user()
    confirmed_authenticator(user)
    sign_in(client, user.email)

    response = client.post(reverse("two_step"), {"code": "123456"})

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert client.get(reverse("dashboard:queue")).status_code == 302
    assert list(AccessFailureLog.objects.values_list("username", "path_info")) == [(user.email, "/account/two-step/")]


def test_a_repeated_wrong_code_asks_to_wait(client):
    user = staff_user()
    device = confirmed_authenticator(user)
    sign_in(client, user.email)
    client.post(reverse("two_step"), {"code": "123456"})

    response = client.post(reverse("two_step"), {"code": code_for(device)})

    assert response.status_code == 200
    assert "Wait a few seconds" in response.content.decode()


def test_a_code_works_once(client):
    user = staff_user()
    device = confirmed_authenticator(user)
    sign_in(client, user.email)
    code = code_for(device)
    client.post(reverse("two_step"), {"code": code})
    client.post(reverse("logout"))
    sign_in(client, user.email)

    response = client.post(reverse("two_step"), {"code": code})

    assert response.status_code == 200
    assert client.get(reverse("dashboard:queue")).status_code == 302


def _key_from(page):
    key = re.search(r'<code class="two-step-key" id="two-step-key">([A-Z2-7 ]+)</code>', page).group(1)
    return key.replace(" ", "")


def test_the_first_sign_in_sets_up_the_authenticator_then_shows_recovery_codes(client, settings):
    # No pause after the wrong code below (django-otp waits a second or more).
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = staff_user(StaffProfile.Role.SUPERVISOR)
    assert sign_in(client, user.email)["Location"] == "/account/two-step/?next=%2Fdashboard%2F"

    to_set_up = client.get("/account/two-step/?next=%2Fdashboard%2F")
    assert to_set_up["Location"] == "/account/two-step/set-up/?next=%2Fdashboard%2F"
    page = client.get(to_set_up["Location"]).content.decode()
    assert "<h1>Set up two-step verification</h1>" in page
    assert '<div class="qr-code" role="img"' in page and "<svg" in page
    # No inline script or style (the Content-Security-Policy allows neither).
    assert re.findall(r"<script(?![^>]*\bsrc=)|<style|style=", page) == []
    key = _key_from(page)
    # The same key on a reload, until it is confirmed.
    assert _key_from(client.get(to_set_up["Location"]).content.decode()) == key

    wrong = client.post(reverse("two_step_setup"), {"code": "000000", "next": "/dashboard/"})
    assert "That code does not match" in wrong.content.decode()
    assert client.get(reverse("dashboard:queue")).status_code == 302

    # The person's app computes the code from the key they typed or scanned.
    secret = base64.b32decode(key + "=" * (-len(key) % 8))
    totp = TOTP(secret)
    done = client.post(reverse("two_step_setup"), {"code": f"{totp.token():06d}", "next": "/dashboard/"})

    assert done.status_code == 200
    page = done.content.decode()
    assert "<h1>Your recovery codes</h1>" in page
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", page)
    assert len(codes) == 10
    assert sorted(codes) == sorted(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert 'href="/dashboard/"' in page
    assert TOTPDevice.objects.get(user=user).confirmed
    assert client.get(reverse("dashboard:queue")).status_code == 200


def test_a_password_alone_cannot_replace_the_authenticator(client):
    user = staff_user()
    device = confirmed_authenticator(user)
    sign_in(client, user.email)

    response = client.get(reverse("two_step_setup"))

    assert response["Location"].startswith("/account/two-step/?next=")
    assert list(TOTPDevice.objects.filter(user=user)) == [device]


def test_a_recovery_code_signs_in_once_and_is_recorded(client):
    user = staff_user()
    confirmed_authenticator(user)
    codes = two_step.recovery_codes_new(user=user)
    sign_in(client, user.email)

    response = client.post(reverse("two_step"), {"code": codes[0].upper()[:4] + " " + codes[0][4:]}, follow=True)

    assert response.redirect_chain[0][0] == "/dashboard/"
    assert "9 recovery codes are left" in response.content.decode()
    event = MessageEvent.objects.get(event_type="two_step_recovery_code_used")
    assert (event.actor_user_id, event.detail) == (user.pk, {"codes_left": 9})
    client.post(reverse("logout"))
    sign_in(client, user.email)
    again = client.post(reverse("two_step"), {"code": codes[0]})
    assert again.status_code == 200
    assert client.get(reverse("dashboard:queue")).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(client):
    user = staff_user()
    client.force_login(user)
    confirmed_authenticator(user)
    old = two_step.recovery_codes_new(user=user)

    page = client.post(reverse("account"), {"action": "recovery_codes"}).content.decode()

    new = re.findall(r"<li><code>([a-z2-7]+)</code></li>", page)
    assert len(new) == 10
    assert not set(old) & set(StaticToken.objects.values_list("token", flat=True))


def test_sign_out_and_the_language_switch_work_before_the_code(client):
    user = staff_user()
    confirmed_authenticator(user)
    sign_in(client, user.email)

    assert client.post(reverse("switch_language"), {"language": "fr", "next": "/account/two-step/"}).status_code == 302
    assert '<html lang="fr">' in client.get(reverse("two_step")).content.decode()
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_applicants_sign_in_without_a_code(client):
    applicant = ApplicantFactory()

    response = sign_in(client, applicant.email)

    assert response["Location"] == "/messages/"
    assert client.get("/messages/").status_code == 200


def test_an_applicant_may_turn_two_step_verification_on_and_off(client):
    applicant = ApplicantFactory()
    client.force_login(applicant)
    account = client.get(reverse("account")).content.decode()
    assert "Turn on two-step verification" in account
    client.get(reverse("two_step_setup"))
    device = TOTPDevice.objects.get(user=applicant, confirmed=False)

    client.post(reverse("two_step_setup"), {"code": code_for(device), "next": "/account/"})
    client.post(reverse("logout"))

    assert sign_in(client, applicant.email)["Location"] == "/account/two-step/?next=%2Fmessages%2F"
    assert client.get("/messages/")["Location"] == "/account/two-step/?next=%2Fmessages%2F"
    assert client.get("/api/me/threads").status_code == 401
    assert client.post(reverse("two_step"), {"code": code_for(device)})["Location"] == "/messages/"
    assert client.get("/messages/").status_code == 200

    client.post(reverse("account"), {"action": "turn_off"})
    client.post(reverse("logout"))
    assert sign_in(client, applicant.email)["Location"] == "/messages/"
    assert not TOTPDevice.objects.filter(user=applicant).exists()


def test_staff_cannot_turn_two_step_verification_off(client):
    user = staff_user()
    client.force_login(user)
    confirmed_authenticator(user)

    assert "Turn off" not in client.get(reverse("account")).content.decode()
    assert client.post(reverse("account"), {"action": "turn_off"}).status_code == 404
    assert TOTPDevice.objects.filter(user=user).exists()


def test_the_account_page_needs_a_sign_in(client):
    assert client.get(reverse("account"))["Location"] == "/login/?next=/account/"
    assert client.get(reverse("two_step"))["Location"] == "/login/?next=/account/two-step/"
    assert client.get(reverse("two_step_setup"))["Location"] == "/login/?next=/account/two-step/set-up/"


def test_setting_up_an_authenticator_ends_the_accounts_other_sessions(client):
    applicant = ApplicantFactory()
    elsewhere = Client()
    elsewhere.force_login(applicant)
    client.force_login(applicant)
    client.get(reverse("two_step_setup"))
    device = TOTPDevice.objects.get(user=applicant, confirmed=False)

    client.post(reverse("two_step_setup"), {"code": code_for(device), "next": "/account/"})

    assert client.get("/messages/").status_code == 200
    assert elsewhere.get("/messages/")["Location"] == "/login/?next=/messages/"


def test_the_qr_code_shown_unescaped_holds_no_text_of_the_account(client):
    user = staff_user(StaffProfile.Role.CASEWORKER)
    User.objects.filter(pk=user.pk).update(email='x"><script>alert(1)</script>@iset.example')
    user.refresh_from_db()
    client.force_login(user)

    page = client.get("/account/two-step/set-up/").content.decode()

    svg = re.search(r'<div class="qr-code" role="img"[^>]*>(.*?)</div>', page, re.S).group(1)
    assert svg.startswith("<svg") and "<path" in svg
    assert "script" not in svg and "iset.example" not in svg and "otpauth" not in svg
