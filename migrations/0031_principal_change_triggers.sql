-- Session-state cache invalidation (ADR 0018). Every table a session check reads announces its
-- committed changes on the channel 'lyceum_principal_changes', so every node's session cache lets
-- go of the affected user's (or tenant's) sessions, whatever code path made the change. A NOTIFY
-- is delivered when the transaction commits and never when it rolls back; identical payloads of
-- one transaction are delivered once. The triggers run as the writer (lyceum_app or the owner):
-- pg_notify needs no privilege, and the function reads nothing but the row it is given.
--
-- Arguments: the payload kind ('u' user, 't' tenant, 'k' signing keys) and the row's column that
-- names the user or tenant. Both the old and the new row are announced (an update could move it).
CREATE FUNCTION "identity"."announce_principal_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_ARGV[0] = 'k' THEN
    PERFORM pg_notify('lyceum_principal_changes', 'k');
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    PERFORM pg_notify('lyceum_principal_changes', TG_ARGV[0] || ' ' || (to_jsonb(OLD) ->> TG_ARGV[1]));
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM pg_notify('lyceum_principal_changes', TG_ARGV[0] || ' ' || (to_jsonb(NEW) ->> TG_ARGV[1]));
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
-- Sessions: revoked (logout, logout-all, revocation, refresh reuse, idle timeout, password change),
-- shortened, deleted, or their last use moved into the past (history rewritten by an operator or a
-- test: it can make a session idle). The per-minute touch of every check only moves last_used_at
-- forward and changes no other column, so the WHEN clause keeps it from announcing anything.
CREATE TRIGGER "sessions_announce_update" AFTER UPDATE OF "revoked_at", "expires_at", "user_id", "last_used_at" ON "identity"."sessions"
  FOR EACH ROW WHEN (OLD."revoked_at" IS DISTINCT FROM NEW."revoked_at" OR OLD."expires_at" IS DISTINCT FROM NEW."expires_at"
    OR OLD."user_id" IS DISTINCT FROM NEW."user_id" OR NEW."last_used_at" < OLD."last_used_at")
  EXECUTE FUNCTION "identity"."announce_principal_change"('u', 'user_id');--> statement-breakpoint
CREATE TRIGGER "sessions_announce_delete" AFTER DELETE ON "identity"."sessions"
  FOR EACH ROW EXECUTE FUNCTION "identity"."announce_principal_change"('u', 'user_id');--> statement-breakpoint
-- Users: disabled or enabled, deleted (sign-in counters and profile edits announce nothing).
CREATE TRIGGER "users_announce_status" AFTER UPDATE OF "status" ON "identity"."users"
  FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status")
  EXECUTE FUNCTION "identity"."announce_principal_change"('u', 'id');--> statement-breakpoint
CREATE TRIGGER "users_announce_delete" AFTER DELETE ON "identity"."users"
  FOR EACH ROW EXECUTE FUNCTION "identity"."announce_principal_change"('u', 'id');--> statement-breakpoint
-- Memberships are the roles a check returns: any grant, change or removal.
CREATE TRIGGER "memberships_announce" AFTER INSERT OR UPDATE OR DELETE ON "identity"."memberships"
  FOR EACH ROW EXECUTE FUNCTION "identity"."announce_principal_change"('u', 'user_id');--> statement-breakpoint
-- Second factors decide MFA enrolment pending: enrolled, confirmed, removed (not the per-use
-- step and failure counters).
CREATE TRIGGER "totp_factors_announce_insert_delete" AFTER INSERT OR DELETE ON "identity"."totp_factors"
  FOR EACH ROW EXECUTE FUNCTION "identity"."announce_principal_change"('u', 'user_id');--> statement-breakpoint
CREATE TRIGGER "totp_factors_announce_confirmed" AFTER UPDATE OF "confirmed_at", "user_id" ON "identity"."totp_factors"
  FOR EACH ROW WHEN (OLD."confirmed_at" IS DISTINCT FROM NEW."confirmed_at" OR OLD."user_id" IS DISTINCT FROM NEW."user_id")
  EXECUTE FUNCTION "identity"."announce_principal_change"('u', 'user_id');--> statement-breakpoint
-- Tenant-wide policies a check reads: which roles require a second factor, the idle timeout.
CREATE TRIGGER "mfa_requirements_announce" AFTER INSERT OR UPDATE OR DELETE ON "identity"."mfa_requirements"
  FOR EACH ROW EXECUTE FUNCTION "identity"."announce_principal_change"('t', 'tenant_id');--> statement-breakpoint
CREATE TRIGGER "session_policies_announce" AFTER INSERT OR UPDATE OR DELETE ON "identity"."session_policies"
  FOR EACH ROW EXECUTE FUNCTION "identity"."announce_principal_change"('t', 'tenant_id');--> statement-breakpoint
-- Signing keys: a rotation or retirement anywhere makes every node reload its keys and verify
-- every cached access token again.
CREATE TRIGGER "signing_keys_announce" AFTER INSERT OR UPDATE OR DELETE ON "identity"."signing_keys"
  FOR EACH STATEMENT EXECUTE FUNCTION "identity"."announce_principal_change"('k', '');
