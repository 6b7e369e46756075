"""Saved replies (issue 13): reads, placeholders, and filling one in for a case.

A saved reply is a pair, English and French. The team's replies (owner NULL)
are managed by supervisors and admins and offered to every staff member; a
personal reply is its owner's alone. Outsiders get NotFound (404), as for
every other record (casework.access).

Placeholders are the names in braces below. Anything else in braces is
refused when a reply is saved, naming the bad one, so that a reply can never
reach an applicant with a "{typo}" in it.
"""

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import dateformat, translation
from django.utils.translation import gettext as _

from casework.access import cases_for_staff, require_staff
from casework.models import Case, Language, StaffProfile
from common.errors import InvalidInput, NotFound
from common.ids import id_or_404
from intake.models import SavedReply

PLACEHOLDERS = ("applicant_first_name", "booking_reference", "caseworker_name", "today")
# A placeholder: anything between braces (an empty or unknown name is refused, not ignored).
PLACEHOLDER_PATTERN = re.compile(r"\{([^{}]*)\}")
TITLE_MAX = 150
SUBJECT_MAX = 255
BODY_MAX = 10_000
# {today}, in full, with the month's name in the reply's language.
TODAY_FORMATS = {"en": "F j, Y", "fr": "j F Y"}


@dataclass(frozen=True)
class FillValues:
    """What the placeholders stand for in one reply to one applicant."""

    applicant_first_name: str
    booking_reference: str
    caseworker_name: str
    today: date
    language: str


def unknown_placeholder(text: str) -> str | None:
    """The first placeholder in `text` that is not one of PLACEHOLDERS, as
    written (with its braces), or None."""
    for match in PLACEHOLDER_PATTERN.finditer(text):
        if match.group(1) not in PLACEHOLDERS:
            return match.group(0)
    return None


def placeholders_check(text: str, *, field: str) -> None:
    """InvalidInput naming the first unknown placeholder in `text`."""
    bad = unknown_placeholder(text)
    if bad is not None:
        raise InvalidInput(
            _("%(placeholder)s is not a placeholder. Use %(known)s.")
            % {"placeholder": bad, "known": placeholder_list()},
            code="unknown_placeholder",
            field=field,
        )


def placeholder_list() -> str:
    return ", ".join("{" + name + "}" for name in PLACEHOLDERS)


def filled(text: str, values: FillValues) -> str:
    """`text` with each placeholder replaced. `today` is written as a date in
    the reply's language, as a letter writes it ("December 3, 2026", "3 décembre 2026")."""
    with translation.override(values.language):
        today = dateformat.format(values.today, TODAY_FORMATS.get(values.language, TODAY_FORMATS["en"]))
    replacements = {
        "applicant_first_name": values.applicant_first_name,
        "booking_reference": values.booking_reference,
        "caseworker_name": values.caseworker_name,
        "today": today,
    }
    return PLACEHOLDER_PATTERN.sub(lambda match: replacements.get(match.group(1), match.group(0)), text)


def reply_in(reply: SavedReply, language: str) -> tuple[str, str]:
    """The (subject, body) of the reply's side in `language` ("en" or "fr")."""
    if language == Language.FRENCH:
        return reply.subject_fr, reply.body_fr
    return reply.subject_en, reply.body_en


def reply_filled(reply: SavedReply, values: FillValues) -> tuple[str, str]:
    """The reply in the values' language with its placeholders replaced."""
    subject, body = reply_in(reply, values.language)
    return filled(subject, values), filled(body, values)


def fill_values_for(case: Case, staff_profile: StaffProfile, today: date) -> FillValues:
    """The placeholders' values for writing to the applicant of `case` (with its
    submission and applicant already joined, as casework.access fetches it):
    in the applicant's preferred language, signed by `staff_profile`."""
    applicant = case.application.submission.user
    return FillValues(
        applicant_first_name=applicant.first_name or applicant.full_name,
        booking_reference=case.application.submission.reference_number,
        caseworker_name=staff_profile.display_name,
        today=today,
        language=applicant.preferred_language if applicant.preferred_language in Language.values else "en",
    )


def sample_fill_values(user: Any, today: date, language: str) -> tuple[FillValues, Case | None]:
    """Values for a preview: from the newest case the staff member may open
    (its applicant's first name and booking reference), or made-up ones when
    they may open none. `language` is the side shown."""
    profile = require_staff(user)
    case = cases_for_staff(user).order_by("-id").first()
    if case is None:
        values = FillValues("Marie", "ISET-20260105-1A2B3C", profile.display_name, today, language)
    else:
        applicant = case.application.submission.user
        values = FillValues(
            applicant.first_name or applicant.full_name,
            case.application.submission.reference_number,
            profile.display_name,
            today,
            language,
        )
    return values, case


# Reads ---------------------------------------------------------------------------


def saved_replies_for(user: Any) -> QuerySet[SavedReply]:
    """The replies a staff member may use: the team's and their own, team
    replies first, each group by title."""
    require_staff(user)
    return SavedReply.objects.filter(Q(owner_user__isnull=True) | Q(owner_user=user.pk)).order_by(
        "owner_user_id", "title", "id"
    )


def saved_reply_for(user: Any, reply_id: object) -> SavedReply:
    """One reply the staff member may use (the team's or their own); NotFound otherwise."""
    return get_object_or_404(saved_replies_for(user), pk=id_or_404(reply_id))


def may_manage(user: Any, reply: SavedReply) -> bool:
    """Team replies are the supervisors' and admins'; a personal one its owner's."""
    profile = require_staff(user)
    if reply.is_team:
        return profile.sees_every_case
    return reply.owner_user_id == user.pk


def may_manage_team_replies(user: Any) -> bool:
    return require_staff(user).sees_every_case


def saved_reply_to_manage(user: Any, reply_id: object) -> SavedReply:
    """A reply the staff member may edit or delete. A caseworker asking for a
    team reply, or anyone for someone else's personal one, gets NotFound: the
    edit pages do not exist for them."""
    reply = saved_reply_for(user, reply_id)
    if not may_manage(user, reply):
        raise NotFound()
    return reply
