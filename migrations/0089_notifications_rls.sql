-- The notification center (ADR 0035): RLS forced for owners too, grants for the request roles.
-- Deliveries are the once-only record: the request roles insert and settle them, never delete.
ALTER TABLE "notifications"."deliveries" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "notifications"."inbox_items" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "notifications"."preferences" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "notifications"."tenant_defaults" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "notifications"."quiet_hours" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT USAGE ON SCHEMA "notifications" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON "notifications"."deliveries" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON
  "notifications"."inbox_items", "notifications"."preferences", "notifications"."tenant_defaults",
  "notifications"."quiet_hours"
  TO lyceum_app, lyceum_platform;
