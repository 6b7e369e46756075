"""The caseworker work queue (issue 12): views over the conversations a staff
member may open, read from the conversation summary (intake.models.Conversation)
through its indexes, never by recomputing a thread.

Views:
- awaiting: the applicant is waiting for an answer (awaiting_reply_since set),
  oldest wait first;
- mine: assigned to me;
- unassigned: no caseworker yet. Supervisors and admins see them all, with
  the applications that have messages but no case; a caseworker sees the
  unassigned cases (to claim one) when STAFF_CAN_CLAIM_CASES is on;
- urgent: cases staff marked urgent;
- all: every conversation the staff member may open (supervisors and admins:
  all of them; a caseworker: their own, the same rows as "mine").

A caseworker's queue is always limited to the conversations assigned to them
(casework.access's rule, said of the summary's own column), except the
unassigned view, whose rows they may claim but not open.

Pages are read ids first: the page's ids come from the index alone
(LIMIT/OFFSET over the index, joining nothing), then the rows of those ids
with their joins, so a deep page costs an index walk, not a join per skipped row.
"""

from datetime import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.access import require_staff
from casework.models import Application, StaffProfile, Submission, User
from common.errors import InvalidInput, NotFound
from intake.business_days import business_days_between, overdue_threshold
from intake.models import Conversation
from intake.notes import mention_marker
from intake.presenters import application_label, shown_subject
from intake.selectors import IdsFirst, RowsInParts

QUEUE_VIEWS = ("awaiting", "mine", "unassigned", "urgent", "all")
# Orders of every view but "awaiting", which is always the longest wait first.
QUEUE_SORTS = ("waiting", "activity")
QUEUE_PAGE_SIZE = 25
SEARCH_MAX_WORDS = 10
SEARCH_MAX_LENGTH = 200

NEWEST_FIRST = (F("last_message_at").desc(), F("application_id").desc())
LONGEST_WAIT_FIRST = (F("awaiting_reply_since").asc(), F("application_id").asc())


def claiming_allowed() -> bool:
    return bool(getattr(settings, "STAFF_CAN_CLAIM_CASES", True))


def queue_views_for(profile: StaffProfile) -> list[str]:
    """The views this staff member's queue offers, in the navigation's order."""
    if profile.sees_every_case:
        return list(QUEUE_VIEWS)
    views = ["awaiting", "mine", "urgent"]
    if claiming_allowed():
        views.insert(2, "unassigned")
    return views


def search_words(search: str) -> list[str]:
    """The words of a queue search; refused, with the reason, past
    SEARCH_MAX_WORDS words or SEARCH_MAX_LENGTH characters."""
    words = search.split()
    if len(words) > SEARCH_MAX_WORDS:
        raise InvalidInput(
            _("Search with at most %(max)d words: a booking reference, a name or an e-mail address.")
            % {"max": SEARCH_MAX_WORDS},
            code="search_too_many_words",
            field="q",
        )
    if len(search) > SEARCH_MAX_LENGTH:
        raise InvalidInput(
            _("Search with at most %(max)d characters.") % {"max": SEARCH_MAX_LENGTH}, code="search_too_long", field="q"
        )
    return words


def _scope(profile: StaffProfile, view: str) -> QuerySet[Conversation]:
    """The summary rows of one view before any search or order."""
    conversations = Conversation.objects.all()
    if view == "unassigned":
        unassigned = conversations.filter(assigned_staff_profile__isnull=True)
        # A caseworker claims cases; an application without one waits for a supervisor.
        return unassigned if profile.sees_every_case else unassigned.filter(case__isnull=False)
    if view == "mine" or not profile.sees_every_case:
        conversations = conversations.filter(assigned_staff_profile=profile)
    if view == "awaiting":
        return conversations.filter(awaiting_reply_since__isnull=False)
    if view == "urgent":
        return conversations.filter(case__urgent=True)
    return conversations


def queue_rows(user: Any, view: str, *, search: str = "", sort: str = "waiting") -> "RowsInParts[Conversation]":
    """The rows of one view of the staff member's queue, in order, ready for a
    Paginator: each conversation with its application, submission, applicant,
    case, caseworker and latest message, and `program` (from the intake
    payload). An unknown view, or one this staff member does not get, is NotFound."""
    profile = require_staff(user)
    if view not in queue_views_for(profile) and not (view == "all" and not profile.sees_every_case):
        raise NotFound()
    conversations = _scope(profile, view)
    for word in search_words(search):
        conversations = conversations.filter(_word_matches(word))
    if view == "awaiting":
        parts = [conversations.order_by(*LONGEST_WAIT_FIRST)]
    elif sort == "activity":
        parts = [conversations.order_by(*NEWEST_FIRST)]
    else:
        parts = [
            conversations.filter(awaiting_reply_since__isnull=False).order_by(*LONGEST_WAIT_FIRST),
            conversations.filter(awaiting_reply_since__isnull=True).order_by(*NEWEST_FIRST),
        ]
    details = partial(_with_row_details, mentioned_for=profile.user_id)
    # The urgent cases are found through their own index and sorted, not read
    # in order from a summary index: that sort takes narrow rows (ids first)
    # on every page, instead of rows carrying a message and an intake payload
    # (14 ms for a supervisor's first page at 1,000,000 messages).
    ids_first_from = 0 if view == "urgent" else None
    return RowsInParts(conversations, [IdsFirst(part, details, ids_first_from) for part in parts])


