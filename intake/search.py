"""Search of messages by words (issue 13), for staff across the conversations
they may open and for applicants across their own messages.

What matches: a message whose subject or body has, for each word searched, a
word that begins with it, ignoring case and accents ("recu" finds "reçu",
"document" finds "documents", "ecole" finds "École"). Withdrawn messages never
match (their text is no longer anyone's to read). Results are newest first,
PAGE_SIZE to a page, at most MAX_PAGES pages, with no total count (counting
every match of a common word would cost more than the page).

How, on MySQL/MariaDB (docs/caseworker-tools.md, "Search at scale"). A
FULLTEXT index answers rare words fast, but a common word ("application",
"please") has a list of hundreds of thousands of messages that it reads in
full, and costs seconds. Reading the newest messages in date order and
checking each one answers common words fast, and rare ones never. So:

1. The newest messages of what the person may open (a window: see
   Scope.window_start) are checked word by word, newest first. Common words
   fill the page here, in a few milliseconds.
2. When they do not, the words found in fewer than RARE_BELOW of the SAMPLE
   newest messages of all are looked up in the FULLTEXT index (sql/migrations/
   20261203_saved_replies_and_notes.sql), and only those: a rare word's list
   is short. The other words are checked on the messages the index gives.
3. When every word is common and yet not in the window, the page holds what
   step 1 found and says that only the most recent messages were searched:
   reading further back would read a row per message, and the FULLTEXT lists
   of common words are as long; a date range moves the window back.

Either way the words are checked by the same pattern (`word_condition`), so
every path gives the same matches. The SQLite demo database has no FULLTEXT
index: there step 2 checks every message of the scope.

Nothing here reads notes (intake.notes): search covers messages only.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, F, Func, Lookup, Max, Q, QuerySet, TextField, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.access import cases_for_staff, require_staff
from casework.models import Application, Case, StaffProfile
from common.errors import InvalidInput
from intake.models import Conversation, Message
from intake.selectors import (
    applicant_messages,
    application_case_id,
    in_case_thread,
    in_conversation,
    messages_annotated,
)

MAX_WORDS = 10
MAX_LENGTH = 200
PAGE_SIZE = 25
MAX_PAGES = 20
# Step 1 reads at least this many of the newest messages in scope (more for
# deeper pages): for supervisors, that many messages; for a caseworker, the
# messages since their that-many most recently active conversations.
WINDOW_MESSAGES = 1000
WINDOW_CONVERSATIONS = 200
# Step 2 estimates how common a word is in this many of the newest messages.
SAMPLE = 1000
RARE_BELOW = 10
# InnoDB's FULLTEXT index holds words of 3 to 84 characters, except its
# default stopwords (INFORMATION_SCHEMA.INNODB_FT_DEFAULT_STOPWORD); a search
# for any other word goes by pattern only.
FULLTEXT_MIN_LENGTH = 3
FULLTEXT_MAX_LENGTH = 84
INNODB_STOPWORDS = frozenset(
    "a about an are as at be by com de en for from how i in is it la of on or that the this to was what when "
    "where who will with und www".split()
)

WORD = re.compile(r"\w+")
# The letters a word may carry an accent on, and every accented form the
# pattern accepts for them (case is ignored by the comparison itself).
ACCENTED = {
    "a": "aàâäáãåā",
    "c": "cç",
    "e": "eéèêëē",
    "i": "iîïíìī",
    "n": "nñ",
    "o": "oôöóòõō",
    "u": "uùûüúū",
    "y": "yÿý",
}
LIGATURES = {"oe": "(?:oe|œ)", "ae": "(?:ae|æ)"}


@dataclass
class Criteria:
    """What was asked: the words, and the optional limits."""

    words: list[str]
    date_from: date | None = None
    date_to: date | None = None
    direction: str | None = None


class Scope:
    """What a person may search: one or more querysets of messages (`parts`,
    each read through its own index and merged), and where step 1's window
    starts (`window_start`; a scope that does not override it is read whole:
    one conversation, one applicant's messages)."""

    def __init__(self, parts: list[QuerySet[Message]]) -> None:
        self.parts = parts

    def window_start(self, criteria: "Criteria", needed: int) -> datetime | None:
        """The time from which the scope's messages (a prefix of the scope in
        date order) are enough to hold `needed` matches of common words, or
        None: read the scope whole."""
        return None

    def parts_since(self, starts_at: datetime) -> list[QuerySet[Message]]:
        """The parts, from `starts_at` on (the window)."""
        return [part.filter(created_at__gte=starts_at) for part in self.parts]


class EveryMessage(Scope):
    """Supervisors and admins: every message. The window starts at the
    size-th newest message, read from ix_messages_created alone."""

    def __init__(self) -> None:
        super().__init__([Message.objects.all()])

    def window_start(self, criteria: "Criteria", needed: int) -> datetime | None:
        size = max(WINDOW_MESSAGES, 4 * needed)
        newest = _dated(Message.objects.all(), criteria).order_by("-created_at", "-id")
        return next(iter(newest.values_list("created_at", flat=True)[size - 1 : size]), None)


class CaseworkerCases(Scope):
    """A caseworker: the threads of the cases assigned to them. Two parts
    rather than one OR, so that each is read from the caseworker's cases
    through its own index: their cases' messages (ix_messages_case_created),
    and the few bound only to the application of one of their cases, written
    before the case existed.

    The window starts at the last activity of the caseworker's
    WINDOW_CONVERSATIONS-th most recently active conversation (the summary's
    ix_conversation_assigned_last): each of those conversations has a message
    since, and every message of the others is older. Finding the n-th newest
    message itself would sort all of the caseworker's messages; that is done
    only within a date range asked for."""

    def __init__(self, profile: StaffProfile) -> None:
        self.profile = profile
        mine = Case.objects.filter(assigned_staff_profile=profile)
        self.cases_messages = Message.objects.filter(case__in=mine.values("pk"))
        self.unbound = Message.objects.filter(application__in=mine.values("application_id"))
        # Read whole, "case_id IS NULL" is said as COALESCE(case_id, 0) = 0, so
        # that MariaDB reads the caseworker's applications' entries of
        # ix_messages_application_case_created, not every message bound only
        # to an application (those of applications without a case too).
        super().__init__(
            [
                self.cases_messages,
                self.unbound.alias(bound_case_id=Coalesce("case_id", Value(0))).filter(bound_case_id=0),
            ]
        )

    def parts_since(self, starts_at: datetime) -> list[QuerySet[Message]]:
        # In the window, the (case_id, created_at) key of "case_id IS NULL
        # AND created_at >= …" holds only the recent few.
        return [
            self.cases_messages.filter(created_at__gte=starts_at),
            self.unbound.filter(case__isnull=True, created_at__gte=starts_at),
        ]

    def window_start(self, criteria: "Criteria", needed: int) -> datetime | None:
        if criteria.date_from is not None or criteria.date_to is not None:
            # Within dates asked for, the newest conversations say nothing: the
            # window is the newest messages of those dates.
            size = max(WINDOW_MESSAGES, 4 * needed)
            newest = _dated(self.parts[0], criteria).order_by("-created_at", "-id")
            return next(iter(newest.values_list("created_at", flat=True)[size - 1 : size]), None)
        size = max(WINDOW_CONVERSATIONS, 4 * needed)
        conversations = Conversation.objects.filter(assigned_staff_profile=self.profile).order_by(
            "-last_message_at", "-application_id"
        )
        return next(iter(conversations.values_list("last_message_at", flat=True)[size - 1 : size]), None)


@dataclass
class Results:
    """One page of matches: the messages (with tracking_id and the rest of
    selectors.messages_annotated), newest first, and where the page stands."""

    messages: list[Message]
    number: int
    has_previous: bool
    has_next: bool
    # Only the most recent messages were searched (step 3).
    partial: bool = False
    # The last page there is: more matches exist than MAX_PAGES pages hold.
    capped: bool = False


# Words -----------------------------------------------------------------------------


def search_words(text: str) -> list[str]:
    """The words of a search, as the index splits them (letters and digits;
    "pay-stub" is two words), each once; InvalidInput past MAX_WORDS words or
    MAX_LENGTH characters."""
    if len(text) > MAX_LENGTH:
        raise InvalidInput(
            _("Search with at most %(max)d characters.") % {"max": MAX_LENGTH}, code="search_too_long", field="q"
        )
    words: list[str] = []
    seen = set()
    for word in WORD.findall(text):
        key = folded(word)
        if key not in seen:
            seen.add(key)
            words.append(word)
    if len(words) > MAX_WORDS:
        raise InvalidInput(
            _("Search with at most %(max)d words. Words joined by a hyphen or an apostrophe count separately.")
            % {"max": MAX_WORDS},
            code="search_too_many_words",
            field="q",
        )
    return words


def folded(word: str) -> str:
    """The word in lower case without its accents ("Reçu" -> "recu")."""
    decomposed = unicodedata.normalize("NFKD", word.casefold().replace("œ", "oe").replace("æ", "ae"))
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def word_pattern(word: str) -> str:
    """A regular expression for "a word that begins with `word`", whatever its
    accents: "recu" -> (?<!\\w)r[eéèêëē][cç][uùûüúū]. The same syntax for
    MariaDB's PCRE, MySQL's ICU and Python's re (SQLite)."""
    letters = folded(word)
    parts = []
    position = 0
    while position < len(letters):
        pair = letters[position : position + 2]
        if pair in LIGATURES:
            parts.append(LIGATURES[pair])
            position += 2
            continue
        letter = letters[position]
        parts.append(f"[{ACCENTED[letter]}]" if letter in ACCENTED else re.escape(letter))
        position += 1
    return r"(?<!\w)" + "".join(parts)


def word_condition(word: str) -> Q:
    pattern = word_pattern(word)
    return Q(subject__iregex=pattern) | Q(body__iregex=pattern)


def indexed(word: str) -> bool:
    """Whether InnoDB's FULLTEXT index holds the word (see FULLTEXT_MIN_LENGTH)."""
    key = folded(word)
    return FULLTEXT_MIN_LENGTH <= len(key) <= FULLTEXT_MAX_LENGTH and key not in INNODB_STOPWORDS


class FullTextColumns(Func):
    """`messages`.`subject`, `messages`.`body`: the FULLTEXT index's columns."""

    template = "%(expressions)s"
    arg_joiner = ", "
    output_field = TextField()

    def __init__(self) -> None:
        super().__init__(F("subject"), F("body"))


class FullTextMatch(Lookup):
    """MATCH (subject, body) AGAINST (<query> IN BOOLEAN MODE). A Lookup, so
    that the WHERE clause holds the MATCH itself, which the optimizer answers
    from the index (a boolean expression would be compared with TRUE)."""

    lookup_name = "fulltext_match"

    def as_sql(self, compiler, connection):
        columns, column_params = self.process_lhs(compiler, connection)
        query, query_params = self.process_rhs(compiler, connection)
        return f"MATCH ({columns}) AGAINST ({query} IN BOOLEAN MODE)", [*column_params, *query_params]


def fulltext_query(words: list[str]) -> str:
    """InnoDB boolean mode: every word required, as the beginning of a word."""
    return " ".join(f"+{folded(word)}*" for word in words)


# Scopes --------------------------------------------------------------------------


def staff_scope(user: Any, reference: str = "", case: Case | None = None) -> Scope:
    """What a staff member searches (casework.access's rule): supervisors and
    admins every message; a caseworker the threads of the cases assigned to
    them. With a `case` (fetched through the staff access rule), only its
    thread; with a booking `reference`, only the conversation that has it,
    when they may open it, and nothing otherwise."""
    profile = require_staff(user)
    if case is not None:
        return Scope([Message.objects.filter(in_case_thread(case))])
    if reference:
        case = cases_for_staff(user).filter(application__submission__reference_number=reference).first()
        if case is not None:
            return Scope([Message.objects.filter(in_case_thread(case))])
        if profile.sees_every_case:
            application = Application.objects.filter(
                submission__reference_number=reference, case__isnull=True
            ).first()
            if application is not None:
                return Scope([Message.objects.filter(in_conversation(application.pk, None))])
        return Scope([])
    if profile.sees_every_case:
        return EveryMessage()
    return CaseworkerCases(profile)


def applicant_scope(user: Any, application: Application | None = None) -> Scope:
    """An applicant's own messages (selectors.applicant_messages: those they
    sent or received, in threads of their own submissions), optionally those
    about one of their applications (fetched through the applicant access rule)."""
    messages = applicant_messages(user)
    if application is not None:
        messages = messages.filter(in_conversation(application.pk, application_case_id(application)))
    return Scope([messages])


# Searching -------------------------------------------------------------------------


def messages_search(scope: Scope, criteria: Criteria, page: int = 1) -> Results:
    """Page `page` of the messages of `scope` that match `criteria`, newest first."""
    number = min(max(page, 1), MAX_PAGES)
    offset = (number - 1) * PAGE_SIZE
    needed = offset + PAGE_SIZE + 1
    found, complete = _matches(scope, criteria, needed)
    page_ids = [pk for _at, pk in found[offset : offset + PAGE_SIZE]]
    more = len(found) > offset + PAGE_SIZE
    shown = {message.pk: message for message in messages_annotated().filter(pk__in=page_ids)} if page_ids else {}
    return Results(
        messages=[shown[pk] for pk in page_ids if pk in shown],
        number=number,
        has_previous=number > 1,
        has_next=more and number < MAX_PAGES,
        partial=not complete,
        capped=more and number == MAX_PAGES,
    )


def _matches(scope: Scope, criteria: Criteria, needed: int) -> tuple[list[tuple[datetime, int]], bool]:
    """Up to `needed` matches, newest first, as (created_at, id), and whether
    they are all there are (False: step 3, the window only)."""
    matching = [_matching(part, criteria) for part in scope.parts]
    if not matching:
        return [], True
    # Step 1: the newest messages, in date order, checked one by one.
    starts_at = scope.window_start(criteria, needed)
    if starts_at is None:
        return _newest(matching, needed), True
    rows = _newest([_matching(part, criteria) for part in scope.parts_since(starts_at)], needed)
    if len(rows) >= needed:
        return rows, True
    # Step 2: the FULLTEXT index, for the rare words.
    if connection.vendor != "mysql":
        # The SQLite demo database has no index: it checks every message.
        return _newest(matching, needed), True
    rare = rare_words(criteria.words)
    if not rare:
        # Step 3: common words that the window lacks.
        return rows, False
    match = FullTextMatch(FullTextColumns(), fulltext_query(rare))
    return _newest([part.filter(match) for part in matching], needed), True


def _matching(messages: QuerySet[Message], criteria: Criteria) -> QuerySet[Message]:
    matching = _dated(messages, criteria).filter(*[word_condition(word) for word in criteria.words], deleted=False)
    if criteria.direction:
        matching = matching.filter(direction=criteria.direction)
    return matching


def _newest(parts: list[QuerySet[Message]], needed: int) -> list[tuple[datetime, int]]:
    """The `needed` newest (created_at, id) of the parts together: each read
    newest first with LIMIT, then merged."""
    rows = [row for part in parts for row in part.order_by("-created_at", "-id").values_list("created_at", "id")[:needed]]
    return sorted(rows, reverse=True)[:needed]


def _dated(messages: QuerySet[Message], criteria: Criteria) -> QuerySet[Message]:
    """Messages sent from the start of `date_from` to the end of `date_to`, in the site's time zone."""
    if criteria.date_from:
        messages = messages.filter(created_at__gte=_day_start(criteria.date_from))
    if criteria.date_to:
        messages = messages.filter(created_at__lt=_day_start(criteria.date_to + timedelta(days=1)))
    return messages


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def rare_words(words: list[str]) -> list[str]:
    """The indexed words found in fewer than RARE_BELOW of the SAMPLE newest
    messages: those whose FULLTEXT lists are short enough to read. Two
    queries: the newest id, then one pass over SAMPLE rows by primary key."""
    candidates = [word for word in words if indexed(word)]
    if not candidates:
        return []
    newest = Message.objects.aggregate(newest=Max("id"))["newest"] or 0
    sample = Message.objects.filter(id__gt=newest - SAMPLE)
    counts = sample.aggregate(
        **{f"word_{position}": Count("pk", filter=word_condition(word)) for position, word in enumerate(candidates)}
    )
    return [word for position, word in enumerate(candidates) if counts[f"word_{position}"] < RARE_BELOW]


# Rows ---------------------------------------------------------------------------------


def staff_row(message: Any) -> dict[str, Any]:
    """A staff search result: never the body (invariant 7). Opening it goes to
    the message on its case's page, or, for a message of an application with
    no case yet, to that application's page (supervisors and admins)."""
    if message.conversation_case_id is not None:
        url = reverse("dashboard:message_detail", args=[message.conversation_case_id, message.pk]) + "#message"
    else:
        url = reverse("dashboard:application_detail", args=[message.conversation_id])
    return {**_row(message), "url": url}


def applicant_row(message: Any) -> dict[str, Any]:
    """An applicant's search result: it opens MessageDetails."""
    mine = message.from_applicant
    return {
        **_row(message),
        "direction_label": _("Sent by you") if mine else _("From the ISET case team"),
        "url": reverse("portal:message_detail", args=[message.pk]),
    }


def _row(message: Any) -> dict[str, Any]:
    applicant = message.sender if message.from_applicant else message.recipient
    return {
        "id": message.pk,
        "subject": message.subject,
        "tracking_id": message.tracking_id,
        "applicant": applicant,
        "created_at": message.created_at,
        "direction": message.direction,
        "direction_label": message.get_direction_display(),
    }
