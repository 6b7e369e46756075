-- By when the applicant should act on an urgent message (issue 16): a date a
-- caseworker may give with a message marked urgent, shown to both sides.
-- NULL: no date given (and always NULL on a message that is not urgent).
ALTER TABLE `messages`
  ADD COLUMN `due_date` DATE NULL;
