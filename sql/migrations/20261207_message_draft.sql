-- Drafts (issue 16, "nothing typed lost"): what someone is writing in a
-- conversation, saved by a "Save draft" button or every few seconds by the
-- page's script, restored when they come back (after a time-out and a new
-- sign-in, or a change of language), removed when they send or discard it.
-- One per person and conversation (the application); application_id NULL is a
-- new message whose application is not chosen yet. Only its author reads it.
-- Purge removes the drafts of the conversations it removes; deleting the user
-- or the application takes their drafts with them.
CREATE TABLE `message_draft` (
  `id` BIGINT NOT NULL AUTO_INCREMENT,
  `user_id` INT NOT NULL,
  `application_id` INT NULL,
  `subject` VARCHAR(255) NOT NULL DEFAULT '',
  `body` LONGTEXT NOT NULL,
  `updated_at` DATETIME(6) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_message_draft_user_application` (`user_id`, `application_id`),
  KEY `ix_message_draft_application` (`application_id`),
  CONSTRAINT `fk_message_draft_user` FOREIGN KEY (`user_id`) REFERENCES `user` (`id`) ON DELETE CASCADE,
  CONSTRAINT `fk_message_draft_application` FOREIGN KEY (`application_id`) REFERENCES `iset_application` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
