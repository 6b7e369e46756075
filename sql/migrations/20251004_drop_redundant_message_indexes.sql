-- The (case_id, created_at), (application_id, created_at), (sender_id,
-- created_at) and (recipient_id, created_at) indexes of 20251003 start with
-- the same column as these single-column ones, so they serve the same lookups
-- and the foreign keys. Every insert and every purge paid for both copies.

ALTER TABLE `messages`
  DROP INDEX `ix_messages_case`,
  DROP INDEX `ix_messages_application`,
  DROP INDEX `ix_messages_sender`,
  DROP INDEX `ix_messages_recipient`;
