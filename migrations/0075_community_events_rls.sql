-- Community events, RSVPs and calendar feed tokens: RLS forced for owners too, grants for the
-- request roles (rows change in place: an RSVP moves between going, offered and the waitlist).
ALTER TABLE "community"."events" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "community"."event_rsvps" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "community"."calendar_feed_tokens" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "community"."events", "community"."event_rsvps", "community"."calendar_feed_tokens" TO lyceum_app, lyceum_platform;
