-- Orders (ADR 0025): RLS forced for owners too; nothing is ever deleted. An order's amounts, buyer,
-- currency and billing place are written once: the request roles may update only its state
-- columns (status, payment, capture evidence, refund bookkeeping). Its lines are written once.
ALTER TABLE "commerce"."orders" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "commerce"."order_lines" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT SELECT, INSERT ON "commerce"."orders", "commerce"."order_lines" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT UPDATE ("status", "payment_id", "provider", "card_country", "paid_at", "refunded_amount", "needs_refund", "admission_refusal", "review_reason", "updated_at")
  ON "commerce"."orders" TO lyceum_app, lyceum_platform;--> statement-breakpoint
-- An order's totals are the sums of its lines, and it has at least one, checked at commit
-- (deferred: the order and its lines are inserted one statement at a time), like the ledger's
-- balance (migration 0046). It fires for each new order (none may stay without lines), for each
-- new, changed or removed line, and for a change of an order's amounts (the grants allow none
-- to the request roles; this holds for every role). It runs as the writer, under RLS: a line
-- belongs to its order's tenant (the composite foreign key), so the writer sees all of them.
CREATE FUNCTION "commerce"."orders_check_totals"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  affected uuid[];
  checked uuid;
  placed record;
  sums record;
BEGIN
  IF TG_TABLE_NAME = 'orders' THEN
    affected := ARRAY[NEW.id];
  ELSIF TG_OP = 'INSERT' THEN
    affected := ARRAY[NEW.order_id];
  ELSIF TG_OP = 'DELETE' THEN
    affected := ARRAY[OLD.order_id];
  ELSE
    affected := ARRAY[OLD.order_id, NEW.order_id];
  END IF;
  FOREACH checked IN ARRAY affected LOOP
    SELECT subtotal, discount_total, net_total, tax_total, total INTO placed FROM "commerce"."orders" WHERE id = checked;
    CONTINUE WHEN NOT FOUND;
    SELECT count(*) AS lines, coalesce(sum(list_price), 0) AS subtotal, coalesce(sum(discount), 0) AS discount_total,
           coalesce(sum(net), 0) AS net_total, coalesce(sum(tax), 0) AS tax_total, coalesce(sum(gross), 0) AS total
      INTO sums FROM "commerce"."order_lines" WHERE order_id = checked;
    IF sums.lines = 0 THEN
      RAISE EXCEPTION 'order % has no lines; an order needs at least one', checked
        USING ERRCODE = 'check_violation', CONSTRAINT = 'order_lines_present';
    END IF;
    IF (placed.subtotal, placed.discount_total, placed.net_total, placed.tax_total, placed.total)
       IS DISTINCT FROM (sums.subtotal, sums.discount_total, sums.net_total, sums.tax_total, sums.total) THEN
      RAISE EXCEPTION 'order % totals (subtotal %, discount %, net %, tax %, total %) are not the sums of its lines (%, %, %, %, %)',
        checked, placed.subtotal, placed.discount_total, placed.net_total, placed.tax_total, placed.total,
        sums.subtotal, sums.discount_total, sums.net_total, sums.tax_total, sums.total
        USING ERRCODE = 'check_violation', CONSTRAINT = 'order_totals_sum_lines';
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "orders_totals" AFTER INSERT OR UPDATE OF "subtotal", "discount_total", "net_total", "tax_total", "total" ON "commerce"."orders"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "commerce"."orders_check_totals"();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "order_lines_totals" AFTER INSERT OR UPDATE OR DELETE ON "commerce"."order_lines"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "commerce"."orders_check_totals"();
