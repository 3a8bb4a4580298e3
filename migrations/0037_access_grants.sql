CREATE TABLE "enrolment"."access_grants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"enrolment_id" uuid NOT NULL,
	"source" text NOT NULL,
	"source_ref" text,
	"granted_by" text NOT NULL,
	"starts_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ends_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"revoked_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "access_grants_external_reference" CHECK ("enrolment"."access_grants"."source" NOT IN ('purchase', 'subscription') OR "enrolment"."access_grants"."source_ref" IS NOT NULL),
	CONSTRAINT "access_grants_revocation_reason" CHECK (("enrolment"."access_grants"."revoked_at" IS NULL) = ("enrolment"."access_grants"."revoked_reason" IS NULL))
);
--> statement-breakpoint
ALTER TABLE "enrolment"."access_grants" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "enrolment"."enrolments" ADD COLUMN "cancelled_by_staff" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "enrolment"."access_grants" ADD CONSTRAINT "access_grants_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrolment"."access_grants" ADD CONSTRAINT "access_grants_enrolment_id_enrolments_id_fk" FOREIGN KEY ("enrolment_id") REFERENCES "enrolment"."enrolments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "access_grants_enrolment_idx" ON "enrolment"."access_grants" USING btree ("enrolment_id");--> statement-breakpoint
CREATE UNIQUE INDEX "access_grants_source_ref_key" ON "enrolment"."access_grants" USING btree ("tenant_id","source","source_ref","enrolment_id") WHERE "enrolment"."access_grants"."source_ref" IS NOT NULL;--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "enrolment"."access_grants" AS PERMISSIVE FOR ALL TO public USING ("enrolment"."access_grants"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("enrolment"."access_grants"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "enrolment"."access_grants" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);