"""Drafts: what someone is writing in a conversation, kept server-side until
they send or discard it (issue 16). One per person and conversation; only its
author reads it. The caller reached the application through its access rule."""

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from casework.models import Application, User
from intake.models import MessageDraft
from intake.validators import BODY_MAX, SUBJECT_MAX


def _drafts(user: User, application_id: int | None) -> QuerySet[MessageDraft]:
    """The user's draft of a conversation (application_id None: a new message without one)."""
    if application_id is None:
        return MessageDraft.objects.filter(user=user, application__isnull=True)
    return MessageDraft.objects.filter(user=user, application_id=application_id)


def draft_of(user: User, application_id: int | None) -> MessageDraft | None:
    return _drafts(user, application_id).first()


def draft_save(*, user: User, application_id: int | None, subject: str, body: str) -> MessageDraft | None:
    """Keep what was typed (cut to the fields' limits); nothing typed removes
    the draft. Returns the draft, or None when there is nothing to keep."""
    subject, body = (subject or "")[:SUBJECT_MAX], (body or "")[:BODY_MAX]
    if not subject.strip() and not body.strip():
        draft_discard(user=user, application_id=application_id)
        return None
    now = timezone.now()
    if not _drafts(user, application_id).update(subject=subject, body=body, updated_at=now):
        try:
            with transaction.atomic():
                MessageDraft.objects.create(
                    user=user, application_id=application_id, subject=subject, body=body, updated_at=now
                )
        except IntegrityError:  # saved at the same moment by another tab: this one's text wins
            _drafts(user, application_id).update(subject=subject, body=body, updated_at=now)
    return draft_of(user, application_id)


def draft_discard(*, user: User, application_id: int | None) -> None:
    _drafts(user, application_id).delete()


def drafts_sent(*, user: User, application: Application) -> None:
    """A message was sent in this conversation: its draft goes, and a new
    message's draft that had no application chosen yet."""
    MessageDraft.objects.filter(user=user).filter(
        Q(application_id=application.pk) | Q(application__isnull=True)
    ).delete()
