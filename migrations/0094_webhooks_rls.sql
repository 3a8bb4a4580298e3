-- Outgoing webhooks (ADR 0034): RLS forced for owners too, grants for the request roles. Messages and
-- the delivery log (attempts) are written once: the request role may read and insert them; only the
-- platform role's retention purge deletes them (deleting an endpoint cascades as the tables' owner).
ALTER TABLE "webhooks"."endpoints" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "webhooks"."endpoint_secrets" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "webhooks"."endpoint_health" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "webhooks"."resource_sequences" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "webhooks"."messages" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "webhooks"."deliveries" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "webhooks"."attempts" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "webhooks"."replays" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT USAGE ON SCHEMA "webhooks" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON
  "webhooks"."endpoints", "webhooks"."endpoint_secrets", "webhooks"."endpoint_health",
  "webhooks"."resource_sequences", "webhooks"."deliveries", "webhooks"."replays"
  TO lyceum_app, lyceum_platform;
--> statement-breakpoint
GRANT SELECT, INSERT ON "webhooks"."messages", "webhooks"."attempts" TO lyceum_app;--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON "webhooks"."messages", "webhooks"."attempts" TO lyceum_platform;
