-- Gamification (ADR 0031): RLS forced for owners too, grants for the request roles. The points log
-- is append-only, so the request roles may only read and insert it; totals, streaks, settings and
-- ring flags change in place.
ALTER TABLE "gamification"."point_entries" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "gamification"."point_totals" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "gamification"."member_stats" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "gamification"."settings" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "gamification"."ring_flags" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT USAGE ON SCHEMA "gamification" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT SELECT, INSERT ON "gamification"."point_entries" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON
  "gamification"."point_totals", "gamification"."member_stats", "gamification"."settings",
  "gamification"."ring_flags"
  TO lyceum_app, lyceum_platform;
--> statement-breakpoint
-- The member's time zone (streaks count days in it) is part of the profile GET /v1/me shows and
-- the session cache keeps (ADR 0018), so a change of it announces the user like the others.
DROP TRIGGER "users_announce_change" ON "identity"."users";--> statement-breakpoint
CREATE TRIGGER "users_announce_change" AFTER UPDATE OF "status", "email", "display_name", "email_verified_at", "time_zone" ON "identity"."users"
  FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."email" IS DISTINCT FROM NEW."email"
    OR OLD."display_name" IS DISTINCT FROM NEW."display_name"
    OR OLD."email_verified_at" IS DISTINCT FROM NEW."email_verified_at"
    OR OLD."time_zone" IS DISTINCT FROM NEW."time_zone")
  EXECUTE FUNCTION "identity"."announce_principal_change"('u', 'id');
