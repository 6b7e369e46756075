-- Disabling an account ends its sessions for good (issue 15; docs/security.md).
--
-- Every session keeps a hash of the user's password and session_version from
-- sign-in (casework.models.User.get_session_auth_hash), checked on each
-- request. The database raises session_version whenever an account is
-- disabled, whoever disables it (our code, another program sharing the
-- schema, an operator's SQL): the sessions signed in before stay dead when the
-- account is enabled again. The version never goes down, so a program that
-- writes back a user row it read earlier cannot bring old sessions back.
-- The same rules for the embedded SQLite database: sql/sqlite/session_version.sql.

ALTER TABLE `user`
  ADD COLUMN `session_version` INT UNSIGNED NOT NULL DEFAULT 0;

CREATE TRIGGER `user_session_version` BEFORE UPDATE ON `user` FOR EACH ROW
BEGIN
  IF NEW.`session_version` < OLD.`session_version` THEN
    SET NEW.`session_version` = OLD.`session_version`;
  END IF;
  IF OLD.`is_active` = 1 AND NEW.`is_active` = 0 THEN
    SET NEW.`session_version` = NEW.`session_version` + 1;
  END IF;
END;

CREATE TRIGGER `staff_profiles_session_version` AFTER UPDATE ON `staff_profiles` FOR EACH ROW
BEGIN
  IF OLD.`status` <> 'disabled' AND NEW.`status` = 'disabled' THEN
    UPDATE `user` SET `session_version` = `session_version` + 1 WHERE `id` = NEW.`user_id`;
  END IF;
END;
