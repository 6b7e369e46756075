-- Baseline: the iset_intake schema as it stood before 2025-09-25.
-- messages and message_attachment do not yet know their case or application;
-- 20250925_add_case_columns_to_messages.sql adds that.

CREATE TABLE `user` (
  `id` INT NOT NULL AUTO_INCREMENT,
  `email` VARCHAR(254) NOT NULL,
  `password` VARCHAR(128) NOT NULL,
  `first_name` VARCHAR(150) NOT NULL DEFAULT '',
  `last_name` VARCHAR(150) NOT NULL DEFAULT '',
  `preferred_language` VARCHAR(2) NOT NULL DEFAULT 'en',
  `is_active` TINYINT(1) NOT NULL DEFAULT 1,
  `last_login` DATETIME(6) NULL,
  `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_user_email` (`email`),
  CONSTRAINT `ck_user_language` CHECK (`preferred_language` IN ('en', 'fr'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `staff_profiles` (
  `id` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  `user_id` INT NOT NULL,
  `display_name` VARCHAR(150) NOT NULL,
  `primary_role` VARCHAR(20) NOT NULL DEFAULT 'caseworker',
  `status` VARCHAR(20) NOT NULL DEFAULT 'active',
  `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_staff_profiles_user` (`user_id`),
  CONSTRAINT `fk_staff_profiles_user` FOREIGN KEY (`user_id`) REFERENCES `user` (`id`),
  CONSTRAINT `ck_staff_profiles_role` CHECK (`primary_role` IN ('caseworker', 'supervisor', 'admin')),
  CONSTRAINT `ck_staff_profiles_status` CHECK (`status` IN ('active', 'disabled'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `iset_application_submission` (
  `id` INT NOT NULL AUTO_INCREMENT,
  `user_id` INT NOT NULL,
  `reference_number` VARCHAR(32) NOT NULL,
  `status` VARCHAR(20) NOT NULL DEFAULT 'submitted',
  `submitted_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  `intake_payload` JSON NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_submission_reference_number` (`reference_number`),
  KEY `ix_submission_user` (`user_id`),
  CONSTRAINT `fk_submission_user` FOREIGN KEY (`user_id`) REFERENCES `user` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `iset_application` (
  `id` INT NOT NULL AUTO_INCREMENT,
  `submission_id` INT NOT NULL,
  `status` VARCHAR(20) NOT NULL DEFAULT 'open',
  `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (`id`),
  KEY `ix_application_submission` (`submission_id`),
  CONSTRAINT `fk_application_submission` FOREIGN KEY (`submission_id`) REFERENCES `iset_application_submission` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `iset_case` (
  `id` INT NOT NULL AUTO_INCREMENT,
  `application_id` INT NOT NULL,
  `assigned_staff_profile_id` BIGINT UNSIGNED NULL,
  `status` VARCHAR(20) NOT NULL DEFAULT 'open',
  `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_case_application` (`application_id`),
  KEY `ix_case_assigned_staff_profile` (`assigned_staff_profile_id`),
  CONSTRAINT `fk_case_application` FOREIGN KEY (`application_id`) REFERENCES `iset_application` (`id`),
  CONSTRAINT `fk_case_assigned_staff_profile` FOREIGN KEY (`assigned_staff_profile_id`) REFERENCES `staff_profiles` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `messages` (
  `id` INT NOT NULL AUTO_INCREMENT,
  `sender_id` INT NOT NULL,
  `recipient_id` INT NULL,
  `direction` VARCHAR(20) NOT NULL,
  `subject` VARCHAR(255) NOT NULL,
  `body` LONGTEXT NOT NULL,
  `status` VARCHAR(20) NOT NULL DEFAULT 'unread',
  `urgent` TINYINT(1) NOT NULL DEFAULT 0,
  `deleted` TINYINT(1) NOT NULL DEFAULT 0,
  `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (`id`),
  KEY `ix_messages_sender` (`sender_id`),
  KEY `ix_messages_recipient` (`recipient_id`),
  CONSTRAINT `fk_messages_sender` FOREIGN KEY (`sender_id`) REFERENCES `user` (`id`),
  CONSTRAINT `fk_messages_recipient` FOREIGN KEY (`recipient_id`) REFERENCES `user` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `message_attachment` (
  `id` INT NOT NULL AUTO_INCREMENT,
  `message_id` INT NOT NULL,
  `user_id` INT NOT NULL,
  `file_path` VARCHAR(512) NOT NULL,
  `original_filename` VARCHAR(255) NOT NULL,
  `content_type` VARCHAR(100) NOT NULL,
  `size_bytes` BIGINT UNSIGNED NOT NULL,
  `checksum_sha256` VARCHAR(64) NOT NULL,
  `uploaded_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_message_attachment_file_path` (`file_path`),
  KEY `ix_message_attachment_message` (`message_id`),
  KEY `ix_message_attachment_user` (`user_id`),
  -- RESTRICT: a message cannot go while it still has attachments (purge order).
  CONSTRAINT `fk_message_attachment_message` FOREIGN KEY (`message_id`) REFERENCES `messages` (`id`) ON DELETE RESTRICT,
  CONSTRAINT `fk_message_attachment_user` FOREIGN KEY (`user_id`) REFERENCES `user` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `iset_document` (
  `id` INT NOT NULL AUTO_INCREMENT,
  `case_id` INT NULL,
  `application_id` INT NULL,
  `applicant_user_id` INT NULL,
  `uploaded_by_user_id` INT NULL,
  `origin_message_id` INT NULL,
  `source` VARCHAR(40) NOT NULL,
  `file_name` VARCHAR(255) NOT NULL,
  `file_path` VARCHAR(512) NOT NULL,
  `mime_type` VARCHAR(100) NOT NULL,
  `size_bytes` BIGINT UNSIGNED NOT NULL,
  `status` VARCHAR(20) NOT NULL DEFAULT 'active',
  `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_document_file_path` (`file_path`),
  KEY `ix_document_case` (`case_id`),
  KEY `ix_document_application` (`application_id`),
  KEY `ix_document_origin_message` (`origin_message_id`),
  CONSTRAINT `fk_document_case` FOREIGN KEY (`case_id`) REFERENCES `iset_case` (`id`),
  CONSTRAINT `fk_document_application` FOREIGN KEY (`application_id`) REFERENCES `iset_application` (`id`),
  CONSTRAINT `fk_document_applicant_user` FOREIGN KEY (`applicant_user_id`) REFERENCES `user` (`id`),
  CONSTRAINT `fk_document_uploaded_by_user` FOREIGN KEY (`uploaded_by_user_id`) REFERENCES `user` (`id`),
  CONSTRAINT `fk_document_origin_message` FOREIGN KEY (`origin_message_id`) REFERENCES `messages` (`id`) ON DELETE SET NULL,
  CONSTRAINT `ck_document_source` CHECK (`source` IN ('secure_message_attachment', 'application_submission', 'manual_upload', 'system_generated'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
