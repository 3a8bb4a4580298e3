-- Payments: RLS forced for owners too. Requests and jobs of a tenant read and write its payments
-- and mark its attributed webhook events processed; receipt and attribution of webhook events run
-- as the platform role. Payments and events are never deleted. The sandbox provider's tables are
-- the simulated provider's side: the platform role only.
GRANT USAGE ON SCHEMA "commerce" TO lyceum_app, lyceum_platform;--> statement-breakpoint
ALTER TABLE "commerce"."payments" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "commerce"."payment_webhook_events" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "commerce"."sandbox_payments" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "commerce"."sandbox_refunds" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "commerce"."sandbox_idempotency_keys" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "commerce"."sandbox_events" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON "commerce"."payments", "commerce"."payment_webhook_events" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON "commerce"."sandbox_payments", "commerce"."sandbox_refunds", "commerce"."sandbox_idempotency_keys", "commerce"."sandbox_events" TO lyceum_platform;
