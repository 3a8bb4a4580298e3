-- Session policies: RLS forced for owners too; the request roles read, create and change the
-- tenant's row, never delete it (no row means the default, so deleting would be a silent reset).
ALTER TABLE "identity"."session_policies" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON "identity"."session_policies" TO lyceum_app, lyceum_platform;--> statement-breakpoint
-- Impersonations started before they were bound to a session have no starter to check: the
-- request check refuses them already; ending them keeps GET /v1/impersonations truthful.
UPDATE "identity"."impersonations" SET "ended_at" = now() WHERE "ended_at" IS NULL AND "starter_session_id" IS NULL;
