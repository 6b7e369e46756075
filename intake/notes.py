"""Internal notes (issue 13): the staff selectors, and the only reader of
`case_note`, `case_note_revision` and `note_mention`.

A note is for staff only. No applicant page, applicant API response, e-mail,
export or audit event may carry its text, so nothing on those paths imports
this module: every read of a note starts from a case the staff member may
open (casework.access.case_for_staff), and anyone who may open the case sees
all its notes (supervisors and admins: every case's).

Mentions mark a case in the mentioned person's work queue until they open it
(`mention_marker`, read by intake.queue); the e-mail a mention sends says only
that there is a note, and on which case (intake.services.notes).
"""

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from casework.models import Case, StaffProfile
from common.errors import NotFound
from common.ids import id_or_404
from intake.models import CaseNote, CaseNoteRevision, NoteMention

# How long after writing a note its author may still change it.
EDIT_WINDOW = timedelta(minutes=15)
NOTE_MAX = 5_000


def case_notes(case: Case) -> list[CaseNote]:
    """The notes of a case (fetched through the staff access rule), oldest
    first, each with its author, the message it is about (if any), how many
    earlier texts it has (`revision_count`) and whom it mentions. One query,
    and one more for the mentions when there are notes."""
    return list(
        CaseNote.objects.filter(case=case)
        .select_related("author_user__staff_profile", "about_message")
        .annotate(revision_count=Count("revisions"))
        .prefetch_related(
            Prefetch(
                "mentions",
                queryset=NoteMention.objects.select_related("mentioned_user__staff_profile").order_by("id"),
            )
        )
        .order_by("created_at", "id")
    )


def case_note(case: Case, note_id: object) -> CaseNote:
    """One note of the case; NotFound for a note of any other case."""
    return get_object_or_404(
        CaseNote.objects.filter(case=case).select_related("author_user__staff_profile", "about_message"),
        pk=id_or_404(note_id),
    )


def own_note(user: Any, case: Case, note_id: object) -> CaseNote:
    """A note of the case written by `user`: the only notes one may edit.
    Anyone else's is NotFound here (they may read it on the case page)."""
    note = case_note(case, note_id)
    if note.author_user_id != user.pk:
        raise NotFound()
    return note


def is_editable(note: CaseNote, now: datetime) -> bool:
    """Its author may change a note until EDIT_WINDOW after writing it."""
    return now < note.created_at + EDIT_WINDOW


def editable_until(note: CaseNote) -> datetime:
    return note.created_at + EDIT_WINDOW


def note_versions(note: CaseNote) -> list[dict[str, Any]]:
    """Every text the note has had, oldest first: each `body` with when it was
    written (`written_at`) and, for all but the current one, `replaced_at`."""
    revisions = list(CaseNoteRevision.objects.filter(note=note).order_by("written_at", "id"))
    versions = [{"body": r.body, "written_at": r.written_at, "replaced_at": r.replaced_at} for r in revisions]
    versions.append({"body": note.body, "written_at": note.edited_at or note.created_at, "replaced_at": None})
    return versions


def mention_candidates(case: Case, author: Any) -> QuerySet[StaffProfile]:
    """Whom a note on `case` may mention: its caseworker and the supervisors,
    active and able to sign in, except the author; by name."""
    team = Q(primary_role=StaffProfile.Role.SUPERVISOR)
    if case.assigned_staff_profile_id is not None:
        team |= Q(pk=case.assigned_staff_profile_id)
    return (
        StaffProfile.objects.filter(team, status=StaffProfile.Status.ACTIVE, user__is_active=True)
        .exclude(user_id=author.pk)
        .select_related("user")
        .order_by("display_name", "id")
    )


def unseen_mention_of(notes: list[CaseNote], user: Any) -> bool:
    """Whether the notes (as case_notes reads them) mention `user` in a way
    they have not seen yet: no query, from the prefetched mentions."""
    return any(
        mention.mentioned_user_id == user.pk and mention.seen_at is None for note in notes for mention in note.mentions.all()
    )


def mention_marker(user_id: int, case_field: str = "case_id") -> Exists:
    """For a queryset of rows that name a case in `case_field`: whether the
    case has a note mentioning `user_id` that they have not seen yet (read
    through note_mention's (mentioned_user_id, case_id, seen_at) key)."""
    return Exists(
        NoteMention.objects.filter(mentioned_user_id=user_id, case_id=OuterRef(case_field), seen_at__isnull=True)
    )

