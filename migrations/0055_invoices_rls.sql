-- Invoices and credit notes (ADR 0026): the rules in the database, so that no code path, raw SQL
-- included, can edit an issued document, skip or reuse a number, issue a document whose totals
-- are not its lines, or credit more than was invoiced. RLS is forced for owners too.
ALTER TABLE "commerce"."invoice_number_series" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "commerce"."invoices" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "commerce"."invoice_lines" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "commerce"."credit_notes" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "commerce"."credit_note_lines" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
-- Documents are written once and read: no UPDATE, DELETE or TRUNCATE for the request roles.
GRANT SELECT, INSERT ON "commerce"."invoices", "commerce"."invoice_lines", "commerce"."credit_notes", "commerce"."credit_note_lines" TO lyceum_app, lyceum_platform;--> statement-breakpoint
-- A counter is created at its first number and then only moved on by one (trigger below).
GRANT SELECT, INSERT ON "commerce"."invoice_number_series" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT UPDATE ("last_number") ON "commerce"."invoice_number_series" TO lyceum_app, lyceum_platform;--> statement-breakpoint
-- Immutability for every role, the owner included (a grant added by mistake would still be
-- refused). Dropping a trigger is a migration, reviewed like any other.
CREATE FUNCTION "commerce"."invoices_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'issued invoices and credit notes are immutable: % on %.% refused; issue a credit note instead', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END
$$;--> statement-breakpoint
CREATE TRIGGER "invoices_immutable" BEFORE UPDATE OR DELETE ON "commerce"."invoices"
  FOR EACH ROW EXECUTE FUNCTION "commerce"."invoices_refuse_change"();--> statement-breakpoint
CREATE TRIGGER "invoice_lines_immutable" BEFORE UPDATE OR DELETE ON "commerce"."invoice_lines"
  FOR EACH ROW EXECUTE FUNCTION "commerce"."invoices_refuse_change"();--> statement-breakpoint
CREATE TRIGGER "credit_notes_immutable" BEFORE UPDATE OR DELETE ON "commerce"."credit_notes"
  FOR EACH ROW EXECUTE FUNCTION "commerce"."invoices_refuse_change"();--> statement-breakpoint
CREATE TRIGGER "credit_note_lines_immutable" BEFORE UPDATE OR DELETE ON "commerce"."credit_note_lines"
  FOR EACH ROW EXECUTE FUNCTION "commerce"."invoices_refuse_change"();--> statement-breakpoint
CREATE TRIGGER "invoice_number_series_no_delete" BEFORE DELETE ON "commerce"."invoice_number_series"
  FOR EACH ROW EXECUTE FUNCTION "commerce"."invoices_refuse_change"();--> statement-breakpoint
CREATE TRIGGER "invoices_no_truncate" BEFORE TRUNCATE ON "commerce"."invoices"
  FOR EACH STATEMENT EXECUTE FUNCTION "commerce"."invoices_refuse_change"();--> statement-breakpoint
CREATE TRIGGER "invoice_lines_no_truncate" BEFORE TRUNCATE ON "commerce"."invoice_lines"
  FOR EACH STATEMENT EXECUTE FUNCTION "commerce"."invoices_refuse_change"();--> statement-breakpoint
CREATE TRIGGER "credit_notes_no_truncate" BEFORE TRUNCATE ON "commerce"."credit_notes"
  FOR EACH STATEMENT EXECUTE FUNCTION "commerce"."invoices_refuse_change"();--> statement-breakpoint
CREATE TRIGGER "credit_note_lines_no_truncate" BEFORE TRUNCATE ON "commerce"."credit_note_lines"
  FOR EACH STATEMENT EXECUTE FUNCTION "commerce"."invoices_refuse_change"();--> statement-breakpoint
CREATE TRIGGER "invoice_number_series_no_truncate" BEFORE TRUNCATE ON "commerce"."invoice_number_series"
  FOR EACH STATEMENT EXECUTE FUNCTION "commerce"."invoices_refuse_change"();--> statement-breakpoint
-- Gap-free numbering, part 1: a counter starts at 1 and moves on by exactly one per update.
CREATE FUNCTION "commerce"."invoice_number_series_step"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' AND NEW.last_number <> 1 THEN
    RAISE EXCEPTION 'a % number series starts at 1, not %', NEW.series, NEW.last_number
      USING ERRCODE = 'check_violation', CONSTRAINT = 'invoice_number_series_step';
  END IF;
  IF TG_OP = 'UPDATE' AND (NEW.tenant_id <> OLD.tenant_id OR NEW.series <> OLD.series OR NEW.last_number <> OLD.last_number + 1) THEN
    RAISE EXCEPTION 'the % number series moves on by one: % cannot follow %', OLD.series, NEW.last_number, OLD.last_number
      USING ERRCODE = 'check_violation', CONSTRAINT = 'invoice_number_series_step';
  END IF;
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "invoice_number_series_step" BEFORE INSERT OR UPDATE ON "commerce"."invoice_number_series"
  FOR EACH ROW EXECUTE FUNCTION "commerce"."invoice_number_series_step"();--> statement-breakpoint
