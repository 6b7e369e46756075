-- Background work (issue 14; docs/background-work.md): the delivery state of
-- every notification e-mail, and one outbox for stored files to delete.
--
-- Both tables belong to the shared schema, beside `message_event`, because
-- they are written in the same transaction as the rows they follow (a
-- message sent, an attachment withdrawn or purged) and another program
-- sharing the schema may read them (what was e-mailed, and when) or write to
-- them (a file it unlinked, for our worker to delete). Like `message_event`
-- they hold plain id columns and no foreign keys, so they outlive a purge, and
-- never any message content.

-- One row per e-mail notice: a new message (to each recipient), a case
-- assigned, an unread reminder. `manage.py worker` delivers it, retrying with
-- a growing delay; `status` is pending, sending, retrying, sent, failed (gave
-- up after NOTICE_MAX_ATTEMPTS) or cancelled (no longer needed when its turn
-- came: the message was read or withdrawn, the recipient cannot sign in).
-- `last_error` names the kind of failure only (an exception class, an SMTP
-- code), never an address or a message.
-- The unique key keeps one notice of a kind per message and recipient: an
-- unread reminder is claimed by inserting its row, so two reminder runs at
-- once cannot both send one. Case notices (message_id NULL) are not limited.
CREATE TABLE `email_notice` (
  `id` BIGINT NOT NULL AUTO_INCREMENT,
  `kind` VARCHAR(20) NOT NULL,
  `message_id` INT NULL,
  `case_id` INT NULL,
  `recipient_user_id` INT NOT NULL,
  `status` VARCHAR(10) NOT NULL DEFAULT 'pending',
  `attempts` INT NOT NULL DEFAULT 0,
  `next_attempt_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  `last_error` VARCHAR(255) NOT NULL DEFAULT '',
  `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  `sent_at` DATETIME(6) NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_email_notice_message_kind_recipient` (`message_id`, `kind`, `recipient_user_id`),
  KEY `ix_email_notice_status_due` (`status`, `next_attempt_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Stored files to delete. A row is written in the same transaction as the
-- change that unlinks the file (withdrawal, purge, the losing copy of an
-- adoption race, a send that rolled back), so a crash after that commit
-- loses nothing: the worker's drain deletes the file, then the row, from
-- `next_attempt_at` on, retrying with a growing delay; a file already gone
-- counts as deleted, and a key that `message_attachment` or `iset_document`
-- still names is never deleted. Reason `upload` marks a file a send is about
-- to store: recorded before the write and removed by the send's own commit,
-- so what a killed send stored is deleted after an hour's grace.
CREATE TABLE `file_outbox` (
  `id` BIGINT NOT NULL AUTO_INCREMENT,
  `storage_key` VARCHAR(512) NOT NULL,
  `reason` VARCHAR(20) NOT NULL,
  `attempts` INT NOT NULL DEFAULT 0,
  `next_attempt_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  `last_error` VARCHAR(255) NOT NULL DEFAULT '',
  `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (`id`),
  KEY `ix_file_outbox_due` (`next_attempt_at`),
  KEY `ix_file_outbox_reason` (`reason`, `next_attempt_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The unread reminders' lookup (intake/reminders.py): staff -> applicant
-- messages still unread, oldest first, read as one range of this key instead
-- of every message older than the reminder delay.
ALTER TABLE `messages`
  ADD KEY `ix_messages_status_direction_created` (`status`, `direction`, `created_at`);
