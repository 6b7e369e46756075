-- Adoption is keyed on the attachment: one iset_document per attachment, ever.
-- The unique key is what makes two concurrent adoptions create one document.

ALTER TABLE `iset_document`
  ADD COLUMN `origin_attachment_id` INT NULL AFTER `origin_message_id`,
  ADD UNIQUE KEY `uq_document_origin_attachment` (`origin_attachment_id`),
  ADD CONSTRAINT `fk_document_origin_attachment` FOREIGN KEY (`origin_attachment_id`) REFERENCES `message_attachment` (`id`) ON DELETE SET NULL;
