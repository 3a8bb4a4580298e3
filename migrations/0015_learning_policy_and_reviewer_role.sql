CREATE TABLE "catalogue"."learning_policies" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"allow_staff_self_enrolment" boolean DEFAULT false NOT NULL,
	"allow_self_publication" boolean DEFAULT true NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "catalogue"."learning_policies" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "identity"."memberships" DROP CONSTRAINT "memberships_role_known";--> statement-breakpoint
ALTER TABLE "identity"."mfa_requirements" DROP CONSTRAINT "mfa_requirements_role_known";--> statement-breakpoint
ALTER TABLE "catalogue"."learning_policies" ADD CONSTRAINT "learning_policies_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "learning_path_courses_course_idx" ON "catalogue"."learning_path_courses" USING btree ("tenant_id","course_id");--> statement-breakpoint
ALTER TABLE "identity"."memberships" ADD CONSTRAINT "memberships_role_known" CHECK ("identity"."memberships"."role" in ('learner', 'instructor', 'moderator', 'finance', 'compliance', 'reviewer', 'tenant_admin'));--> statement-breakpoint
ALTER TABLE "identity"."mfa_requirements" ADD CONSTRAINT "mfa_requirements_role_known" CHECK ("identity"."mfa_requirements"."role" in ('learner', 'instructor', 'moderator', 'finance', 'compliance', 'reviewer', 'tenant_admin'));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "catalogue"."learning_policies" AS PERMISSIVE FOR ALL TO public USING ("catalogue"."learning_policies"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("catalogue"."learning_policies"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "catalogue"."learning_policies" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);