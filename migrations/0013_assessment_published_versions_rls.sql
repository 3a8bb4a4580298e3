-- Published assessment copies: RLS forced for owners too; the request roles may read and insert,
-- never update or delete (a published version is immutable).
ALTER TABLE "assessment"."published_assessments" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT SELECT, INSERT ON "assessment"."published_assessments" TO lyceum_app, lyceum_platform;
