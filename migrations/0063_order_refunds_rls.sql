-- Refunds and disputes of orders: RLS forced for owners too; nothing is ever deleted. A refund is
-- written once and later changes only its state (requested → pending → succeeded or failed, the
-- provider's id once known); a dispute only closes, once. "Only" is enforced twice: column grants
-- (the request roles can update nothing else) and a trigger: a succeeded refund and a closed
-- dispute never change again, and a refund linked to the provider's refund stays linked to it, so
-- a replayed or forged event can never move money that was booked.
ALTER TABLE "commerce"."order_refunds" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "commerce"."order_disputes" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT SELECT, INSERT ON "commerce"."order_refunds", "commerce"."order_disputes" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT UPDATE ("status", "provider_refund_id", "failure", "settled_at", "updated_at")
  ON "commerce"."order_refunds" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT UPDATE ("status", "closed_at", "updated_at") ON "commerce"."order_disputes" TO lyceum_app, lyceum_platform;--> statement-breakpoint
CREATE FUNCTION "commerce"."order_refunds_settled_once"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'succeeded' THEN
    RAISE EXCEPTION 'refund % has succeeded and cannot change', OLD.id USING ERRCODE = '55000';
  END IF;
  IF OLD.provider_refund_id IS NOT NULL AND NEW.provider_refund_id IS DISTINCT FROM OLD.provider_refund_id THEN
    RAISE EXCEPTION 'refund % belongs to provider refund % and cannot be relinked', OLD.id, OLD.provider_refund_id
      USING ERRCODE = '55000';
  END IF;
  IF (NEW.order_id, NEW.payment_id, NEW.origin, NEW.request_key, NEW.amount, NEW.currency, NEW.reason, NEW.requested_by, NEW.created_at)
     IS DISTINCT FROM (OLD.order_id, OLD.payment_id, OLD.origin, OLD.request_key, OLD.amount, OLD.currency, OLD.reason, OLD.requested_by, OLD.created_at) THEN
    RAISE EXCEPTION 'refund % is written once; only its state changes', OLD.id USING ERRCODE = '55000';
  END IF;
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "order_refunds_settled_once" BEFORE UPDATE ON "commerce"."order_refunds"
  FOR EACH ROW EXECUTE FUNCTION "commerce"."order_refunds_settled_once"();--> statement-breakpoint
CREATE FUNCTION "commerce"."order_disputes_closed_once"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status <> 'open' THEN
    RAISE EXCEPTION 'dispute % is % and cannot change', OLD.id, OLD.status USING ERRCODE = '55000';
  END IF;
  IF (NEW.order_id, NEW.payment_id, NEW.provider_dispute_id, NEW.amount, NEW.currency, NEW.reason, NEW.opened_at)
     IS DISTINCT FROM (OLD.order_id, OLD.payment_id, OLD.provider_dispute_id, OLD.amount, OLD.currency, OLD.reason, OLD.opened_at) THEN
    RAISE EXCEPTION 'dispute % is written once; only its outcome is set', OLD.id USING ERRCODE = '55000';
  END IF;
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "order_disputes_closed_once" BEFORE UPDATE ON "commerce"."order_disputes"
  FOR EACH ROW EXECUTE FUNCTION "commerce"."order_disputes_closed_once"();
