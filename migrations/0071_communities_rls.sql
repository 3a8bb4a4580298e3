-- Communities (ADR 0027): RLS forced for owners too, grants for the request roles. History lives
-- in platform.audit_log; community rows change in place (a membership is the summary of its
-- sources, rewritten with each change), so the request roles may update and delete them.
ALTER TABLE "community"."communities" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "community"."community_roles" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "community"."memberships" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "community"."membership_sources" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "community"."invitations" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "community"."channels" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT USAGE ON SCHEMA "community" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "community" TO lyceum_app, lyceum_platform;
