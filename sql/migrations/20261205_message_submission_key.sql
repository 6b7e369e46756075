-- One-time submission keys (issue 16, "Nothing sent twice"): every compose and
-- reply form carries a key, and the JSON API takes one as Idempotency-Key. A
-- message stores the key it was sent with; the unique key makes a second
-- send with the same key by the same sender impossible, even for two
-- requests at once (the second waits for the first, then finds its row).
-- NULL for messages sent without a key (imports, other programs).
ALTER TABLE `messages`
  ADD COLUMN `submission_key` VARCHAR(64) NULL,
  ADD UNIQUE KEY `uq_messages_sender_submission` (`sender_id`, `submission_key`);
