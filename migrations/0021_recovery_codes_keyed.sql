-- Recovery codes move from 50-bit codes stored as unsalted SHA-256 to 120-bit codes stored as
-- HMAC-SHA256 under RECOVERY_CODE_HMAC_SECRET (ADR 0014). The old digests cannot be converted
-- (the codes are not known) and would stay brute-forceable from a copy of this table, so they are
-- deleted: users keep signing in with their authenticator, GET /v1/me/mfa shows
-- recoveryCodesRemaining 0, and POST /v1/me/mfa/recovery-codes issues new ones.
DELETE FROM identity.recovery_codes;
