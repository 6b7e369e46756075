"""Writing saved replies (issue 13): create, edit, delete, each one
transaction with its audit event. The event names the reply and what
changed, never its title or text."""

from dataclasses import dataclass, fields

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import StaffProfile, User
from common.errors import InvalidInput, PermissionRefused
from intake.models import MessageEvent, SavedReply
from intake.saved_replies import BODY_MAX, SUBJECT_MAX, TITLE_MAX, may_manage, placeholders_check
from intake.services.events import event_record
from intake.validators import text_characters_validate


@dataclass(frozen=True)
class SavedReplyText:
    """What a saved reply says: a title to choose it by, and both languages."""

    title: str
    subject_en: str
    body_en: str
    subject_fr: str
    body_fr: str


def saved_reply_create(*, actor: User, text: SavedReplyText, team: bool) -> SavedReply:
    """A new personal reply of `actor`, or a team reply (supervisors and admins only)."""
    profile = _staff(actor)
    if team and not profile.sees_every_case:
        raise PermissionRefused(_("Only supervisors and administrators manage the team's replies."), code="not_supervisor")
    text = _checked(text)
    now = timezone.now()
    with transaction.atomic():
        reply = SavedReply.objects.create(
            owner_user=None if team else actor,
            created_by_user=actor,
            updated_by_user=actor,
            created_at=now,
            updated_at=now,
            **_as_fields(text),
        )
        event_record(
            event_type=MessageEvent.Type.SAVED_REPLY_CREATED,
            actor=actor,
            detail={"saved_reply_id": reply.pk, "team": team},
        )
    return reply


def saved_reply_update(*, actor: User, reply: SavedReply, text: SavedReplyText) -> list[str]:
    """Change a reply `actor` may manage; returns the names of the fields that
    changed (nothing recorded when none did)."""
    _manage_check(actor, reply)
    text = _checked(text)
    changed = [name for name, value in _as_fields(text).items() if getattr(reply, name) != value]
    if not changed:
        return []
    with transaction.atomic():
        for name in changed:
            setattr(reply, name, getattr(text, name))
        reply.updated_by_user = actor
        reply.updated_at = timezone.now()
        reply.save(update_fields=[*changed, "updated_by_user", "updated_at"])
        event_record(
            event_type=MessageEvent.Type.SAVED_REPLY_EDITED,
            actor=actor,
            detail={"saved_reply_id": reply.pk, "team": reply.is_team, "changed": changed},
        )
    return changed


def saved_reply_delete(*, actor: User, reply: SavedReply) -> None:
    _manage_check(actor, reply)
    with transaction.atomic():
        deleted, _counts = SavedReply.objects.filter(pk=reply.pk).delete()
        if deleted:
            event_record(
                event_type=MessageEvent.Type.SAVED_REPLY_DELETED,
                actor=actor,
                detail={"saved_reply_id": reply.pk, "team": reply.is_team},
            )


def _staff(actor: User) -> StaffProfile:
    profile = actor.active_staff_profile
    if profile is None:
        raise PermissionRefused(_("Only the case team can do this."), code="not_staff")
    return profile


def _manage_check(actor: User, reply: SavedReply) -> None:
    _staff(actor)
    if not may_manage(actor, reply):
        raise PermissionRefused(_("You may not change this saved reply."), code="not_manager")


def _as_fields(text: SavedReplyText) -> dict[str, str]:
    return {field.name: getattr(text, field.name) for field in fields(text)}


def _checked(text: SavedReplyText) -> SavedReplyText:
    """The text trimmed, or InvalidInput naming the field at fault: a missing
    title or body, too long, a character that cannot be stored, an unknown placeholder."""
    values = {name: (value or "").strip() for name, value in _as_fields(text).items()}
    required = {
        "title": _("Enter a title."),
        "body_en": _("Enter the English message."),
        "body_fr": _("Enter the French message."),
    }
    for name, message in required.items():
        if not values[name]:
            raise InvalidInput(message, code="required", field=name)
    limits = {"title": TITLE_MAX, "subject_en": SUBJECT_MAX, "subject_fr": SUBJECT_MAX, "body_en": BODY_MAX, "body_fr": BODY_MAX}
    for name, limit in limits.items():
        if len(values[name]) > limit:
            raise InvalidInput(
                _("This can be at most %(max)d characters.") % {"max": limit}, code="too_long", field=name
            )
        try:
            text_characters_validate(values[name])
        except ValidationError as error:
            raise InvalidInput(error.messages[0], code="invalid_characters", field=name) from None
    for name in ("subject_en", "body_en", "subject_fr", "body_fr"):
        placeholders_check(values[name], field=name)
    return SavedReplyText(**values)
