-- The conversations nobody waits in, newest first: the second part of the
-- "waiting" sort of the supervisor's case list and of the work queue
-- (docs/conversations.md, "Staff side"). Without this key MariaDB walks
-- (last_message_at) and reads each row to test awaiting_reply_since IS NULL
-- (and case_id IS NOT NULL for the case list): a deep page of the queue's
-- "all" view, 9,000 rows in, took 6.7 ms; through this key, which holds every
-- column those queries read (application_id is the primary key, named so
-- that case_id follows it), 1.3 ms, at 25,000 conversations.
--
-- The SQLite side (sql/sqlite/) has none of the summary's indexes: its
-- conversation table is built from the model and holds demo data only.

ALTER TABLE `conversation`
  ADD KEY `ix_conversation_awaiting_last` (`awaiting_reply_since`, `last_message_at`, `application_id`, `case_id`);
