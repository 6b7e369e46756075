-- Audit trail of secure messaging. Plain id columns and no foreign keys, so
-- the history of a message outlives a purge of the message itself. The detail
-- column holds ids, counts and hashes, never message content.

CREATE TABLE `message_event` (
  `id` BIGINT NOT NULL AUTO_INCREMENT,
  `message_id` INT NULL,
  `case_id` INT NULL,
  `actor_user_id` INT NULL,
  `event_type` VARCHAR(40) NOT NULL,
  `detail` JSON NULL,
  `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (`id`),
  KEY `ix_message_event_message` (`message_id`, `created_at`),
  KEY `ix_message_event_case` (`case_id`, `created_at`),
  KEY `ix_message_event_type` (`event_type`, `created_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
