-- Owners bypass RLS unless it is forced; the app role gets exactly the privileges it needs.
-- Roles are created by the migrator before this runs (they are cluster-wide; see migrate.ts).
ALTER TABLE "tenancy"."tenants" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "tenancy"."tenant_domains" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "flags"."flag_overrides" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "platform"."audit_log" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "platform"."domain_events" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "platform"."event_deliveries" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "platform"."idempotency_keys" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "platform"."mail_messages" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT USAGE ON SCHEMA "tenancy", "flags", "platform" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "tenancy", "flags", "platform" TO lyceum_app, lyceum_platform;--> statement-breakpoint
-- The audit log is append-only for everyone but its owner.
REVOKE UPDATE, DELETE, TRUNCATE ON "platform"."audit_log" FROM lyceum_app, lyceum_platform;