-- Part 2: a document takes the number its transaction just drew (the counter's current value,
-- whose row that transaction holds locked: any other value is taken or not drawn yet). Inserts
-- for another tenant than the transaction's are left to RLS, which refuses them.
CREATE FUNCTION "commerce"."invoices_check_drawn"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  drawn bigint;
  wanted text := CASE TG_TABLE_NAME WHEN 'invoices' THEN 'invoice' ELSE 'credit_note' END;
BEGIN
  IF NEW.tenant_id IS DISTINCT FROM coalesce(nullif(current_setting('app.tenant_id', true), '')::uuid, NEW.tenant_id) THEN
    RETURN NEW;
  END IF;
  SELECT last_number INTO drawn FROM "commerce"."invoice_number_series" s
   WHERE s.tenant_id = NEW.tenant_id AND s.series = wanted;
  IF drawn IS DISTINCT FROM NEW.sequence THEN
    RAISE EXCEPTION '% number % was not drawn from the tenant''s % series (its last number is %)', TG_TABLE_NAME, NEW.sequence, wanted, coalesce(drawn::text, 'none')
      USING ERRCODE = 'check_violation', CONSTRAINT = 'invoices_number_drawn';
  END IF;
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "invoices_number_drawn" BEFORE INSERT ON "commerce"."invoices"
  FOR EACH ROW EXECUTE FUNCTION "commerce"."invoices_check_drawn"();--> statement-breakpoint
CREATE TRIGGER "credit_notes_number_drawn" BEFORE INSERT ON "commerce"."credit_notes"
  FOR EACH ROW EXECUTE FUNCTION "commerce"."invoices_check_drawn"();--> statement-breakpoint
-- Part 3, at commit: every number a counter reached is taken by a document, so a transaction
-- that draws a number and issues nothing (or draws two and issues one) cannot commit.
CREATE FUNCTION "commerce"."invoice_number_series_check_used"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.series = 'invoice' THEN
    PERFORM 1 FROM "commerce"."invoices" WHERE tenant_id = NEW.tenant_id AND sequence = NEW.last_number;
  ELSE
    PERFORM 1 FROM "commerce"."credit_notes" WHERE tenant_id = NEW.tenant_id AND sequence = NEW.last_number;
  END IF;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'number % of the % series was drawn but no document takes it: numbers have no gaps', NEW.last_number, NEW.series
      USING ERRCODE = 'check_violation', CONSTRAINT = 'invoice_number_series_used';
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "invoice_number_series_used" AFTER INSERT OR UPDATE ON "commerce"."invoice_number_series"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "commerce"."invoice_number_series_check_used"();--> statement-breakpoint
-- Totals are the sums of the lines, checked at commit (deferred: a document's rows are inserted
-- one statement at a time), for each new document (none may stay without lines) and each new
-- line (none may be added later). It runs as the writer, under RLS: a document's lines all
-- belong to its tenant (the composite foreign keys), so the writer sees every one of them.
CREATE FUNCTION "commerce"."invoices_check_totals"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  checked uuid;
  doc record;
  sums record;
