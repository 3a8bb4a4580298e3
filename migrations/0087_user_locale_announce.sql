-- The member's locale is part of the profile GET /v1/me shows and the session cache keeps
-- (ADR 0018), so a change of it announces the user like the time zone does.
DROP TRIGGER "users_announce_change" ON "identity"."users";--> statement-breakpoint
CREATE TRIGGER "users_announce_change" AFTER UPDATE OF "status", "email", "display_name", "email_verified_at", "time_zone", "locale" ON "identity"."users"
  FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."email" IS DISTINCT FROM NEW."email"
    OR OLD."display_name" IS DISTINCT FROM NEW."display_name"
    OR OLD."email_verified_at" IS DISTINCT FROM NEW."email_verified_at"
    OR OLD."time_zone" IS DISTINCT FROM NEW."time_zone"
    OR OLD."locale" IS DISTINCT FROM NEW."locale")
  EXECUTE FUNCTION "identity"."announce_principal_change"('u', 'id');
