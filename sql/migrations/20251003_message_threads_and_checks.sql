-- Threads, read state and the invariants the database can hold by itself.

ALTER TABLE `messages`
  ADD COLUMN `reply_to_id` INT NULL AFTER `application_id`,
  ADD COLUMN `read_at` DATETIME(6) NULL AFTER `created_at`,
  ADD KEY `ix_messages_reply_to` (`reply_to_id`),
  ADD CONSTRAINT `fk_messages_reply_to` FOREIGN KEY (`reply_to_id`) REFERENCES `messages` (`id`) ON DELETE SET NULL,
  -- The case thread, the applicant inbox and date-scoped purges read by these.
  ADD KEY `ix_messages_case_created` (`case_id`, `created_at`),
  ADD KEY `ix_messages_application_created` (`application_id`, `created_at`),
  ADD KEY `ix_messages_recipient_created` (`recipient_id`, `created_at`),
  ADD KEY `ix_messages_sender_created` (`sender_id`, `created_at`),
  ADD KEY `ix_messages_created` (`created_at`),
  ADD CONSTRAINT `ck_messages_direction` CHECK (`direction` IN ('applicant_to_staff', 'staff_to_applicant')),
  ADD CONSTRAINT `ck_messages_status` CHECK (`status` IN ('unread', 'read', 'archived', 'replied')),
  -- Invariant 4: every message is bound to a case or an application.
  ADD CONSTRAINT `ck_messages_bound` CHECK (`case_id` IS NOT NULL OR `application_id` IS NOT NULL),
  -- A staff message always has its applicant as recipient.
  ADD CONSTRAINT `ck_messages_staff_recipient` CHECK (`direction` <> 'staff_to_applicant' OR `recipient_id` IS NOT NULL);
