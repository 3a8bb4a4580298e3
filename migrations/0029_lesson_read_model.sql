CREATE TABLE "catalogue"."published_lesson_bodies" (
	"tenant_id" uuid NOT NULL,
	"version_id" uuid NOT NULL,
	"lesson_id" uuid NOT NULL,
	"body" text NOT NULL,
	CONSTRAINT "published_lesson_bodies_version_id_lesson_id_pk" PRIMARY KEY("version_id","lesson_id")
);
--> statement-breakpoint
ALTER TABLE "catalogue"."published_lesson_bodies" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."course_versions" ADD COLUMN "outline" jsonb;--> statement-breakpoint
ALTER TABLE "catalogue"."published_lesson_bodies" ADD CONSTRAINT "published_lesson_bodies_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalogue"."published_lesson_bodies" ADD CONSTRAINT "published_lesson_bodies_version_id_course_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "catalogue"."course_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "catalogue"."published_lesson_bodies" AS PERMISSIVE FOR ALL TO public USING ("catalogue"."published_lesson_bodies"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("catalogue"."published_lesson_bodies"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "catalogue"."published_lesson_bodies" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);