CREATE TABLE "assessment"."published_assessments" (
	"version_id" uuid NOT NULL,
	"lesson_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"course_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"settings" jsonb NOT NULL,
	"questions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	CONSTRAINT "published_assessments_version_id_lesson_id_pk" PRIMARY KEY("version_id","lesson_id")
);
--> statement-breakpoint
ALTER TABLE "assessment"."published_assessments" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "assessment"."quiz_attempts" ADD COLUMN "version_id" uuid;--> statement-breakpoint
ALTER TABLE "assessment"."submissions" ADD COLUMN "version_id" uuid;--> statement-breakpoint
ALTER TABLE "assessment"."published_assessments" ADD CONSTRAINT "published_assessments_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "assessment"."published_assessments" AS PERMISSIVE FOR ALL TO public USING ("assessment"."published_assessments"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("assessment"."published_assessments"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "assessment"."published_assessments" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);