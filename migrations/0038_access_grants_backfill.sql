-- Access grants (ADR 0008): every enrolment made before grants existed gets its single-source
-- columns as its first grant (source, reference, who granted it, from its enrolment until its
-- end of access); a cancelled one's grant is revoked when it ended, and it is marked cancelled by
-- the school (the only way an enrolment could be cancelled then). Re-running adds nothing: only
-- enrolments without any grant are filled in.
-- The owner runs migrations but FORCE ROW LEVEL SECURITY applies to it too (no tenant is set
-- here): both tables are unforced for these statements, inside the migration's transaction, and
-- forced again at the end. The request roles read, add and revoke grants, never delete one: they
-- are the record of why a learner had access.
ALTER TABLE "enrolment"."enrolments" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "enrolment"."access_grants" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
WITH backfilled AS (
  INSERT INTO "enrolment"."access_grants"
         ("tenant_id", "enrolment_id", "source", "source_ref", "granted_by", "starts_at", "ends_at",
          "revoked_at", "revoked_reason", "created_at")
  SELECT e."tenant_id", e."id", e."source", e."source_ref", e."enrolled_by", e."enrolled_at", e."expires_at",
         CASE WHEN e."status" = 'cancelled' THEN coalesce(e."ended_at", now()) END,
         CASE WHEN e."status" = 'cancelled' THEN 'enrolment_cancelled' END,
         e."enrolled_at"
    FROM "enrolment"."enrolments" e
   WHERE NOT EXISTS (SELECT 1 FROM "enrolment"."access_grants" g WHERE g."enrolment_id" = e."id")
  RETURNING "enrolment_id", "revoked_at"
)
UPDATE "enrolment"."enrolments" SET "cancelled_by_staff" = true
 WHERE "id" IN (SELECT "enrolment_id" FROM backfilled WHERE "revoked_at" IS NOT NULL);--> statement-breakpoint
ALTER TABLE "enrolment"."enrolments" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "enrolment"."access_grants" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON "enrolment"."access_grants" TO lyceum_app, lyceum_platform;
