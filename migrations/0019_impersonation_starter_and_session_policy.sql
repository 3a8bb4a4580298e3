CREATE TABLE "identity"."session_policies" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"idle_timeout_minutes" integer NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "session_policies_idle_timeout_range" CHECK ("identity"."session_policies"."idle_timeout_minutes" between 15 and 43200)
);
--> statement-breakpoint
ALTER TABLE "identity"."session_policies" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "identity"."impersonations" ADD COLUMN "starter_session_id" uuid;--> statement-breakpoint
ALTER TABLE "identity"."session_policies" ADD CONSTRAINT "session_policies_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "impersonations_starter_idx" ON "identity"."impersonations" USING btree ("starter_session_id") WHERE "identity"."impersonations"."ended_at" is null;--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "identity"."session_policies" AS PERMISSIVE FOR ALL TO public USING ("identity"."session_policies"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("identity"."session_policies"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "identity"."session_policies" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);