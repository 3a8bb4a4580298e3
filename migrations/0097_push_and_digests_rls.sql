-- Web push subscriptions and digests (docs/notifications.md): RLS forced for owners too, grants for
-- the request roles. Subscriptions are deleted when a member unsubscribes or the push service
-- answers 404/410; digests are the once-only record of a digest mail and are never deleted.
ALTER TABLE "notifications"."push_subscriptions" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "notifications"."digests" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "notifications"."push_subscriptions" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON "notifications"."digests" TO lyceum_app, lyceum_platform;
