-- Conversations (issue 11; docs/conversations.md): one summary row per
-- application that has messages, so lists read one indexed row per
-- conversation instead of recomputing every thread on every request.
--
-- The database keeps the rows true itself, in the same transaction as the
-- write that changes them, whoever writes: our services, another program
-- sharing the schema, an operator's SQL. Triggers on `messages` and
-- `iset_case` do it. Most writes change the row in place (a new message
-- at the end of its thread, a read, a withdrawal); a write that can move the
-- thread's last message, its last staff message or the start of the wait
-- recomputes the row from the thread (conversation_refresh).
--
-- A message's conversation is its case's application when it has a case,
-- else its own application (intake.selectors.in_case_thread). The same rules
-- are the SQLite triggers in casework/schema.py and the recomputation in
-- intake/conversations.py, which `manage.py threads --check` compares.

-- A thread's messages bound only to the application (case_id null) are read
-- by (application_id, case_id IS NULL, created_at): with case_id in the key
-- that is one ordered range, where the old (application_id, created_at) key
-- also walked every case-bound message of the application.
ALTER TABLE `messages`
  ADD KEY `ix_messages_application_case_created` (`application_id`, `case_id`, `created_at`),
  DROP INDEX `ix_messages_application_created`;

CREATE TABLE `conversation` (
  `application_id` INT NOT NULL,
  `case_id` INT NULL,
  `applicant_user_id` INT NOT NULL,
  `assigned_staff_profile_id` BIGINT UNSIGNED NULL,
  `message_count` INT NOT NULL DEFAULT 0,
  `last_message_id` INT NULL,
  `last_message_at` DATETIME(6) NULL,
  `last_staff_message_id` INT NULL,
  `unread_by_applicant` INT NOT NULL DEFAULT 0,
  `unread_by_staff` INT NOT NULL DEFAULT 0,
  `awaiting_reply_since` DATETIME(6) NULL,
  PRIMARY KEY (`application_id`),
  KEY `ix_conversation_applicant_last` (`applicant_user_id`, `last_message_at`),
  KEY `ix_conversation_assigned_last` (`assigned_staff_profile_id`, `last_message_at`),
  KEY `ix_conversation_last` (`last_message_at`),
  KEY `ix_conversation_awaiting` (`awaiting_reply_since`),
  KEY `ix_conversation_case` (`case_id`),
  CONSTRAINT `fk_conversation_application` FOREIGN KEY (`application_id`) REFERENCES `iset_application` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The conversation a message belongs to.
CREATE FUNCTION `conversation_of`(p_case_id INT, p_application_id INT) RETURNS INT
READS SQL DATA
NOT DETERMINISTIC
BEGIN
  IF p_case_id IS NULL THEN
    RETURN p_application_id;
  END IF;
  RETURN (SELECT `application_id` FROM `iset_case` WHERE `id` = p_case_id);
END;

-- The ends of a conversation: its newest message and its newest staff message
-- (each looked up again only when asked), and where the wait for a reply
-- started (the first applicant message after the newest staff message). Each
-- is one ordered index lookup that stops at its first matching row:
-- ix_messages_case_created for the case's messages,
-- ix_messages_application_case_created for those bound only to the application.
CREATE PROCEDURE `conversation_ends`(IN p_application_id INT, IN p_newest INT, IN p_newest_staff INT)
BEGIN
  DECLARE v_case_id INT DEFAULT (SELECT `id` FROM `iset_case` WHERE `application_id` = p_application_id);
  DECLARE v_last_id INT DEFAULT (
    SELECT `last_message_id` FROM `conversation` WHERE `application_id` = p_application_id
  );
  DECLARE v_staff_id INT DEFAULT (
    SELECT `last_staff_message_id` FROM `conversation` WHERE `application_id` = p_application_id
  );
  DECLARE v_staff_at DATETIME(6) DEFAULT NULL;
  DECLARE v_awaiting DATETIME(6) DEFAULT NULL;

  IF p_newest THEN
  SET v_last_id = (
    SELECT `id` FROM (
      (SELECT `id`, `created_at` FROM `messages` WHERE `case_id` = v_case_id
        ORDER BY `created_at` DESC, `id` DESC LIMIT 1)
      UNION ALL
      (SELECT `id`, `created_at` FROM `messages` WHERE `application_id` = p_application_id AND `case_id` IS NULL
        ORDER BY `created_at` DESC, `id` DESC LIMIT 1)
    ) AS `newest` ORDER BY `created_at` DESC, `id` DESC LIMIT 1
  );
  END IF;
  -- Only when asked: a thread with no staff message reads all of it here.
  IF p_newest_staff THEN
  SET v_staff_id = (
    SELECT `id` FROM (
      (SELECT `id`, `created_at` FROM `messages` WHERE `case_id` = v_case_id AND `direction` = 'staff_to_applicant'
        ORDER BY `created_at` DESC, `id` DESC LIMIT 1)
      UNION ALL
      (SELECT `id`, `created_at` FROM `messages`
        WHERE `application_id` = p_application_id AND `case_id` IS NULL AND `direction` = 'staff_to_applicant'
        ORDER BY `created_at` DESC, `id` DESC LIMIT 1)
    ) AS `newest_staff` ORDER BY `created_at` DESC, `id` DESC LIMIT 1
  );
  END IF;
  SET v_staff_at = (SELECT `created_at` FROM `messages` WHERE `id` = v_staff_id);
  IF v_staff_id IS NULL THEN
    SET v_awaiting = (
      SELECT `created_at` FROM (
        (SELECT `id`, `created_at` FROM `messages` WHERE `case_id` = v_case_id AND `direction` = 'applicant_to_staff'
          ORDER BY `created_at`, `id` LIMIT 1)
        UNION ALL
        (SELECT `id`, `created_at` FROM `messages`
          WHERE `application_id` = p_application_id AND `case_id` IS NULL AND `direction` = 'applicant_to_staff'
          ORDER BY `created_at`, `id` LIMIT 1)
      ) AS `first_waiting` ORDER BY `created_at`, `id` LIMIT 1
    );
  ELSE
    SET v_awaiting = (
      SELECT `created_at` FROM (
        (SELECT `id`, `created_at` FROM `messages`
          WHERE `case_id` = v_case_id AND `direction` = 'applicant_to_staff' AND `created_at` >= v_staff_at
            AND (`created_at` > v_staff_at OR `id` > v_staff_id)
          ORDER BY `created_at`, `id` LIMIT 1)
        UNION ALL
        (SELECT `id`, `created_at` FROM `messages`
          WHERE `application_id` = p_application_id AND `case_id` IS NULL AND `direction` = 'applicant_to_staff'
            AND `created_at` >= v_staff_at AND (`created_at` > v_staff_at OR `id` > v_staff_id)
          ORDER BY `created_at`, `id` LIMIT 1)
      ) AS `first_waiting` ORDER BY `created_at`, `id` LIMIT 1
    );
  END IF;
  UPDATE `conversation`
    SET `last_message_id` = v_last_id,
        `last_message_at` = (SELECT `created_at` FROM `messages` WHERE `id` = v_last_id),
        `last_staff_message_id` = v_staff_id,
        `awaiting_reply_since` = v_awaiting
    WHERE `application_id` = p_application_id;
END;

-- Recompute one conversation's row from its thread, or remove it when the
-- thread is empty: the counts by one pass over the thread's index entries,
-- then the ends (conversation_ends).
CREATE PROCEDURE `conversation_refresh`(IN p_application_id INT)
refresh: BEGIN
  DECLARE v_case_id INT DEFAULT NULL;
  DECLARE v_count INT DEFAULT 0;
  DECLARE v_unread_applicant INT DEFAULT 0;
  DECLARE v_unread_staff INT DEFAULT 0;

  IF p_application_id IS NULL THEN
    LEAVE refresh;
  END IF;
  SET v_case_id = (SELECT `id` FROM `iset_case` WHERE `application_id` = p_application_id);

  SELECT COUNT(*),
         COALESCE(SUM(`direction` = 'staff_to_applicant' AND `status` = 'unread' AND `deleted` = 0), 0),
         COALESCE(SUM(`direction` = 'applicant_to_staff' AND `status` = 'unread' AND `deleted` = 0), 0)
    INTO v_count, v_unread_applicant, v_unread_staff
    FROM (
      SELECT `direction`, `status`, `deleted` FROM `messages` WHERE `case_id` = v_case_id
      UNION ALL
      SELECT `direction`, `status`, `deleted` FROM `messages`
        WHERE `application_id` = p_application_id AND `case_id` IS NULL
    ) AS `thread`;

  IF v_count = 0 THEN
    DELETE FROM `conversation` WHERE `application_id` = p_application_id;
    LEAVE refresh;
  END IF;

  INSERT INTO `conversation` (
    `application_id`, `case_id`, `applicant_user_id`, `assigned_staff_profile_id`, `message_count`,
    `unread_by_applicant`, `unread_by_staff`
  )
  SELECT `a`.`id`, `c`.`id`, `s`.`user_id`, `c`.`assigned_staff_profile_id`, v_count,
         v_unread_applicant, v_unread_staff
    FROM `iset_application` AS `a`
    JOIN `iset_application_submission` AS `s` ON `s`.`id` = `a`.`submission_id`
    LEFT JOIN `iset_case` AS `c` ON `c`.`application_id` = `a`.`id`
    WHERE `a`.`id` = p_application_id
  ON DUPLICATE KEY UPDATE
    `case_id` = VALUES(`case_id`),
    `applicant_user_id` = VALUES(`applicant_user_id`),
    `assigned_staff_profile_id` = VALUES(`assigned_staff_profile_id`),
    `message_count` = VALUES(`message_count`),
    `unread_by_applicant` = VALUES(`unread_by_applicant`),
    `unread_by_staff` = VALUES(`unread_by_staff`);
  CALL conversation_ends(p_application_id, 1, 1);
END;

-- A new message: at the end of its thread (the usual case) the row changes in
-- place; anywhere else (a back-dated import) the row is recomputed.
CREATE TRIGGER `messages_conversation_insert` AFTER INSERT ON `messages` FOR EACH ROW
BEGIN
  DECLARE v_application_id INT DEFAULT conversation_of(NEW.`case_id`, NEW.`application_id`);
  DECLARE v_unread INT DEFAULT (NEW.`status` = 'unread' AND NEW.`deleted` = 0);
  DECLARE v_at_end INT DEFAULT 0;

  SET v_at_end = (
    SELECT COUNT(*) FROM `conversation`
      WHERE `application_id` = v_application_id
        AND (NEW.`created_at` > `last_message_at`
             OR (NEW.`created_at` = `last_message_at` AND NEW.`id` > `last_message_id`))
  );
  IF v_at_end = 0 THEN
    CALL conversation_refresh(v_application_id);
  ELSEIF NEW.`direction` = 'staff_to_applicant' THEN
    UPDATE `conversation`
      SET `message_count` = `message_count` + 1,
          `last_message_id` = NEW.`id`, `last_message_at` = NEW.`created_at`,
          `last_staff_message_id` = NEW.`id`,
          `unread_by_applicant` = `unread_by_applicant` + v_unread,
          `awaiting_reply_since` = NULL
      WHERE `application_id` = v_application_id;
  ELSE
    UPDATE `conversation`
      SET `message_count` = `message_count` + 1,
          `last_message_id` = NEW.`id`, `last_message_at` = NEW.`created_at`,
          `unread_by_staff` = `unread_by_staff` + v_unread,
          `awaiting_reply_since` = COALESCE(`awaiting_reply_since`, NEW.`created_at`)
      WHERE `application_id` = v_application_id;
  END IF;
END;

-- A read, an unread or a withdrawal changes the unread counts in place; a
-- message moved to another thread, re-dated or turned around recomputes both
-- conversations it touches.
CREATE TRIGGER `messages_conversation_update` AFTER UPDATE ON `messages` FOR EACH ROW
BEGIN
  DECLARE v_old_application_id INT DEFAULT conversation_of(OLD.`case_id`, OLD.`application_id`);
  DECLARE v_new_application_id INT DEFAULT conversation_of(NEW.`case_id`, NEW.`application_id`);
  DECLARE v_old_unread INT DEFAULT (OLD.`status` = 'unread' AND OLD.`deleted` = 0);
  DECLARE v_new_unread INT DEFAULT (NEW.`status` = 'unread' AND NEW.`deleted` = 0);

  IF NOT (v_old_application_id <=> v_new_application_id)
     OR NOT (OLD.`created_at` <=> NEW.`created_at`)
     OR NOT (OLD.`direction` <=> NEW.`direction`)
     OR OLD.`id` <> NEW.`id` THEN
    CALL conversation_refresh(v_old_application_id);
    IF NOT (v_old_application_id <=> v_new_application_id) THEN
      CALL conversation_refresh(v_new_application_id);
    END IF;
  ELSEIF v_old_unread <> v_new_unread THEN
    IF NEW.`direction` = 'staff_to_applicant' THEN
      UPDATE `conversation` SET `unread_by_applicant` = `unread_by_applicant` + v_new_unread - v_old_unread
        WHERE `application_id` = v_new_application_id;
    ELSE
      UPDATE `conversation` SET `unread_by_staff` = `unread_by_staff` + v_new_unread - v_old_unread
        WHERE `application_id` = v_new_application_id;
    END IF;
  END IF;
END;

-- A deleted message changes the counts in place; when it was the thread's
-- newest message, its newest staff message or where the wait started, the
-- ends are looked up again (conversation_ends: index lookups that stop at
-- their first row, so a purge, which deletes oldest first, stays cheap);
-- the last one gone removes the row.
CREATE TRIGGER `messages_conversation_delete` AFTER DELETE ON `messages` FOR EACH ROW
trigger_body: BEGIN
  DECLARE v_application_id INT DEFAULT NULL;
  DECLARE v_unread INT DEFAULT (OLD.`status` = 'unread' AND OLD.`deleted` = 0);
  DECLARE v_remaining INT DEFAULT NULL;
  DECLARE v_ends_moved INT DEFAULT 0;

  -- A bulk delete of our own (manage.py purge) updates the summaries itself,
  -- once per batch, in the same transaction: see intake/purge.py.
  IF @conversation_summary_by_caller = 1 THEN
    LEAVE trigger_body;
  END IF;
  SET v_application_id = conversation_of(OLD.`case_id`, OLD.`application_id`);
  SET v_remaining = (SELECT `message_count` - 1 FROM `conversation` WHERE `application_id` = v_application_id);
  SET v_ends_moved = (
    SELECT (`last_message_id` <=> OLD.`id`) OR (`last_staff_message_id` <=> OLD.`id`)
           OR (OLD.`direction` = 'applicant_to_staff' AND `awaiting_reply_since` <=> OLD.`created_at`)
      FROM `conversation` WHERE `application_id` = v_application_id
  );

  IF v_remaining IS NULL THEN
    CALL conversation_refresh(v_application_id);
  ELSEIF v_remaining <= 0 THEN
    DELETE FROM `conversation` WHERE `application_id` = v_application_id;
  ELSE
    UPDATE `conversation`
      SET `message_count` = v_remaining,
          `unread_by_applicant` = `unread_by_applicant` - IF(OLD.`direction` = 'staff_to_applicant', v_unread, 0),
          `unread_by_staff` = `unread_by_staff` - IF(OLD.`direction` = 'applicant_to_staff', v_unread, 0)
      WHERE `application_id` = v_application_id;
    IF v_ends_moved THEN
      CALL conversation_ends(
        v_application_id,
        (SELECT `last_message_id` <=> OLD.`id` FROM `conversation` WHERE `application_id` = v_application_id),
        (SELECT `last_staff_message_id` <=> OLD.`id` FROM `conversation` WHERE `application_id` = v_application_id)
      );
    END IF;
  END IF;
END;

-- A case opened for an application takes over its thread (and its caseworker
-- becomes the conversation's); reassignment and a case removed likewise.
CREATE TRIGGER `iset_case_conversation_insert` AFTER INSERT ON `iset_case` FOR EACH ROW
BEGIN
  CALL conversation_refresh(NEW.`application_id`);
END;

CREATE TRIGGER `iset_case_conversation_update` AFTER UPDATE ON `iset_case` FOR EACH ROW
BEGIN
  IF NOT (OLD.`application_id` <=> NEW.`application_id`) OR OLD.`id` <> NEW.`id` THEN
    CALL conversation_refresh(OLD.`application_id`);
    CALL conversation_refresh(NEW.`application_id`);
  ELSEIF NOT (OLD.`assigned_staff_profile_id` <=> NEW.`assigned_staff_profile_id`) THEN
    UPDATE `conversation` SET `assigned_staff_profile_id` = NEW.`assigned_staff_profile_id`
      WHERE `application_id` = NEW.`application_id`;
  END IF;
END;

CREATE TRIGGER `iset_case_conversation_delete` AFTER DELETE ON `iset_case` FOR EACH ROW
BEGIN
  CALL conversation_refresh(OLD.`application_id`);
END;

-- The conversations of the messages already there. A set-based fill through a
-- scratch table (dropped at the end): one pass per aggregate over `messages`,
-- not a procedure call per application.
CREATE TABLE `conversation_fill` (
  `message_id` INT NOT NULL PRIMARY KEY,
  `application_id` INT NOT NULL,
  `created_at` DATETIME(6) NOT NULL,
  `direction` VARCHAR(20) NOT NULL,
  `unread` TINYINT NOT NULL,
  KEY `ix_fill_thread` (`application_id`, `created_at`, `message_id`)
) ENGINE=InnoDB;

INSERT INTO `conversation_fill` (`message_id`, `application_id`, `created_at`, `direction`, `unread`)
SELECT `m`.`id`, COALESCE(`c`.`application_id`, `m`.`application_id`), `m`.`created_at`, `m`.`direction`,
       (`m`.`status` = 'unread' AND `m`.`deleted` = 0)
  FROM `messages` AS `m` LEFT JOIN `iset_case` AS `c` ON `c`.`id` = `m`.`case_id`;

INSERT INTO `conversation` (
  `application_id`, `case_id`, `applicant_user_id`, `assigned_staff_profile_id`, `message_count`,
  `unread_by_applicant`, `unread_by_staff`
)
SELECT `f`.`application_id`, `c`.`id`, `s`.`user_id`, `c`.`assigned_staff_profile_id`, COUNT(*),
       SUM(`f`.`direction` = 'staff_to_applicant' AND `f`.`unread` = 1),
       SUM(`f`.`direction` = 'applicant_to_staff' AND `f`.`unread` = 1)
  FROM `conversation_fill` AS `f`
  JOIN `iset_application` AS `a` ON `a`.`id` = `f`.`application_id`
  JOIN `iset_application_submission` AS `s` ON `s`.`id` = `a`.`submission_id`
  LEFT JOIN `iset_case` AS `c` ON `c`.`application_id` = `f`.`application_id`
  GROUP BY `f`.`application_id`, `c`.`id`, `s`.`user_id`, `c`.`assigned_staff_profile_id`;

UPDATE `conversation` AS `v`
  SET `v`.`last_message_id` = (
        SELECT `f`.`message_id` FROM `conversation_fill` AS `f` WHERE `f`.`application_id` = `v`.`application_id`
          ORDER BY `f`.`created_at` DESC, `f`.`message_id` DESC LIMIT 1),
      `v`.`last_staff_message_id` = (
        SELECT `f`.`message_id` FROM `conversation_fill` AS `f`
          WHERE `f`.`application_id` = `v`.`application_id` AND `f`.`direction` = 'staff_to_applicant'
          ORDER BY `f`.`created_at` DESC, `f`.`message_id` DESC LIMIT 1);

UPDATE `conversation` AS `v`
  JOIN `conversation_fill` AS `last` ON `last`.`message_id` = `v`.`last_message_id`
  LEFT JOIN `conversation_fill` AS `staff` ON `staff`.`message_id` = `v`.`last_staff_message_id`
  SET `v`.`last_message_at` = `last`.`created_at`,
      `v`.`awaiting_reply_since` = (
        SELECT MIN(`f`.`created_at`) FROM `conversation_fill` AS `f`
          WHERE `f`.`application_id` = `v`.`application_id` AND `f`.`direction` = 'applicant_to_staff'
            AND (`staff`.`message_id` IS NULL OR `f`.`created_at` > `staff`.`created_at`
                 OR (`f`.`created_at` = `staff`.`created_at` AND `f`.`message_id` > `staff`.`message_id`)));

DROP TABLE `conversation_fill`;
