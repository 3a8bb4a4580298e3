-- Recovery codes move from 50-bit codes stored as unsalted SHA-256 to 120-bit codes stored as
-- HMAC-SHA256 under RECOVERY_CODE_HMAC_SECRET (ADR 0014). The old digests cannot be converted
-- (the codes are not known) and would stay brute-forceable from a copy of this table, so they are
-- deleted: users keep signing in with their authenticator, GET /v1/me/mfa shows
-- recoveryCodesRemaining 0, and POST /v1/me/mfa/recovery-codes issues new ones.
-- FORCE ROW LEVEL SECURITY applies to the owner running migrations too (no tenant is set here, so
-- the DELETE would see no row unless run by a superuser): unforced for this one statement, inside
-- the migration's transaction.
ALTER TABLE "identity"."recovery_codes" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
DELETE FROM "identity"."recovery_codes";--> statement-breakpoint
ALTER TABLE "identity"."recovery_codes" FORCE ROW LEVEL SECURITY;
