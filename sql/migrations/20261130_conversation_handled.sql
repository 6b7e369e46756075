-- "No reply needed" (issue 12; docs/conversations.md): staff end the wait for
-- a reply without writing. An applicant message whose status is 'archived' is
-- handled: it no longer starts a wait. So awaiting_reply_since becomes the
-- earliest applicant message after the newest staff message that is not
-- archived. Unread counts do not change ('archived' is not 'unread').
--
-- What changes, on top of sql/migrations/20261127_conversation_summary.sql:
-- - conversation_ends skips archived messages when it looks for the start of
--   the wait. The lookup still walks ix_messages_case_created /
--   ix_messages_application_case_created in order and stops at its first
--   match; it now also steps over the handled messages after the newest
--   staff message.
-- - Two triggers complete 20261127's insert and update triggers, which stay
--   in place: an archived applicant message inserted, and an applicant
--   message archived or taken out of 'archived', look the wait up again
--   (conversation_ends(application, 0, 0): the wait alone). They are added
--   beside the old ones (FOLLOWS) rather than dropping and re-creating them,
--   so no write to `messages` goes unsummarised while this file runs.
-- - The delete trigger needs nothing: it already looks the wait up again when
--   the message where the wait started (or the newest staff message) goes,
--   and a handled message deleted elsewhere moves nothing.
-- The same rules: sql/sqlite/conversation.sql and intake/conversations.py.

DROP PROCEDURE IF EXISTS `conversation_ends`;

-- As in 20261127, with the wait's lookups skipping handled (archived) messages.
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
        (SELECT `id`, `created_at` FROM `messages`
          WHERE `case_id` = v_case_id AND `direction` = 'applicant_to_staff' AND `status` <> 'archived'
          ORDER BY `created_at`, `id` LIMIT 1)
        UNION ALL
        (SELECT `id`, `created_at` FROM `messages`
          WHERE `application_id` = p_application_id AND `case_id` IS NULL AND `direction` = 'applicant_to_staff'
            AND `status` <> 'archived'
          ORDER BY `created_at`, `id` LIMIT 1)
      ) AS `first_waiting` ORDER BY `created_at`, `id` LIMIT 1
    );
  ELSE
    SET v_awaiting = (
      SELECT `created_at` FROM (
        (SELECT `id`, `created_at` FROM `messages`
          WHERE `case_id` = v_case_id AND `direction` = 'applicant_to_staff' AND `status` <> 'archived'
            AND `created_at` >= v_staff_at AND (`created_at` > v_staff_at OR `id` > v_staff_id)
          ORDER BY `created_at`, `id` LIMIT 1)
        UNION ALL
        (SELECT `id`, `created_at` FROM `messages`
          WHERE `application_id` = p_application_id AND `case_id` IS NULL AND `direction` = 'applicant_to_staff'
            AND `status` <> 'archived'
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

-- An applicant message inserted already handled (an import of old mail)
-- starts no wait: messages_conversation_insert has counted it and may have
-- started the wait at it, so the wait is looked up again.
CREATE TRIGGER `messages_conversation_insert_handled` AFTER INSERT ON `messages` FOR EACH ROW
FOLLOWS `messages_conversation_insert`
BEGIN
  IF NEW.`direction` = 'applicant_to_staff' AND NEW.`status` = 'archived' THEN
    CALL conversation_ends(conversation_of(NEW.`case_id`, NEW.`application_id`), 0, 0);
  END IF;
END;

-- An applicant message handled ("No reply needed") or taken back out of
-- 'archived' moves the start of the wait; messages_conversation_update has
-- already adjusted the unread count (or recomputed the row, when the message
-- also moved, was re-dated or turned around; looking the wait up once more
-- then changes nothing).
CREATE TRIGGER `messages_conversation_update_handled` AFTER UPDATE ON `messages` FOR EACH ROW
FOLLOWS `messages_conversation_update`
BEGIN
  IF NEW.`direction` = 'applicant_to_staff' AND (OLD.`status` = 'archived') <> (NEW.`status` = 'archived') THEN
    CALL conversation_ends(conversation_of(NEW.`case_id`, NEW.`application_id`), 0, 0);
  END IF;
END;

-- The conversations that already hold archived applicant messages (none,
-- unless another program used the status): their wait by the new rule. One
-- pass over `messages`, then one conversation_ends per conversation found,
-- through a procedure that exists only while this file runs.
CREATE PROCEDURE `conversation_handled_fill`()
BEGIN
  DECLARE v_done INT DEFAULT 0;
  DECLARE v_application_id INT DEFAULT NULL;
  DECLARE v_conversations CURSOR FOR
    SELECT DISTINCT conversation_of(`case_id`, `application_id`) FROM `messages`
      WHERE `direction` = 'applicant_to_staff' AND `status` = 'archived';
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET v_done = 1;

  OPEN v_conversations;
  each_conversation: LOOP
    FETCH v_conversations INTO v_application_id;
    IF v_done THEN
      LEAVE each_conversation;
    END IF;
    CALL conversation_ends(v_application_id, 0, 0);
  END LOOP;
  CLOSE v_conversations;
END;

CALL conversation_handled_fill();

DROP PROCEDURE `conversation_handled_fill`;
