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
    # By when the applicant should act on an urgent message, if the caseworker gave a date.
    due_date = models.DateField(null=True, blank=True)

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
        # An applicant was e-mailed that a message has waited unread (intake/reminders.py).
        UNREAD_REMINDER_SENT = "unread_reminder_sent", _("Unread reminder e-mailed")
        # Access (issue 15): who saw which personal data, when. Ids and counts only.
        CASE_VIEWED = "case_viewed", _("Case page viewed")
        MESSAGE_VIEWED = "message_viewed", _("Message viewed")
        APPLICATION_VIEWED = "application_viewed", _("Application page viewed")
        DOCUMENT_DOWNLOADED = "document_downloaded", _("Case-file document downloaded")
        STAFF_SEARCHED = "staff_searched", _("Staff search")
        # Caseworker tools (issue 13): ids only, never a reply's or a note's text.
        SAVED_REPLY_CREATED = "saved_reply_created", _("Saved reply created")
        SAVED_REPLY_EDITED = "saved_reply_edited", _("Saved reply edited")
        SAVED_REPLY_DELETED = "saved_reply_deleted", _("Saved reply deleted")
        NOTE_ADDED = "note_added", _("Internal note added")
        NOTE_EDITED = "note_edited", _("Internal note edited")

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


# The events that record a look at a case's personal data rather than a
# change: the case page's access history lists them (intake.access_history).
ACCESS_EVENT_TYPES = (
    MessageEvent.Type.CASE_VIEWED,
    MessageEvent.Type.MESSAGE_VIEWED,
    MessageEvent.Type.DOCUMENT_DOWNLOADED,
    MessageEvent.Type.ATTACHMENT_DOWNLOADED,
)


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


class EmailNotice(models.Model):
    """One notification e-mail and its delivery state (sql/migrations/20261202_notification_outbox.sql).

    Written in the transaction that makes it necessary (a message sent, a case
    assigned, a reminder claimed); the worker delivers it (intake.notifications).
    Plain id columns like the audit trail, so it outlives a purge; it never
    holds message content."""

    class Kind(models.TextChoices):
        NEW_MESSAGE = "new_message", _("New message")
        CASE_ASSIGNED = "case_assigned", _("Case assigned")
        UNREAD_REMINDER = "unread_reminder", _("Unread reminder")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        RETRYING = "retrying", _("Failed, retrying")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Gave up")
        CANCELLED = "cancelled", _("Not needed any more")

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Plain INT columns (no foreign key in the schema, so the notice outlives
    # a purge); the message declared as a relation so the reminders' lookup
    # joins it (intake.reminders).
    message = models.ForeignKey(
        Message,
        models.DO_NOTHING,
        null=True,
        blank=True,
        db_constraint=False,
        db_index=False,
        related_name="email_notices",
    )
    case_id = models.IntegerField(null=True, blank=True)
    # Declared as a relation so the worker reads the recipient's address and
    # language in the same query.
    recipient_user = models.ForeignKey(
        User, models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.IntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # The kind of the last failure (an exception class, an SMTP code): never an address or content.
    last_error = models.CharField(max_length=255, default="", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        managed = False
        db_table = "email_notice"
        constraints = [
            models.UniqueConstraint(
                fields=["message", "kind", "recipient_user"], name="uq_email_notice_message_kind_recipient"
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="ix_email_notice_status_due")]

    def __str__(self):
        return f"{self.kind} notice {self.pk} ({self.status})"


class FileOutbox(models.Model):
    """A stored file to delete (sql/migrations/20261202_notification_outbox.sql).

    Written in the same transaction as the change that unlinks the file, and
    drained by the worker (intake.outbox): the file first, then the row."""

    class Reason(models.TextChoices):
        UPLOAD = "upload", _("Stored by a send not yet committed")
        SEND_FAILED = "send_failed", _("Stored by a send that failed")
        WITHDRAWAL = "withdrawal", _("Message withdrawn")
        PURGE = "purge", _("Messages purged")
        ADOPTION_RACE = "adoption_race", _("Duplicate copy from two adoptions at once")
        ROLLED_BACK = "rolled_back", _("Stored by a change that was rolled back")

    id = models.BigAutoField(primary_key=True)
    storage_key = models.CharField(max_length=512)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    attempts = models.IntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=255, default="", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        managed = False
        db_table = "file_outbox"
        indexes = [
            models.Index(fields=["next_attempt_at"], name="ix_file_outbox_due"),
            models.Index(fields=["reason", "next_attempt_at"], name="ix_file_outbox_reason"),
        ]

    def __str__(self):
        return f"{self.reason}: {self.storage_key}"



# Caseworker tools (issue 13; sql/migrations/20261203_saved_replies_and_notes.sql) ---


class SavedReply(models.Model):
    """A saved reply: the same text in English and in French. A team reply
    (`owner_user` None) is managed by supervisors and admins; a personal one
    by its owner (intake.saved_replies)."""

    id = models.BigAutoField(primary_key=True)
    owner_user = models.ForeignKey(User, models.DO_NOTHING, null=True, blank=True, related_name="+")
    title = models.CharField(max_length=150)
    subject_en = models.CharField(max_length=255, default="", blank=True)
    body_en = models.TextField()
    subject_fr = models.CharField(max_length=255, default="", blank=True)
    body_fr = models.TextField()
    created_by_user = models.ForeignKey(User, models.DO_NOTHING, related_name="+")
    updated_by_user = models.ForeignKey(User, models.DO_NOTHING, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        managed = False
        db_table = "saved_reply"

    def __str__(self):
        return self.title

    @property
    def is_team(self):
        return self.owner_user_id is None


class CaseNote(models.Model):
    """An internal note on a case: staff only. Read through intake.notes and
    nowhere else (no applicant page, API response, e-mail or export)."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, models.DO_NOTHING, related_name="+")
    author_user = models.ForeignKey(User, models.DO_NOTHING, related_name="+")
    # On MariaDB a purge of the message sets this NULL (ON DELETE SET NULL);
    # the SQLite demo database keeps no constraint.
    about_message = models.ForeignKey(
        Message, models.DO_NOTHING, null=True, blank=True, db_constraint=False, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        managed = False
        db_table = "case_note"

    def __str__(self):
        return f"Note {self.pk} on case {self.case_id}"


class CaseNoteRevision(models.Model):
    """An earlier text of a note, kept when its author edited it."""

    id = models.BigAutoField(primary_key=True)
    note = models.ForeignKey(CaseNote, models.DO_NOTHING, related_name="revisions")
    body = models.TextField()
    written_at = models.DateTimeField()
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        managed = False
        db_table = "case_note_revision"

    def __str__(self):
        return f"Revision {self.pk} of note {self.note_id}"


class NoteMention(models.Model):
    """A colleague mentioned in a note: e-mailed once, and marked in their
    work queue until they open the case."""

    id = models.BigAutoField(primary_key=True)
    note = models.ForeignKey(CaseNote, models.DO_NOTHING, related_name="mentions")
    case = models.ForeignKey(Case, models.DO_NOTHING, related_name="+")
    mentioned_user = models.ForeignKey(User, models.DO_NOTHING, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True)
    notice_attempts = models.IntegerField(default=0)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        managed = False
        db_table = "note_mention"
        constraints = [
            models.UniqueConstraint(fields=["note", "mentioned_user"], name="uq_note_mention_note_user"),
        ]

    def __str__(self):
        return f"Mention of user {self.mentioned_user_id} in note {self.note_id}"


# The deploy checks (an unset EMAIL_URL with DEBUG off) register when the app's models load.
from intake import checks  # noqa: E402,F401
