"""Saved replies: placeholders, filling one in for a case in the applicant's
language, and who sees which reply (intake.saved_replies)."""

from datetime import date

import pytest
from django.http import Http404

from casework.models import StaffProfile
from casework.tests.factories import CaseFactory, StaffProfileFactory, staff_user
from common.errors import InvalidInput, NotFound
from intake.models import SavedReply
from intake.saved_replies import (
    FillValues,
    fill_values_for,
    filled,
    may_manage,
    placeholders_check,
    reply_filled,
    sample_fill_values,
    saved_replies_for,
    saved_reply_for,
    saved_reply_to_manage,
    unknown_placeholder,
)

pytestmark = pytest.mark.django_db

TEXT = "Hello {applicant_first_name}, about {booking_reference} on {today}. {caseworker_name}"


def saved_reply(owner=None, **fields):
    author = owner or staff_user(StaffProfile.Role.SUPERVISOR)
    values = {
        "title": "Documents received",
        "subject_en": "Your documents ({booking_reference})",
        "body_en": "Hello {applicant_first_name},\nWe received your documents on {today}.\n{caseworker_name}",
        "subject_fr": "Vos documents ({booking_reference})",
        "body_fr": "Bonjour {applicant_first_name},\nNous avons reçu vos documents le {today}.\n{caseworker_name}",
        **fields,
    }
    return SavedReply.objects.create(owner_user=owner, created_by_user=author, updated_by_user=author, **values)


def values(language):
    return FillValues("Aiyana", "ISET-20260105-1A2B3C", "Sam Worker", date(2026, 12, 3), language)


def test_filled_in_english():
    assert filled(TEXT, values("en")) == "Hello Aiyana, about ISET-20260105-1A2B3C on December 3, 2026. Sam Worker"


def test_filled_in_french_with_the_date_in_french():
    assert filled(TEXT, values("fr")) == "Hello Aiyana, about ISET-20260105-1A2B3C on 3 décembre 2026. Sam Worker"


def test_a_reply_is_filled_from_the_side_in_the_language():
    reply = saved_reply()

    assert reply_filled(reply, values("en")) == (
        "Your documents (ISET-20260105-1A2B3C)",
        "Hello Aiyana,\nWe received your documents on December 3, 2026.\nSam Worker",
    )
    assert reply_filled(reply, values("fr")) == (
        "Vos documents (ISET-20260105-1A2B3C)",
        "Bonjour Aiyana,\nNous avons reçu vos documents le 3 décembre 2026.\nSam Worker",
    )


@pytest.mark.parametrize("language", ["en", "fr"])
def test_values_come_from_the_case_in_the_applicants_language(language):
    case = CaseFactory(application__submission__user__first_name="Wapun")
    case.application.submission.user.preferred_language = language
    profile = StaffProfileFactory(display_name="Casey Worker")

    found = fill_values_for(case, profile, date(2026, 1, 2))

    assert found == FillValues("Wapun", case.application.submission.reference_number, "Casey Worker", date(2026, 1, 2), language)


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("Hello {first_name}", "{first_name}"),
        ("Hello {applicant_first_name} {}", "{}"),
        ("{booking_reference} {Today}", "{Today}"),
        ("Bonjour {prénom}", "{prénom}"),
    ],
)
def test_unknown_placeholders_are_named(text, bad):
    assert unknown_placeholder(text) == bad
    with pytest.raises(InvalidInput) as refused:
        placeholders_check(text, field="body_en")
    assert bad in str(refused.value.message)
    assert refused.value.field == "body_en"


def test_known_placeholders_and_lone_braces_pass():
    placeholders_check(TEXT + " { not a placeholder", field="body_en")
    assert unknown_placeholder(TEXT) is None


def test_staff_see_the_team_replies_and_their_own_only():
    caseworker, colleague = staff_user(), staff_user()
    team = saved_reply(title="Team")
    mine = saved_reply(owner=caseworker, title="Mine")
    theirs = saved_reply(owner=colleague, title="Theirs")

    assert list(saved_replies_for(caseworker)) == [team, mine]
    assert saved_reply_for(caseworker, mine.pk) == mine
    with pytest.raises(Http404):
        saved_reply_for(caseworker, theirs.pk)


def test_applicants_have_no_saved_replies():
    applicant = CaseFactory().application.submission.user
    saved_reply()

    with pytest.raises(NotFound):
        saved_replies_for(applicant)


def test_team_replies_are_managed_by_supervisors_and_admins_personal_ones_by_their_owner():
    caseworker, supervisor, admin = staff_user(), staff_user(StaffProfile.Role.SUPERVISOR), staff_user(StaffProfile.Role.ADMIN)
    team, mine = saved_reply(title="Team"), saved_reply(owner=caseworker, title="Mine")

    assert [may_manage(user, team) for user in (caseworker, supervisor, admin)] == [False, True, True]
    assert [may_manage(user, mine) for user in (caseworker, supervisor, admin)] == [True, False, False]
    with pytest.raises(NotFound):
        saved_reply_to_manage(caseworker, team.pk)
    assert saved_reply_to_manage(supervisor, team.pk) == team


def test_the_preview_sample_is_a_case_the_staff_member_may_open():
    caseworker = StaffProfileFactory(display_name="Casey Worker")
    CaseFactory()  # someone else's
    mine = CaseFactory(assigned_staff_profile=caseworker, application__submission__user__first_name="Nina")

    found, case = sample_fill_values(caseworker.user, date(2026, 1, 2), "fr")

    assert case == mine
    assert (found.applicant_first_name, found.booking_reference, found.language) == (
        "Nina",
        mine.application.submission.reference_number,
        "fr",
    )


def test_the_preview_sample_is_made_up_without_a_case():
    found, case = sample_fill_values(staff_user(display_name="Casey Worker"), date(2026, 1, 2), "en")

    assert case is None
    assert (found.applicant_first_name, found.caseworker_name) == ("Marie", "Casey Worker")