# Above this many people or applications matching one word, the word is
# matched in the join instead (slower, but the id lists stay small).
MATCHES_AS_IDS_MAX = 2000


def _word_matches(word: str) -> Q:
    """Conversations whose booking reference, applicant name or e-mail holds
    `word`. The people and the applications that match are looked up first,
    each table on its own, so the conversation queries (count, ids, rows)
    filter on id lists instead of repeating a substring search over a
    four-table join (measured at 1,000,000 messages: bench/scale_benchmark.py)."""
    people = list(
        User.objects.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word))
        .values_list("pk", flat=True)[: MATCHES_AS_IDS_MAX + 1]
    )
    # The booking references are scanned in their own index first (a join
    # from the applications checks every application's submission: 18 ms
    # against 4.5 ms at 25,000); most name searches match none and ask no more.
    submissions = list(
        Submission.objects.filter(reference_number__icontains=word).values_list("pk", flat=True)[
            : MATCHES_AS_IDS_MAX + 1
        ]
    )
    if len(people) > MATCHES_AS_IDS_MAX or len(submissions) > MATCHES_AS_IDS_MAX:
        return (
            Q(application__submission__reference_number__icontains=word)
            | Q(applicant_user__first_name__icontains=word)
            | Q(applicant_user__last_name__icontains=word)
            | Q(applicant_user__email__icontains=word)
        )
    applications = (
        list(Application.objects.filter(submission_id__in=submissions).values_list("pk", flat=True))
        if submissions
        else []
    )
    return Q(applicant_user_id__in=people) | Q(application_id__in=applications)


def _with_row_details(conversations: QuerySet[Conversation], mentioned_for: int | None = None) -> QuerySet[Conversation]:
    rows = conversations.select_related(
        "application__submission", "applicant_user", "case", "assigned_staff_profile", "last_message"
    ).annotate(program=KeyTextTransform("program", "application__submission__intake_payload"))
    if mentioned_for is None:
        return rows
    # `mentioned`: a note on the case mentions this staff member, who has not opened the case since (issue 13).
    return rows.annotate(mentioned=mention_marker(mentioned_for))


def queue_counts(user: Any, *, now: datetime | None = None) -> dict[str, int]:
    """How many rows each of the staff member's views holds, and `overdue`:
    how many conversations they may open wait past the response target. Two
    queries for a supervisor (one pass over a covering index, and the urgent
    cases through theirs), three for a caseworker."""
    profile = require_staff(user)
    threshold = overdue_threshold(now or timezone.now())
    views = queue_views_for(profile)
    if profile.sees_every_case:
        scope = Conversation.objects.all()
        extra = {
            "mine": Count("pk", filter=Q(assigned_staff_profile=profile)),
            "unassigned": Count("pk", filter=Q(assigned_staff_profile__isnull=True)),
        }
    else:
        scope = Conversation.objects.filter(assigned_staff_profile=profile)
        extra = {}
    counts = scope.aggregate(
        all=Count("pk"),
        awaiting=Count("awaiting_reply_since"),
        overdue=Count("pk", filter=Q(awaiting_reply_since__lt=threshold)),
        **extra,
    )
    if not profile.sees_every_case:
        counts["mine"] = counts["all"]
        if "unassigned" in views:
            counts["unassigned"] = _scope(profile, "unassigned").count()
    counts["urgent"] = _scope(profile, "urgent").count()
    return {name: counts.get(name) or 0 for name in [*views, "all", "overdue"]}


def queue_row(conversation: Conversation, *, profile: StaffProfile, now: datetime, threshold: datetime) -> dict[str, Any]:
    """One row of the queue as plain data, for the page and the JSON API.

    `url` opens the conversation: its case page, or, for an application with
    no case yet, the application's page (supervisors and admins). A
    caseworker's unassigned row has no url (they may not open it before
    claiming it) but a `claim_url`."""
    submission = conversation.application.submission
    case = conversation.case
    assignee = conversation.assigned_staff_profile
    waiting_since = conversation.awaiting_reply_since
    url = claim_url = None
    if case is None:
        if profile.sees_every_case:
            url = reverse("dashboard:application_detail", args=[conversation.application_id])
    elif profile.sees_every_case or conversation.assigned_staff_profile_id == profile.pk:
        url = reverse("dashboard:case_detail", args=[case.pk])
    elif assignee is None and claiming_allowed():
        claim_url = reverse("dashboard:case_claim", args=[case.pk])
    last = conversation.last_message
    return {
        "application_id": conversation.application_id,
        "case_id": conversation.case_id,
        "tracking_id": submission.reference_number,
        "applicant": {"user_id": conversation.applicant_user_id, "name": str(conversation.applicant_user)},
        "application_label": application_label(getattr(conversation, "program", None)),
        "assigned_to": {"staff_profile_id": assignee.pk, "name": assignee.display_name} if assignee else None,
        "urgent": bool(case and case.urgent),
        "message_count": conversation.message_count,
        "unread_count": conversation.unread_by_staff,
        "subject": shown_subject(last) if last is not None else None,
        "last_message_at": conversation.last_message_at,
        "awaiting_reply_since": waiting_since,
        "waiting_business_days": business_days_between(waiting_since, now) if waiting_since else None,
        "overdue": bool(waiting_since and waiting_since < threshold),
        "url": url,
        "claim_url": claim_url,
        "mentioned": bool(getattr(conversation, "mentioned", False)),
    }
