-- The ledger's rules in the database (ADR 0021), so that no code path, raw SQL included, can
-- write an unbalanced or edited ledger. RLS is forced for owners too.
ALTER TABLE "commerce"."ledger_accounts" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "commerce"."ledger_transactions" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "commerce"."ledger_entries" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "commerce"."revenue_settings" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "commerce"."revenue_shares" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT USAGE ON SCHEMA "commerce" TO lyceum_app, lyceum_platform;--> statement-breakpoint
-- Ledger rows are written once and read: no UPDATE, DELETE or TRUNCATE for the request roles.
GRANT SELECT, INSERT ON "commerce"."ledger_accounts", "commerce"."ledger_transactions", "commerce"."ledger_entries" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON "commerce"."revenue_settings" TO lyceum_app, lyceum_platform;--> statement-breakpoint
-- A course's shares are replaced as a whole (delete, insert), never edited row by row.
GRANT SELECT, INSERT, DELETE ON "commerce"."revenue_shares" TO lyceum_app, lyceum_platform;--> statement-breakpoint
-- Immutability for every role, the owner included (a grant could be added by mistake; this
-- would still refuse). Dropping the trigger is a migration, reviewed like any other.
CREATE FUNCTION "commerce"."ledger_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger rows are immutable: % on %.% refused; post a reversal instead', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END
$$;--> statement-breakpoint
CREATE TRIGGER "ledger_accounts_immutable" BEFORE UPDATE OR DELETE ON "commerce"."ledger_accounts"
  FOR EACH ROW EXECUTE FUNCTION "commerce"."ledger_refuse_change"();--> statement-breakpoint
CREATE TRIGGER "ledger_transactions_immutable" BEFORE UPDATE OR DELETE ON "commerce"."ledger_transactions"
  FOR EACH ROW EXECUTE FUNCTION "commerce"."ledger_refuse_change"();--> statement-breakpoint
CREATE TRIGGER "ledger_entries_immutable" BEFORE UPDATE OR DELETE ON "commerce"."ledger_entries"
  FOR EACH ROW EXECUTE FUNCTION "commerce"."ledger_refuse_change"();--> statement-breakpoint
CREATE TRIGGER "ledger_accounts_no_truncate" BEFORE TRUNCATE ON "commerce"."ledger_accounts"
  FOR EACH STATEMENT EXECUTE FUNCTION "commerce"."ledger_refuse_change"();--> statement-breakpoint
CREATE TRIGGER "ledger_transactions_no_truncate" BEFORE TRUNCATE ON "commerce"."ledger_transactions"
  FOR EACH STATEMENT EXECUTE FUNCTION "commerce"."ledger_refuse_change"();--> statement-breakpoint
CREATE TRIGGER "ledger_entries_no_truncate" BEFORE TRUNCATE ON "commerce"."ledger_entries"
  FOR EACH STATEMENT EXECUTE FUNCTION "commerce"."ledger_refuse_change"();--> statement-breakpoint
-- Double entry, checked at commit (deferred: a transaction's rows are inserted one statement at
-- a time): every ledger transaction has at least two entries and they sum to zero per
-- currency. It fires for each new transaction (none may stay without entries) and for each new
-- entry (none may be added to a transaction later, committed or not). It runs as the writer,
-- under RLS: a transaction's entries all belong to its tenant (the composite foreign key), so
-- the writer sees every one of them.
CREATE FUNCTION "commerce"."ledger_check_balanced"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  checked uuid;
  entries integer;
  unbalanced text;
BEGIN
  IF TG_TABLE_NAME = 'ledger_entries' THEN
    checked := NEW.transaction_id;
  ELSE
    checked := NEW.id;
  END IF;
  SELECT count(*) INTO entries FROM "commerce"."ledger_entries" WHERE transaction_id = checked;
  IF entries < 2 THEN
    RAISE EXCEPTION 'ledger transaction % has % entries; a transaction needs at least two', checked, entries
      USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_transaction_entries';
  END IF;
  SELECT string_agg(currency || ' ' || total, ', ' ORDER BY currency) INTO unbalanced
    FROM (SELECT currency, sum(amount) AS total FROM "commerce"."ledger_entries"
           WHERE transaction_id = checked GROUP BY currency HAVING sum(amount) <> 0) AS off;
  IF unbalanced IS NOT NULL THEN
    RAISE EXCEPTION 'ledger transaction % is not balanced: its entries sum to % instead of zero', checked, unbalanced
      USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_transaction_balanced';
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "ledger_transactions_balanced" AFTER INSERT ON "commerce"."ledger_transactions"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "commerce"."ledger_check_balanced"();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "ledger_entries_balanced" AFTER INSERT ON "commerce"."ledger_entries"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "commerce"."ledger_check_balanced"();--> statement-breakpoint
-- A course's configured shares sum to 10,000 basis points (or it has none: the equal split).
CREATE FUNCTION "commerce"."revenue_shares_check_total"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  tenant uuid;
  course uuid;
  total bigint;
BEGIN
  IF TG_OP = 'DELETE' THEN
    tenant := OLD.tenant_id;
    course := OLD.course_id;
  ELSE
    tenant := NEW.tenant_id;
    course := NEW.course_id;
  END IF;
  SELECT sum(share_bps) INTO total FROM "commerce"."revenue_shares" WHERE tenant_id = tenant AND course_id = course;
  IF total IS NOT NULL AND total <> 10000 THEN
    RAISE EXCEPTION 'the revenue shares of course % sum to % basis points instead of 10000', course, total
      USING ERRCODE = 'check_violation', CONSTRAINT = 'revenue_shares_total';
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "revenue_shares_total" AFTER INSERT OR UPDATE OR DELETE ON "commerce"."revenue_shares"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "commerce"."revenue_shares_check_total"();
