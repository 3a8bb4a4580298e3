-- Learning policies: RLS forced for owners too; the request roles read, create and change the
-- tenant's row, never delete it (no row means the defaults, so deleting would be a silent reset).
ALTER TABLE "catalogue"."learning_policies" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON "catalogue"."learning_policies" TO lyceum_app, lyceum_platform;
