-- The session check also reads the profile GET /v1/me shows (email, display name, whether the
-- address is verified), and the session cache keeps it (ADR 0018). So a users row announces a
-- change of those columns too, not only of its status: every node's cache then lets go of the
-- user's sessions, whatever code path (or hand-written SQL) made the change. Sign-in counters,
-- locks, password hashes and the version still announce nothing.
DROP TRIGGER "users_announce_status" ON "identity"."users";--> statement-breakpoint
CREATE TRIGGER "users_announce_change" AFTER UPDATE OF "status", "email", "display_name", "email_verified_at" ON "identity"."users"
  FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."email" IS DISTINCT FROM NEW."email"
    OR OLD."display_name" IS DISTINCT FROM NEW."display_name"
    OR OLD."email_verified_at" IS DISTINCT FROM NEW."email_verified_at")
  EXECUTE FUNCTION "identity"."announce_principal_change"('u', 'id');
