"""The pages anyone can open (Contact us, Privacy, Terms of use, Accessibility,
Help, How to apply: iset_messaging/pages.py, templates/pages/), the footer that
links them from every page, the navigation's current page, the banners, and
the way to apply and reach a person for an applicant with no application."""

import re
from datetime import time

import pytest
from django.test import override_settings
from django.urls import reverse

from casework.models import StaffProfile, User
from casework.tests.factories import CaseFactory, UserFactory, staff_user
from intake.tests.factories import MessageFactory

pytestmark = pytest.mark.django_db

HEADINGS = {
    "en": {
        "contact": "Contact us",
        "privacy": "Privacy",
        "terms": "Terms of use",
        "accessibility": "Accessibility",
        "help": "Help",
        "apply": "How to apply to the ISET program",
    },
    "fr": {
        "contact": "Nous joindre",
        "privacy": "Confidentialité",
        "terms": "Conditions d'utilisation",
        "accessibility": "Accessibilité",
        "help": "Aide",
        "apply": "Comment présenter une demande au programme FCEA",
    },
}
FOOTER = ["contact", "privacy", "terms", "accessibility", "help"]


def footer_links(body):
    footer = body[body.index('<footer class="site-footer">') :]
    return re.findall(r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>', footer)


def h1(body):
    return re.search(r"<h1[^>]*>(.*?)</h1>", body, re.S)[1].strip()


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("name", list(HEADINGS["en"]))
def test_each_page_opens_without_signing_in_and_costs_no_query(client, django_assert_num_queries, name, language):
    client.cookies["django_language"] = language

    with django_assert_num_queries(0):
        response = client.get(reverse(f"pages:{name}"))

    body = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in body
    assert h1(body) == HEADINGS[language][name]


def test_the_footer_links_every_page_and_marks_the_current_one(client):
    body = client.get(reverse("pages:privacy")).content.decode()

    links = footer_links(body)
    assert [href for href, _current, _text in links] == [reverse(f"pages:{name}") for name in FOOTER]
    assert [text for _href, _current, text in links] == ["Contact us", "Privacy", "Terms of use", "Accessibility", "Help"]
    assert [text for _href, current, text in links if current] == ["Privacy"]


@pytest.mark.parametrize("path", ["/login/", "/messages/", "/dashboard/"])
def test_the_footer_is_on_the_other_pages_too(client, path):
    if path == "/messages/":
        client.force_login(CaseFactory().application.submission.user)
    elif path == "/dashboard/":
        client.force_login(staff_user(StaffProfile.Role.CASEWORKER))

    links = footer_links(client.get(path).content.decode())

    assert [href for href, _current, _text in links] == [reverse(f"pages:{name}") for name in FOOTER]
    assert not any(current for _href, current, _text in links)


@override_settings(
    OFFICE_NAME="Nation Employment and Training Services",
    OFFICE_CONTACT_EMAIL="training@nation.example",
    OFFICE_PHONE="1-855-555-0123",
    OFFICE_TTY="1-855-555-0124",
    OFFICE_HOURS=(time(9, 0), time(16, 30)),
    OFFICE_ADDRESS=["PO Box 40", "Thunder Bay ON  P7B 0A1"],
)
def test_contact_page_shows_the_office_from_the_settings(client):
    body = client.get(reverse("pages:contact")).content.decode()

    assert '<h2 id="office-heading">Nation Employment and Training Services</h2>' in body
    assert '<a href="mailto:training@nation.example">training@nation.example</a>' in body
    assert '<a href="tel:1-855-555-0123">1-855-555-0123</a>' in body
    assert '<dt>TTY</dt>\n      <dd><a href="tel:1-855-555-0124">1-855-555-0124</a></dd>' in body
    assert "Monday to Friday (except holidays), 9:00 a.m. to 4:30 p.m., Toronto time" in body
    assert "<address>Nation Employment and Training Services<br>PO Box 40<br>Thunder Bay ON  P7B 0A1</address>" in body


@override_settings(OFFICE_HOURS=(time(8, 30), time(16, 0)), TIME_ZONE="America/Winnipeg")
def test_office_hours_in_french(client):
    client.cookies["django_language"] = "fr"

    body = client.get(reverse("pages:contact")).content.decode()

    assert "Du lundi au vendredi (sauf les jours fériés), de 8 h 30 à 16 h 00, heure de Winnipeg" in body


@override_settings(OFFICE_NAME="", OFFICE_TTY="", OFFICE_ADDRESS=[])
def test_without_a_name_tty_or_address_the_page_says_only_what_it_knows(client):
    body = client.get(reverse("pages:contact")).content.decode()

    assert '<h2 id="office-heading">ISET program office</h2>' in body
    assert "TTY" not in body
    assert "<address>" not in body


@override_settings(RESPONSE_TARGET_BUSINESS_DAYS=3, SESSION_COOKIE_AGE=4 * 3600)
def test_help_quotes_the_settings_that_decide_the_answers(client):
    body = client.get(reverse("pages:help")).content.decode()

    assert "We usually answer within 3 business days." in body
    assert "up to 5 files in one message, each at most 10\xa0MB and together at most 25\xa0MB" in body
    assert "you are signed out after 4 hours" in body


@override_settings(MESSAGE_RETENTION_YEARS=7)
def test_privacy_states_the_retention_period_when_one_is_set(client):
    body = client.get(reverse("pages:privacy")).content.decode()

    assert "Messages and their files are deleted 7 years after they were sent." in body
    assert "records retention schedule" not in body


@override_settings(MESSAGE_RETENTION_YEARS=0)
def test_privacy_points_to_the_records_schedule_when_no_period_is_set(client):
    body = client.get(reverse("pages:privacy")).content.decode()

    assert "deleted as the program's records retention schedule requires" in body
    assert "years after they were sent" not in body


def test_accessibility_names_the_standard_and_how_to_ask_for_another_format(client):
    body = client.get(reverse("pages:accessibility")).content.decode()

    assert "Web Content Accessibility Guidelines (WCAG) 2.1 at level AA" in body
    assert "Asking for another format" in body
    assert 'href="mailto:iset-office@iset.example"' in body


def test_sign_in_page_links_to_help_and_to_applying(client):
    body = client.get(reverse("login")).content.decode()

    assert '<a href="/help/#signing-in">Help with signing in</a>' in body
    assert '<a href="/apply/">Have not applied yet? Find out how to apply</a>' in body
    assert 'id="signing-in"' in client.get(reverse("pages:help")).content.decode()


@pytest.mark.parametrize("page", ["portal:inbox", "portal:compose"])
def test_applicant_without_an_application_can_apply_and_reach_a_person(client, page):
    client.force_login(UserFactory())

    body = client.get(reverse(page)).content.decode()

    assert "once you have submitted an application" in body
    assert '<a href="/apply/">Find out how to apply to the ISET program</a>' in body
    assert '<a href="tel:1-800-555-0199">1-800-555-0199</a>' in body
    assert '<a href="mailto:iset-office@iset.example">iset-office@iset.example</a>' in body
    assert '<a href="/contact/">Office hours and other ways to contact us</a>' in body
    assert "Your booking reference is the number" not in body


@override_settings(APPLY_URL="https://apply.nation.example/iset")
def test_apply_link_follows_apply_url(client):
    client.force_login(UserFactory())

    body = client.get(reverse("portal:inbox")).content.decode()

    assert '<a href="https://apply.nation.example/iset">Find out how to apply to the ISET program</a>' in body
    client.logout()
    assert 'href="https://apply.nation.example/iset">Have not applied yet?' in client.get(reverse("login")).content.decode()


@pytest.mark.parametrize("page", ["portal:inbox", "portal:compose"])
def test_booking_reference_is_explained_where_the_applicant_meets_it(client, page):
    case = CaseFactory()
    MessageFactory(case=case)
    client.force_login(case.application.submission.user)

    body = client.get(reverse(page)).content.decode()

    assert (
        "Your booking reference is the number on the confirmation you received when you applied. "
        "It starts with “ISET-”." in body
    )


def nav_links(body):
    nav = re.search(r'<nav class="site-nav".*?</nav>', body, re.S)[0]
    return {text.strip(): current for current, text in re.findall(r'<a href="[^"]+"(?: aria-current="(\w+)")?>([^<]+)', nav)}


def test_applicant_navigation_marks_the_current_page(client):
    case = CaseFactory()
    message = MessageFactory(case=case)
    client.force_login(case.application.submission.user)

    def links(messages="", write="", search=""):
        return {"Messages": messages, "Write a message": write, "Search": search}

    assert nav_links(client.get(reverse("portal:inbox")).content.decode()) == links(messages="page")
    assert nav_links(client.get(reverse("portal:compose")).content.decode()) == links(write="page")
    assert nav_links(client.get(reverse("portal:search")).content.decode()) == links(search="page")
    # A conversation and a message are in Messages, without being its page.
    conversation = client.get(reverse("portal:conversation", args=[case.application_id])).content.decode()
    assert nav_links(conversation) == links(messages="true")
    detail = client.get(reverse("portal:message_detail", args=[message.pk])).content.decode()
    assert nav_links(detail) == links(messages="true")
    assert nav_links(client.get(reverse("pages:help")).content.decode()) == links()


def test_staff_navigation_marks_the_current_page(client):
    case = CaseFactory()
    client.force_login(case.assigned_staff_profile.user)

    def links(queue="", cases="", search="", replies=""):
        return {"Work queue": queue, "Cases": cases, "Search messages": search, "Saved replies": replies}

    assert nav_links(client.get(reverse("dashboard:queue")).content.decode()) == links(queue="page")
    assert nav_links(client.get(reverse("dashboard:queue"), {"view": "all"}).content.decode()) == links(queue="page")
    assert nav_links(client.get(reverse("dashboard:case_list")).content.decode()) == links(cases="page")
    case_page = client.get(reverse("dashboard:case_detail", args=[case.pk])).content.decode()
    assert nav_links(case_page) == links(cases="true")
    assert nav_links(client.get(reverse("dashboard:search")).content.decode()) == links(search="page")
    assert nav_links(client.get(reverse("dashboard:saved_replies")).content.decode()) == links(replies="page")
    # Writing a saved reply is in Saved replies, without being its page.
    assert nav_links(client.get(reverse("dashboard:saved_reply_new")).content.decode()) == links(replies="true")


def test_a_success_banner_is_a_status_and_an_error_banner_an_alert(client):
    case = CaseFactory()
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    client.force_login(supervisor)

    refused = client.post(reverse("dashboard:case_claim", args=[case.pk]), follow=True).content.decode()
    sent = client.post(
        reverse("dashboard:case_detail", args=[case.pk]), {"subject": "Hello", "body": "Welcome."}, follow=True
    ).content.decode()

    assert re.search(r'<div class="flash" role="alert" data-announce><p class="flash__item flash__item--error">Only caseworkers claim cases\.', refused)
    assert 'role="status"' not in refused
    assert re.search(r'<div class="flash" role="status" data-announce><p class="flash__item flash__item--success">Your message was sent to the applicant\.</p></div>', sent)
    assert 'role="alert"' not in sent


def test_a_french_speaking_applicant_gets_the_pages_in_french(client):
    applicant = UserFactory()
    User.objects.filter(pk=applicant.pk).update(preferred_language="fr")
    client.force_login(applicant)

    body = client.get(reverse("pages:terms")).content.decode()

    assert h1(body) == "Conditions d'utilisation"
    assert [text for _href, _current, text in footer_links(body)] == [
        "Nous joindre",
        "Confidentialité",
        "Conditions d'utilisation",
        "Accessibilité",
        "Aide",
    ]
