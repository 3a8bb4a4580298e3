-- Identity tables: RLS forced for owners too; signing keys are reachable only by the platform role.
ALTER TABLE "identity"."signing_keys" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "identity"."users" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "identity"."memberships" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "identity"."one_time_tokens" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT USAGE ON SCHEMA "identity" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON "identity"."signing_keys" TO lyceum_platform;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "identity"."users", "identity"."memberships", "identity"."one_time_tokens" TO lyceum_app, lyceum_platform;
