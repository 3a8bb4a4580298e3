-- RLS forced for owners too; operators and their sessions are reachable only by the platform role.
ALTER TABLE "identity"."browser_sessions" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "identity"."mfa_requirements" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "identity"."instructor_applications" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "identity"."api_keys" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "identity"."impersonations" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "identity"."operators" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "identity"."operator_sessions" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "platform"."audit_chain_heads" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "identity"."browser_sessions", "identity"."mfa_requirements", "identity"."instructor_applications", "identity"."api_keys", "identity"."impersonations" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON "identity"."operators", "identity"."operator_sessions" TO lyceum_platform;--> statement-breakpoint
-- Chain heads move forward only; nobody deletes one.
GRANT SELECT, INSERT, UPDATE ON "platform"."audit_chain_heads" TO lyceum_app, lyceum_platform;
