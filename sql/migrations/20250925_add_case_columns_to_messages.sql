-- Secure Messaging Integration (2025-09-25): a message carries the case and
-- application it belongs to, so both the portal and the admin dashboard can
-- resolve the applicant and the booking reference; an attachment mirrors its
-- message's case so adoption into iset_document can use it.

ALTER TABLE `messages`
  ADD COLUMN `case_id` INT NULL AFTER `recipient_id`,
  ADD COLUMN `application_id` INT NULL AFTER `case_id`,
  ADD KEY `ix_messages_case` (`case_id`),
  ADD KEY `ix_messages_application` (`application_id`),
  ADD CONSTRAINT `fk_messages_case` FOREIGN KEY (`case_id`) REFERENCES `iset_case` (`id`),
  ADD CONSTRAINT `fk_messages_application` FOREIGN KEY (`application_id`) REFERENCES `iset_application` (`id`);

ALTER TABLE `message_attachment`
  ADD COLUMN `case_id` INT NULL AFTER `message_id`,
  ADD KEY `ix_message_attachment_case` (`case_id`),
  ADD CONSTRAINT `fk_message_attachment_case` FOREIGN KEY (`case_id`) REFERENCES `iset_case` (`id`);
