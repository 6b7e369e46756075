"""Writing internal notes (issue 13): add, edit within the author's window,
mentions and their e-mail.

Each write is one transaction with its audit event, which names the note,
the message it is about and whom it mentions, never its text. A mention's
e-mail is queued in the same transaction (common.tasks.enqueue_in) and says
only that there is a note on a case, with a link to sign in: never the note,
its author's words or the applicant's name (invariant 7).
"""

import logging
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from casework.models import Case, StaffProfile, User
from common.errors import Conflict, InvalidInput, PermissionRefused
from common.tasks import enqueue_in, retry_delay
from intake.models import CaseNote, CaseNoteRevision, Message, MessageEvent, NoteMention
from intake.notes import NOTE_MAX, is_editable, mention_candidates
from intake.selectors import is_in_case_thread
from intake.services.events import event_record
from intake.validators import text_characters_validate

logger = logging.getLogger(__name__)


def note_add(
    *,
    author: User,
    case: Case,
    body: str,
    about_message: Message | None = None,
    mentioned: Iterable[StaffProfile] = (),
) -> CaseNote:
    """A note on `case` (fetched through the staff access rule), optionally
    about one message of its thread, mentioning colleagues among
    notes.mention_candidates (anyone else is refused)."""
    _staff_check(author)
    body = _body_checked(body)
    if about_message is not None and not is_in_case_thread(about_message, case):
        raise InvalidInput(_("A note can only be about a message of this case."), code="not_in_thread")
    allowed = {profile.pk: profile for profile in mention_candidates(case, author)}
    profiles = list({profile.pk: profile for profile in mentioned}.values())
    for profile in profiles:
        if profile.pk not in allowed:
            raise InvalidInput(
                _("You can mention the case's caseworker and the supervisors only."),
                code="mention_not_allowed",
                field="mentions",
            )
    with transaction.atomic():
        note = CaseNote.objects.create(case=case, author_user=author, about_message=about_message, body=body)
        mentions = [
            NoteMention.objects.create(note=note, case=case, mentioned_user_id=allowed[profile.pk].user_id)
            for profile in profiles
        ]
        event_record(
            event_type=MessageEvent.Type.NOTE_ADDED,
            case_id=case.pk,
            actor=author,
            detail={
                "note_id": note.pk,
                "about_message_id": about_message.pk if about_message else None,
                "mentioned_user_ids": [mention.mentioned_user_id for mention in mentions],
            },
        )
        if mentions:
            enqueue_in(note_mentions_notify, [mention.pk for mention in mentions])
    return note


def note_edit(*, author: User, note: CaseNote, body: str, now: datetime | None = None) -> bool:
    """The author changes their note within notes.EDIT_WINDOW of writing it;
    the text it replaces is kept (case_note_revision). Returns whether the
    text changed (an unchanged text records nothing)."""
    _staff_check(author)
    if note.author_user_id != author.pk:
        raise PermissionRefused(_("Only the author of a note can change it."), code="not_author")
    now = now or timezone.now()
    if not is_editable(note, now):
        raise Conflict(
            _("A note can be changed for 15 minutes after it is written. Write a new note instead."),
            code="edit_window_closed",
        )
    body = _body_checked(body)
    with transaction.atomic():
        # Locked, so that two edits at once each keep the text they replace.
        current = CaseNote.objects.select_for_update().get(pk=note.pk)
        if current.body == body:
            return False
        revision = CaseNoteRevision.objects.create(
            note=current, body=current.body, written_at=current.edited_at or current.created_at, replaced_at=now
        )
        CaseNote.objects.filter(pk=note.pk).update(body=body, edited_at=now)
        event_record(
            event_type=MessageEvent.Type.NOTE_EDITED,
            case_id=note.case_id,
            actor=author,
            detail={"note_id": note.pk, "revision_id": revision.pk},
        )
    note.body, note.edited_at = body, now
    return True


