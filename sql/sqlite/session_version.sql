-- Disabling an account ends its sessions for good, on the embedded SQLite
-- database: the same rules as sql/migrations/20261201_user_session_version.sql
-- in SQLite's trigger language (an AFTER trigger writes the row again; SQLite
-- does not fire a trigger from its own body). Applied by casework/schema.py on
-- every migrate: dropped and created again.

DROP TRIGGER IF EXISTS "user_session_version";
CREATE TRIGGER "user_session_version" AFTER UPDATE ON "user"
WHEN NEW."session_version" < OLD."session_version" OR (OLD."is_active" AND NOT NEW."is_active")
BEGIN
  UPDATE "user"
    SET "session_version" = MAX(OLD."session_version", NEW."session_version")
      + (CASE WHEN OLD."is_active" AND NOT NEW."is_active" THEN 1 ELSE 0 END)
    WHERE "id" = NEW."id";
END;

DROP TRIGGER IF EXISTS "staff_profiles_session_version";
CREATE TRIGGER "staff_profiles_session_version" AFTER UPDATE OF "status" ON "staff_profiles"
WHEN OLD."status" <> 'disabled' AND NEW."status" = 'disabled'
BEGIN
  UPDATE "user" SET "session_version" = "session_version" + 1 WHERE "id" = NEW."user_id";
END;
