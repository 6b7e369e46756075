-- The staff case list's sorts (issue 11; docs/conversations.md, "Staff side"),
-- each read in index order with LIMIT instead of sorting every case a
-- supervisor may open:
--   activity: last_message_at DESC        (assigned_staff_profile_id, last_message_at) and (last_message_at), from 20261127
--   unread:   unread_by_staff DESC, last_message_at DESC          the two keys below ending in last_message_at
--   waiting:  awaiting_reply_since ASC for the waiting ones       (awaiting_reply_since), from 20261127, and the
--             caseworker's key below; the others by last activity as above
-- A caseworker's list is one value of assigned_staff_profile_id, a
-- supervisor's all of them; InnoDB ends every key with the primary key
-- (application_id), which the sorts use as their tie-breaker.
--
-- The SQLite side (sql/sqlite/) has none of the summary's indexes: its
-- conversation table is built from the model and holds demo data only.

ALTER TABLE `conversation`
  ADD KEY `ix_conversation_unread_last` (`unread_by_staff`, `last_message_at`),
  ADD KEY `ix_conversation_assigned_unread_last` (`assigned_staff_profile_id`, `unread_by_staff`, `last_message_at`),
  ADD KEY `ix_conversation_assigned_awaiting` (`assigned_staff_profile_id`, `awaiting_reply_since`);