def mentions_mark_seen(*, user: User, case: Case) -> int:
    """The mentions of `user` in the notes of `case` are seen (they opened the
    case): the mark leaves their work queue. Returns how many."""
    return NoteMention.objects.filter(mentioned_user=user, case=case, seen_at__isnull=True).update(
        seen_at=timezone.now()
    )


# The e-mail of a mention ---------------------------------------------------------


@task()
def note_mentions_notify(mention_ids: list[int]) -> dict[str, int]:
    """E-mail each mentioned colleague among `mention_ids` not e-mailed yet.
    Idempotent: a mention is claimed by one conditional UPDATE before its
    e-mail goes, so a second run (or a second worker) sends nothing twice. A
    failed send gives the claim back and tries again later, with a growing
    delay, up to NOTICE_MAX_ATTEMPTS times."""
    counts = {"sent": 0, "skipped": 0, "retrying": 0, "failed": 0}
    for mention_id in sorted(set(mention_ids)):
        if not _claim(mention_id):
            counts["skipped"] += 1
            continue
        mention = NoteMention.objects.select_related("mentioned_user", "case__application__submission").get(
            pk=mention_id
        )
        recipient = mention.mentioned_user
        if not recipient.is_active:
            counts["skipped"] += 1
            continue
        try:
            mention_email(mention).send()
        except Exception as exc:
            _give_back(mention, exc, counts)
        else:
            counts["sent"] += 1
    return counts


def mention_email(mention: NoteMention) -> EmailMultiAlternatives:
    """The e-mail of a mention, in the recipient's language: the booking
    reference of the case and a sign-in link to it, nothing from the note."""
    recipient = mention.mentioned_user
    path = reverse("dashboard:case_detail", args=[mention.case_id])
    context = {
        "recipient": recipient,
        "tracking_id": mention.case.application.submission.reference_number,
        "sign_in_url": settings.SITE_URL.rstrip("/") + reverse("login") + "?next=" + path,
    }
    with translation.override(recipient.preferred_language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("emails/note_mention_subject.txt", context).split())
        text = render_to_string("emails/note_mention.txt", context)
        html = render_to_string("emails/note_mention.html", context)
    email = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [recipient.email])
    email.attach_alternative(html, "text/html")
    return email


def _claim(mention_id: int) -> bool:
    return bool(
        NoteMention.objects.filter(pk=mention_id, notified_at__isnull=True).update(
            notified_at=timezone.now(), notice_attempts=F("notice_attempts") + 1
        )
    )


def _give_back(mention: NoteMention, exc: BaseException, counts: dict[str, int]) -> None:
    """The send failed: the mention is e-mailed later, or never after
    NOTICE_MAX_ATTEMPTS tries. The log names the failure's kind only."""
    logger.warning("The e-mail of mention %s could not be sent: %s", mention.pk, type(exc).__name__)
    attempts = NoteMention.objects.values_list("notice_attempts", flat=True).get(pk=mention.pk)
    if attempts >= settings.NOTICE_MAX_ATTEMPTS:
        counts["failed"] += 1
        return
    with transaction.atomic():
        NoteMention.objects.filter(pk=mention.pk).update(notified_at=None)
        enqueue_in(note_mentions_notify, [mention.pk], run_after=timezone.now() + retry_delay(attempts))
    counts["retrying"] += 1


def _staff_check(user: User) -> None:
    if user.active_staff_profile is None:
        raise PermissionRefused(_("Only the case team can do this."), code="not_staff")


def _body_checked(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise InvalidInput(_("Write the note."), code="required", field="body")
    if len(body) > NOTE_MAX:
        raise InvalidInput(
            _("A note can be at most %(max)d characters.") % {"max": NOTE_MAX}, code="too_long", field="body"
        )
    try:
        text_characters_validate(body)
    except ValidationError as error:
        raise InvalidInput(error.messages[0], code="invalid_characters", field="body") from None
    return body
