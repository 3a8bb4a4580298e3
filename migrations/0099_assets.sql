CREATE SCHEMA "assets";
--> statement-breakpoint
CREATE TABLE "assets"."assets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"created_by" uuid NOT NULL,
	"use" text NOT NULL,
	"state" text NOT NULL,
	"reason" text,
	"filename" text NOT NULL,
	"mime" text,
	"size" bigint NOT NULL,
	"sha256" text,
	"signature" text,
	"storage_key" text,
	"scan_attempts" integer DEFAULT 0 NOT NULL,
	"scanned_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "assets_state_known" CHECK ("assets"."assets"."state" IN ('receiving', 'uploaded', 'scanning', 'clean', 'infected', 'unscanned', 'rejected')),
	CONSTRAINT "assets_use_known" CHECK ("assets"."assets"."use" IN ('image', 'document', 'ebook', 'video', 'audio')),
	CONSTRAINT "assets_size_nonnegative" CHECK ("assets"."assets"."size" >= 0),
	CONSTRAINT "assets_sha256_hex" CHECK ("assets"."assets"."sha256" IS NULL OR "assets"."assets"."sha256" ~ '^[0-9a-f]{64}$')
);
--> statement-breakpoint
ALTER TABLE "assets"."assets" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "assets"."tenant_limits" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"max_upload_bytes" bigint,
	"quota_bytes" bigint,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenant_limits_positive" CHECK (coalesce("assets"."tenant_limits"."max_upload_bytes", 1) > 0 AND coalesce("assets"."tenant_limits"."quota_bytes", 1) > 0)
);
--> statement-breakpoint
ALTER TABLE "assets"."tenant_limits" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "assets"."assets" ADD CONSTRAINT "assets_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assets"."tenant_limits" ADD CONSTRAINT "tenant_limits_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "assets_list_idx" ON "assets"."assets" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "assets_state_idx" ON "assets"."assets" USING btree ("tenant_id","state","updated_at");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "assets"."assets" AS PERMISSIVE FOR ALL TO public USING ("assets"."assets"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("assets"."assets"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "assets"."assets" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "assets"."tenant_limits" AS PERMISSIVE FOR ALL TO public USING ("assets"."tenant_limits"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("assets"."tenant_limits"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "assets"."tenant_limits" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);