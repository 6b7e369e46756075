-- The conversation summaries on the embedded SQLite database: the same rules
-- as sql/migrations/20261127_conversation_summary.sql and
-- 20261130_conversation_handled.sql (a handled, i.e. archived, applicant
-- message starts no wait), in SQLite's trigger language (no procedures, no
-- IF): every write that can change a summary queues its conversation in
-- `conversation_refresh`, whose own trigger recomputes the row and empties the
-- queue, all inside the writing transaction. Applied by casework/schema.py on
-- every migrate: the triggers are dropped and created again, so a database
-- always has the current ones.

CREATE TABLE IF NOT EXISTS "conversation_refresh" ("application_id" integer NOT NULL);

DROP TRIGGER IF EXISTS "conversation_refresh_run";
CREATE TRIGGER "conversation_refresh_run" AFTER INSERT ON "conversation_refresh"
BEGIN
  DELETE FROM "conversation" WHERE "application_id" = NEW."application_id";
  INSERT INTO "conversation" (
    "application_id", "case_id", "applicant_user_id", "assigned_staff_profile_id", "message_count",
    "last_message_id", "last_message_at", "last_staff_message_id", "unread_by_applicant", "unread_by_staff",
    "awaiting_reply_since"
  )
  SELECT
    a."id", c."id", s."user_id", c."assigned_staff_profile_id",
    (SELECT COUNT(*) FROM "messages" m
      WHERE m."case_id" = c."id" OR (m."case_id" IS NULL AND m."application_id" = a."id")),
    (SELECT m."id" FROM "messages" m
      WHERE m."case_id" = c."id" OR (m."case_id" IS NULL AND m."application_id" = a."id")
      ORDER BY m."created_at" DESC, m."id" DESC LIMIT 1),
    (SELECT m."created_at" FROM "messages" m
      WHERE m."case_id" = c."id" OR (m."case_id" IS NULL AND m."application_id" = a."id")
      ORDER BY m."created_at" DESC, m."id" DESC LIMIT 1),
    (SELECT m."id" FROM "messages" m
      WHERE (m."case_id" = c."id" OR (m."case_id" IS NULL AND m."application_id" = a."id"))
        AND m."direction" = 'staff_to_applicant'
      ORDER BY m."created_at" DESC, m."id" DESC LIMIT 1),
    (SELECT COUNT(*) FROM "messages" m
      WHERE (m."case_id" = c."id" OR (m."case_id" IS NULL AND m."application_id" = a."id"))
        AND m."direction" = 'staff_to_applicant' AND m."status" = 'unread' AND m."deleted" = 0),
    (SELECT COUNT(*) FROM "messages" m
      WHERE (m."case_id" = c."id" OR (m."case_id" IS NULL AND m."application_id" = a."id"))
        AND m."direction" = 'applicant_to_staff' AND m."status" = 'unread' AND m."deleted" = 0),
    (SELECT MIN(m."created_at") FROM "messages" m
      WHERE (m."case_id" = c."id" OR (m."case_id" IS NULL AND m."application_id" = a."id"))
        AND m."direction" = 'applicant_to_staff' AND m."status" <> 'archived'
        AND NOT EXISTS (
          SELECT 1 FROM "messages" r
            WHERE (r."case_id" = c."id" OR (r."case_id" IS NULL AND r."application_id" = a."id"))
              AND r."direction" = 'staff_to_applicant'
              AND (r."created_at" > m."created_at" OR (r."created_at" = m."created_at" AND r."id" > m."id"))))
  FROM "iset_application" a
    JOIN "iset_application_submission" s ON s."id" = a."submission_id"
    LEFT JOIN "iset_case" c ON c."application_id" = a."id"
  WHERE a."id" = NEW."application_id"
    AND EXISTS (SELECT 1 FROM "messages" m
      WHERE m."case_id" = c."id" OR (m."case_id" IS NULL AND m."application_id" = a."id"));
  DELETE FROM "conversation_refresh" WHERE "application_id" = NEW."application_id";
END;

DROP TRIGGER IF EXISTS "messages_conversation_insert";
CREATE TRIGGER "messages_conversation_insert" AFTER INSERT ON "messages"
BEGIN
  INSERT INTO "conversation_refresh" ("application_id")
    VALUES (COALESCE((SELECT "application_id" FROM "iset_case" WHERE "id" = NEW."case_id"), NEW."application_id"));
END;

DROP TRIGGER IF EXISTS "messages_conversation_update";
CREATE TRIGGER "messages_conversation_update" AFTER UPDATE ON "messages"
BEGIN
  INSERT INTO "conversation_refresh" ("application_id")
    VALUES (COALESCE((SELECT "application_id" FROM "iset_case" WHERE "id" = OLD."case_id"), OLD."application_id"));
  INSERT INTO "conversation_refresh" ("application_id")
    VALUES (COALESCE((SELECT "application_id" FROM "iset_case" WHERE "id" = NEW."case_id"), NEW."application_id"));
END;

DROP TRIGGER IF EXISTS "messages_conversation_delete";
CREATE TRIGGER "messages_conversation_delete" AFTER DELETE ON "messages"
BEGIN
  INSERT INTO "conversation_refresh" ("application_id")
    VALUES (COALESCE((SELECT "application_id" FROM "iset_case" WHERE "id" = OLD."case_id"), OLD."application_id"));
END;

DROP TRIGGER IF EXISTS "iset_case_conversation_insert";
CREATE TRIGGER "iset_case_conversation_insert" AFTER INSERT ON "iset_case"
BEGIN
  INSERT INTO "conversation_refresh" ("application_id") VALUES (NEW."application_id");
END;

DROP TRIGGER IF EXISTS "iset_case_conversation_update";
CREATE TRIGGER "iset_case_conversation_update" AFTER UPDATE ON "iset_case"
BEGIN
  INSERT INTO "conversation_refresh" ("application_id") VALUES (OLD."application_id");
  INSERT INTO "conversation_refresh" ("application_id") VALUES (NEW."application_id");
END;

DROP TRIGGER IF EXISTS "iset_case_conversation_delete";
CREATE TRIGGER "iset_case_conversation_delete" AFTER DELETE ON "iset_case"
BEGIN
  INSERT INTO "conversation_refresh" ("application_id") VALUES (OLD."application_id");
END;

-- Conversations of messages written before the summaries existed (an older
-- demo database): queued once, so the trigger above builds their rows.
INSERT INTO "conversation_refresh" ("application_id")
  SELECT DISTINCT COALESCE(c."application_id", m."application_id")
    FROM "messages" m LEFT JOIN "iset_case" c ON c."id" = m."case_id"
    WHERE COALESCE(c."application_id", m."application_id") NOT IN (SELECT "application_id" FROM "conversation");
