-- The sandbox's balance movements are the simulated provider's side, like its other tables: RLS
-- forced, the platform role only, never updated or deleted (a provider's balance history is
-- append-only). Movements start with this release: sandbox payments captured before it have none.
ALTER TABLE "commerce"."sandbox_balance_transactions" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT SELECT, INSERT ON "commerce"."sandbox_balance_transactions" TO lyceum_platform;
