-- Why a message was withdrawn (issue 16): one of a fixed list of reasons the
-- caseworker may choose (intake.models.Message.WithdrawalReason), shown to
-- the applicant with what they need to do. A code, never free text, so it
-- carries no personal information. NULL: withdrawn without a reason, or not
-- withdrawn.
ALTER TABLE `messages`
  ADD COLUMN `withdrawal_reason` VARCHAR(32) NULL;