BEGIN
  -- One branch per table: PL/pgSQL resolves NEW's fields when a statement runs, so a field
  -- another table has no such column must not appear in a statement that runs for this one.
  IF TG_TABLE_NAME = 'invoices' THEN
    checked := NEW.id;
  ELSIF TG_TABLE_NAME = 'invoice_lines' THEN
    checked := NEW.invoice_id;
  ELSIF TG_TABLE_NAME = 'credit_notes' THEN
    checked := NEW.id;
  ELSE
    checked := NEW.credit_note_id;
  END IF;
  IF TG_TABLE_NAME IN ('invoices', 'invoice_lines') THEN
    SELECT subtotal, discount_total, net_total, tax_total, total INTO doc FROM "commerce"."invoices" WHERE id = checked;
    SELECT count(*) AS n, coalesce(sum(list_price), 0) AS subtotal, coalesce(sum(discount), 0) AS discount_total,
           coalesce(sum(net), 0) AS net_total, coalesce(sum(tax), 0) AS tax_total, coalesce(sum(gross), 0) AS total
      INTO sums FROM "commerce"."invoice_lines" WHERE invoice_id = checked;
    IF sums.n = 0 OR (doc.subtotal, doc.discount_total, doc.net_total, doc.tax_total, doc.total)
         IS DISTINCT FROM (sums.subtotal, sums.discount_total, sums.net_total, sums.tax_total, sums.total) THEN
      RAISE EXCEPTION 'invoice %: totals (%, %, %, %, %) are not the sums of its % lines (%, %, %, %, %)', checked,
        doc.subtotal, doc.discount_total, doc.net_total, doc.tax_total, doc.total,
        sums.n, sums.subtotal, sums.discount_total, sums.net_total, sums.tax_total, sums.total
        USING ERRCODE = 'check_violation', CONSTRAINT = 'invoice_totals';
    END IF;
  ELSE
    SELECT net_total, tax_total, total INTO doc FROM "commerce"."credit_notes" WHERE id = checked;
    SELECT count(*) AS n, coalesce(sum(net), 0) AS net_total, coalesce(sum(tax), 0) AS tax_total, coalesce(sum(gross), 0) AS total
      INTO sums FROM "commerce"."credit_note_lines" WHERE credit_note_id = checked;
    IF sums.n = 0 OR (doc.net_total, doc.tax_total, doc.total) IS DISTINCT FROM (sums.net_total, sums.tax_total, sums.total) THEN
      RAISE EXCEPTION 'credit note %: totals (%, %, %) are not the sums of its % lines (%, %, %)', checked,
        doc.net_total, doc.tax_total, doc.total, sums.n, sums.net_total, sums.tax_total, sums.total
        USING ERRCODE = 'check_violation', CONSTRAINT = 'credit_note_totals';
    END IF;
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "invoices_totals" AFTER INSERT ON "commerce"."invoices"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "commerce"."invoices_check_totals"();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "invoice_lines_totals" AFTER INSERT ON "commerce"."invoice_lines"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "commerce"."invoices_check_totals"();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "credit_notes_totals" AFTER INSERT ON "commerce"."credit_notes"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "commerce"."invoices_check_totals"();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "credit_note_lines_totals" AFTER INSERT ON "commerce"."credit_note_lines"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "commerce"."invoices_check_totals"();--> statement-breakpoint
-- Credit notes take back at most what their invoice charged and earlier credit notes left, in
-- total and per invoice line (net, tax and gross each). Credit notes of one invoice queue on a
-- transaction-scoped advisory lock (needs no privilege; FOR UPDATE would need an UPDATE grant on
-- the immutable invoice), so two concurrent ones cannot both fit into the same remainder.
CREATE FUNCTION "commerce"."credit_notes_check_remaining"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  invoiced record;
  credited record;
BEGIN
  IF NEW.tenant_id IS DISTINCT FROM coalesce(nullif(current_setting('app.tenant_id', true), '')::uuid, NEW.tenant_id) THEN
    RETURN NEW;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtextextended('commerce.credit_notes:' || NEW.invoice_id::text, 0));
  IF TG_TABLE_NAME = 'credit_notes' THEN
    SELECT total INTO invoiced FROM "commerce"."invoices" WHERE id = NEW.invoice_id AND tenant_id = NEW.tenant_id;
    SELECT coalesce(sum(total), 0) AS total INTO credited FROM "commerce"."credit_notes" WHERE invoice_id = NEW.invoice_id;
    IF invoiced.total IS NOT NULL AND credited.total + NEW.total > invoiced.total THEN
      RAISE EXCEPTION 'credit note of % exceeds the % of invoice % not yet credited', NEW.total, invoiced.total - credited.total, NEW.invoice_id
        USING ERRCODE = 'check_violation', CONSTRAINT = 'credit_notes_within_invoice';
    END IF;
  ELSE
    SELECT net, tax, gross INTO invoiced FROM "commerce"."invoice_lines" WHERE id = NEW.invoice_line_id AND tenant_id = NEW.tenant_id;
    SELECT coalesce(sum(net), 0) AS net, coalesce(sum(tax), 0) AS tax, coalesce(sum(gross), 0) AS gross
      INTO credited FROM "commerce"."credit_note_lines" WHERE invoice_line_id = NEW.invoice_line_id;
    IF invoiced.gross IS NOT NULL AND (credited.net + NEW.net > invoiced.net OR credited.tax + NEW.tax > invoiced.tax OR credited.gross + NEW.gross > invoiced.gross) THEN
      RAISE EXCEPTION 'credit of invoice line % (net %, tax %) exceeds what it charged and was not yet credited (net %, tax %)', NEW.invoice_line_id,
        NEW.net, NEW.tax, invoiced.net - credited.net, invoiced.tax - credited.tax
        USING ERRCODE = 'check_violation', CONSTRAINT = 'credit_note_lines_within_line';
    END IF;
  END IF;
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "credit_notes_within_invoice" BEFORE INSERT ON "commerce"."credit_notes"
  FOR EACH ROW EXECUTE FUNCTION "commerce"."credit_notes_check_remaining"();--> statement-breakpoint
CREATE TRIGGER "credit_note_lines_within_line" BEFORE INSERT ON "commerce"."credit_note_lines"
  FOR EACH ROW EXECUTE FUNCTION "commerce"."credit_notes_check_remaining"();
