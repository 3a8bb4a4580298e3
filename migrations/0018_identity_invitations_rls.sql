-- Invitations: RLS forced for owners too; the request roles read and write them (nobody deletes:
-- a revoked or used invitation stays as the record of who invited whom).
ALTER TABLE "identity"."invitations" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON "identity"."invitations" TO lyceum_app, lyceum_platform;
