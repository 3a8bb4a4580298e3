ALTER TABLE "identity"."totp_factors" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "identity"."recovery_codes" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "identity"."totp_factors", "identity"."recovery_codes" TO lyceum_app, lyceum_platform;
