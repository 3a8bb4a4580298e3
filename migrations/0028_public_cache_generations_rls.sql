-- Cache generations: RLS forced for owners too. A request role reads its tenant's generations
-- and bumps them in the transaction that changes what the public catalogue shows; rows are
-- never deleted (a missing row reads as generation 0, so deleting one could reuse a generation).
ALTER TABLE "platform"."cache_generations" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON "platform"."cache_generations" TO lyceum_app, lyceum_platform;
