-- Caseworker tools (issue 13; docs/caseworker-tools.md): bilingual saved
-- replies, internal notes on a case, and search of the messages by words.
--
-- Saved replies: one row per reply, English and French side by side (a reply
-- is a pair: the compose form takes the side in the applicant's language).
-- `owner_user_id` NULL is a team reply (supervisors and admins manage them);
-- otherwise it is the personal reply of that staff member.
CREATE TABLE `saved_reply` (
  `id` BIGINT NOT NULL AUTO_INCREMENT,
  `owner_user_id` INT NULL,
  `title` VARCHAR(150) NOT NULL,
  `subject_en` VARCHAR(255) NOT NULL DEFAULT '',
  `body_en` LONGTEXT NOT NULL,
  `subject_fr` VARCHAR(255) NOT NULL DEFAULT '',
  `body_fr` LONGTEXT NOT NULL,
  `created_by_user_id` INT NOT NULL,
  `updated_by_user_id` INT NOT NULL,
  `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  `updated_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (`id`),
  -- The team's replies (owner NULL) and one person's, each by title.
  KEY `ix_saved_reply_owner_title` (`owner_user_id`, `title`),
  CONSTRAINT `fk_saved_reply_owner_user` FOREIGN KEY (`owner_user_id`) REFERENCES `user` (`id`),
  CONSTRAINT `fk_saved_reply_created_by_user` FOREIGN KEY (`created_by_user_id`) REFERENCES `user` (`id`),
  CONSTRAINT `fk_saved_reply_updated_by_user` FOREIGN KEY (`updated_by_user_id`) REFERENCES `user` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Internal notes: staff only, in a table of their own that no applicant page,
-- API response, e-mail or export reads (intake/notes.py is the only reader).
-- `about_message_id` optionally names the message a note is about; a purge of
-- the message leaves the note, about the case only.
CREATE TABLE `case_note` (
  `id` BIGINT NOT NULL AUTO_INCREMENT,
  `case_id` INT NOT NULL,
  `author_user_id` INT NOT NULL,
  `about_message_id` INT NULL,
  `body` LONGTEXT NOT NULL,
  `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  -- When the text last changed (NULL: never edited); earlier texts are in case_note_revision.
  `edited_at` DATETIME(6) NULL,
  PRIMARY KEY (`id`),
  KEY `ix_case_note_case_created` (`case_id`, `created_at`),
  KEY `ix_case_note_author` (`author_user_id`),
  KEY `ix_case_note_about_message` (`about_message_id`),
  CONSTRAINT `fk_case_note_case` FOREIGN KEY (`case_id`) REFERENCES `iset_case` (`id`),
  CONSTRAINT `fk_case_note_author_user` FOREIGN KEY (`author_user_id`) REFERENCES `user` (`id`),
  CONSTRAINT `fk_case_note_about_message` FOREIGN KEY (`about_message_id`) REFERENCES `messages` (`id`) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every earlier text of a note: an edit keeps the text it replaces here, with
-- the time that text was written.
CREATE TABLE `case_note_revision` (
  `id` BIGINT NOT NULL AUTO_INCREMENT,
  `note_id` BIGINT NOT NULL,
  `body` LONGTEXT NOT NULL,
  `written_at` DATETIME(6) NOT NULL,
  `replaced_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (`id`),
  KEY `ix_case_note_revision_note` (`note_id`, `written_at`),
  CONSTRAINT `fk_case_note_revision_note` FOREIGN KEY (`note_id`) REFERENCES `case_note` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A colleague mentioned in a note: e-mailed once (`notified_at`, claimed by
-- the task that sends it), and marked in their work queue until they open the
-- case (`seen_at`). `case_id` repeats the note's, so the queue reads a
-- person's unseen mentions of a case through one key.
CREATE TABLE `note_mention` (
  `id` BIGINT NOT NULL AUTO_INCREMENT,
  `note_id` BIGINT NOT NULL,
  `case_id` INT NOT NULL,
  `mentioned_user_id` INT NOT NULL,
  `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  `notified_at` DATETIME(6) NULL,
  `notice_attempts` INT NOT NULL DEFAULT 0,
  `seen_at` DATETIME(6) NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_note_mention_note_user` (`note_id`, `mentioned_user_id`),
  KEY `ix_note_mention_user_case_seen` (`mentioned_user_id`, `case_id`, `seen_at`),
  KEY `ix_note_mention_case` (`case_id`),
  CONSTRAINT `fk_note_mention_note` FOREIGN KEY (`note_id`) REFERENCES `case_note` (`id`) ON DELETE CASCADE,
  CONSTRAINT `fk_note_mention_case` FOREIGN KEY (`case_id`) REFERENCES `iset_case` (`id`),
  CONSTRAINT `fk_note_mention_user` FOREIGN KEY (`mentioned_user_id`) REFERENCES `user` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Search by words in a message's subject and body (intake/search.py).
--
-- InnoDB's built-in word parser, not ngram: English and French separate words
-- with spaces and punctuation, which the word parser splits on (an apostrophe
-- too: "l'application" indexes "application"); ngram splits every word into
-- two-letter pieces, for languages without spaces, and would make each search
-- read far longer lists. The index compares words by the columns' collation,
-- utf8mb4_unicode_ci, which ignores case and accents: "reçu" finds "recu",
-- "ecole" finds "École". Words shorter than innodb_ft_min_token_size (3) and
-- InnoDB's stopwords are not indexed; intake/search.py checks those by
-- pattern instead.
--
-- Adding the first FULLTEXT index rebuilds `messages` (a hidden FTS_DOC_ID
-- column) and holds writes to it while it builds: about a minute at
-- 1,000,000 messages (docs/caseworker-tools.md).
ALTER TABLE `messages`
  ADD FULLTEXT KEY `ft_messages_subject_body` (`subject`, `body`);
