-- The asset library (ADR 0038): RLS forced for owners too, grants for the request roles.
ALTER TABLE "assets"."assets" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "assets"."tenant_limits" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT USAGE ON SCHEMA "assets" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "assets"."assets", "assets"."tenant_limits" TO lyceum_app, lyceum_platform;
