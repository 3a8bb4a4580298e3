-- Moderation: RLS forced for owners too, grants for the request roles. Cases, actions and appeals
-- change in place (status, undone_at, decision); their history is in platform.audit_log.
ALTER TABLE "moderation"."cases" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "moderation"."reports" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "moderation"."actions" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "moderation"."appeals" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "moderation"."follow_up_settings" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "moderation"."report_counters" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "moderation"."word_filter_phrases" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT USAGE ON SCHEMA "moderation" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "moderation" TO lyceum_app, lyceum_platform;
