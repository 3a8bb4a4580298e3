-- The lesson read model (ADR 0016, "read models maintained at publication"): RLS forced on the
-- new table for owners too; the request roles may read and insert bodies, never change them (a
-- published version is immutable). 0024 added course_versions.outline without NOT NULL so the
-- versions published before it can be filled in here: the outline is the snapshot with every
-- lesson's "body" removed (order kept), and each lesson's body gets its row.
-- The owner runs migrations but FORCE ROW LEVEL SECURITY applies to it too (no tenant is set
-- here): course_versions is unforced for these statements, inside the migration's transaction;
-- the new table is forced once it is filled.
ALTER TABLE "catalogue"."course_versions" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
UPDATE "catalogue"."course_versions" v
   SET "outline" = jsonb_set(v."snapshot", '{modules}', COALESCE((
         SELECT jsonb_agg(jsonb_set(m.value, '{lessons}', COALESCE((
                  SELECT jsonb_agg(l.value - 'body' ORDER BY l.ordinality)
                    FROM jsonb_array_elements(m.value -> 'lessons') WITH ORDINALITY AS l), '[]'::jsonb))
                ORDER BY m.ordinality)
           FROM jsonb_array_elements(v."snapshot" -> 'modules') WITH ORDINALITY AS m), '[]'::jsonb));--> statement-breakpoint
INSERT INTO "catalogue"."published_lesson_bodies" ("tenant_id", "version_id", "lesson_id", "body")
SELECT v."tenant_id", v."id", (l.value ->> 'id')::uuid, COALESCE(l.value ->> 'body', '')
  FROM "catalogue"."course_versions" v
 CROSS JOIN LATERAL jsonb_array_elements(v."snapshot" -> 'modules') AS m
 CROSS JOIN LATERAL jsonb_array_elements(m.value -> 'lessons') AS l;--> statement-breakpoint
ALTER TABLE "catalogue"."course_versions" ALTER COLUMN "outline" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "catalogue"."course_versions" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."published_lesson_bodies" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT SELECT, INSERT ON "catalogue"."published_lesson_bodies" TO lyceum_app, lyceum_platform;
