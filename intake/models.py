"""Secure messages, their attachments and the audit trail, over the shared schema.

Unmanaged models mirroring sql/migrations/ column for column; the database's
foreign keys decide what a delete does (hence DO_NOTHING).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models import Application, Case, User


class Message(models.Model):
    class Direction(models.TextChoices):
        APPLICANT_TO_STAFF = "applicant_to_staff", _("From applicant")
        STAFF_TO_APPLICANT = "staff_to_applicant", _("To applicant")

    class Status(models.TextChoices):
        UNREAD = "unread", _("Unread")
        READ = "read", _("Read")
        ARCHIVED = "archived", _("Archived")
        REPLIED = "replied", _("Replied")

    sender = models.ForeignKey(User, models.DO_NOTHING, related_name="sent_messages")
    # Null for an applicant message to an unassigned case: the case team reads it.
    recipient = models.ForeignKey(User, models.DO_NOTHING, null=True, blank=True, related_name="received_messages")
    case = models.ForeignKey(Case, models.DO_NOTHING, null=True, blank=True, related_name="messages")
    application = models.ForeignKey(Application, models.DO_NOTHING, null=True, blank=True, related_name="messages")
    reply_to = models.ForeignKey("self", models.DO_NOTHING, null=True, blank=True, related_name="replies")
    direction = models.CharField(max_length=20, choices=Direction.choices)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UNREAD)
    urgent = models.BooleanField(default=False)
    deleted = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # The one-time key of the form (or the API's Idempotency-Key) it was sent with.
    submission_key = models.CharField(max_length=64, null=True, blank=True)

    class WithdrawalReason(models.TextChoices):
        SENT_IN_ERROR = "sent_in_error", _("Sent in error: the applicant can ignore it")
        CONTAINED_A_MISTAKE = "contained_a_mistake", _("It contained a mistake: we will write again")
        REPLACED = "replaced", _("Replaced by a newer message")

    # Why it was withdrawn (a code from WithdrawalReason), shown to the applicant.
    withdrawal_reason = models.CharField(max_length=32, choices=WithdrawalReason.choices, null=True, blank=True)

    class Meta:
        managed = False
        db_table = "messages"
        constraints = [
            # Invariant 4: every message is bound to a case or an application.
            models.CheckConstraint(
                condition=models.Q(case__isnull=False) | models.Q(application__isnull=False),
                name="ck_messages_bound",
            ),
            models.UniqueConstraint(fields=["sender", "submission_key"], name="uq_messages_sender_submission"),
        ]

    def __str__(self):
        return f"Message {self.pk}"

    @property
    def from_applicant(self):
        return self.direction == self.Direction.APPLICANT_TO_STAFF


class MessageAttachment(models.Model):
    message = models.ForeignKey(Message, models.DO_NOTHING, related_name="attachments")
    case = models.ForeignKey(Case, models.DO_NOTHING, null=True, blank=True, related_name="+")
    user = models.ForeignKey(User, models.DO_NOTHING, related_name="+")
    file_path = models.CharField(max_length=512, unique=True)
    original_filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size_bytes = models.PositiveBigIntegerField()
    checksum_sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        managed = False
        db_table = "message_attachment"

    def __str__(self):
        return self.original_filename


class MessageEvent(models.Model):
    """Audit trail. Plain id columns, no foreign keys, so it outlives a purge.
    Never holds message content."""

    class Type(models.TextChoices):
        SENT = "message_sent", _("Sent")
        READ = "message_read", _("Read")
        ATTACHMENT_UPLOADED = "attachment_uploaded", _("Attachment uploaded")
        ATTACHMENT_DOWNLOADED = "attachment_downloaded", _("Attachment downloaded")
        ATTACHMENT_ADOPTED = "attachment_adopted", _("Attachment added to the case file")
        WITHDRAWN = "message_withdrawn", _("Withdrawn")
        PURGED = "messages_purged", _("Messages purged")
        CONVERSATIONS_REPAIRED = "conversations_repaired", _("Conversation summaries repaired")
        MARKED_UNREAD = "message_marked_unread", _("Marked as unread")
        NO_REPLY_NEEDED = "no_reply_needed", _("Marked as needing no reply")
        CASE_OPENED = "case_opened", _("Case opened")
        CASE_ASSIGNED = "case_assigned", _("Case assigned")
        CASE_URGENCY_CHANGED = "case_urgency_changed", _("Urgency changed")

    id = models.BigAutoField(primary_key=True)
    message_id = models.IntegerField(null=True, blank=True)
    case_id = models.IntegerField(null=True, blank=True)
    # A plain INT column (no foreign key in the schema, so the record outlives
    # the user); declared as a relation so a history reads its actors in the same query.
    actor_user = models.ForeignKey(
        User, models.DO_NOTHING, null=True, blank=True, db_constraint=False, db_index=False, related_name="+"
    )
    event_type = models.CharField(max_length=40, choices=Type.choices)
    detail = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        managed = False
        db_table = "message_event"

    def __str__(self):
        return f"{self.event_type} {self.message_id}"


class Conversation(models.Model):
    """The summary of one conversation: everything written about one application
    (its case's messages, and those bound only to the application before the
    case existed; see selectors.in_case_thread).

    The database keeps it true, in the same transaction as every write to
    `messages` or `iset_case`, whoever writes (our services, another program
    sharing the schema, an operator's SQL): triggers from
    sql/migrations/20261127_conversation_summary.sql and 20261130_conversation_handled.sql
    on MySQL/MariaDB, the same
    rules as SQLite triggers on the embedded database (casework/schema.py).
    The code only reads it; `manage.py threads --check` proves it equals a
    recomputation (intake.conversations) and `--repair` rewrites what differs.
    A row exists while the conversation has at least one message.
    """

    application = models.OneToOneField(
        Application, models.DO_NOTHING, primary_key=True, related_name="conversation"
    )
    case = models.ForeignKey(Case, models.DO_NOTHING, null=True, blank=True, db_constraint=False, related_name="+")
    applicant_user = models.ForeignKey(User, models.DO_NOTHING, db_constraint=False, related_name="+")
    assigned_staff_profile = models.ForeignKey(
        "casework.StaffProfile", models.DO_NOTHING, null=True, blank=True, db_constraint=False, related_name="+"
    )
    message_count = models.IntegerField(default=0)
    last_message = models.ForeignKey(
        Message, models.DO_NOTHING, null=True, blank=True, db_constraint=False, related_name="+"
    )
    last_message_at = models.DateTimeField(null=True, blank=True)
    # The newest staff message: where "awaiting a reply" starts counting again.
    last_staff_message = models.ForeignKey(
        Message, models.DO_NOTHING, null=True, blank=True, db_constraint=False, related_name="+"
    )
    # Staff -> applicant messages the applicant has not read (withdrawn ones aside).
    unread_by_applicant = models.IntegerField(default=0)
    # Applicant -> staff messages no staff member has read (withdrawn ones aside).
    unread_by_staff = models.IntegerField(default=0)
    # The earliest applicant message after the newest staff message that is not
    # archived (handled: "No reply needed"); null when staff had the last word,
    # marked the rest handled, or nobody asked.
    awaiting_reply_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        managed = False
        db_table = "conversation"

    def __str__(self):
        return f"Conversation {self.application_id}"


class MessageDraft(models.Model):
    """What someone is writing in a conversation, kept until they send or
    discard it (sql/migrations/20261207_message_draft.sql). Read only by its
    author's own pages (intake.services.drafts)."""

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(User, models.DO_NOTHING, related_name="+")
    # The conversation; null: a new message whose application is not chosen yet.
    application = models.ForeignKey(Application, models.DO_NOTHING, null=True, blank=True, related_name="+")
    subject = models.CharField(max_length=255, default="", blank=True)
    body = models.TextField(default="", blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        managed = False
        db_table = "message_draft"
        constraints = [
            models.UniqueConstraint(fields=["user", "application"], name="uq_message_draft_user_application"),
        ]

    def __str__(self):
        return f"Draft {self.pk}"
