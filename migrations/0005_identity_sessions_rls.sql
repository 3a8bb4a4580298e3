ALTER TABLE "identity"."sessions" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "identity"."refresh_tokens" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "identity"."sessions", "identity"."refresh_tokens" TO lyceum_app, lyceum_platform;
