CREATE SCHEMA "notifications";
--> statement-breakpoint
CREATE TABLE "notifications"."deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"event_id" text NOT NULL,
	"type" text NOT NULL,
	"recipient_key" text NOT NULL,
	"user_id" uuid,
	"channel" text NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"params" jsonb,
	"deliver_after" timestamp with time zone,
	"mail_message_id" uuid,
	"inbox_item_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"settled_at" timestamp with time zone,
	CONSTRAINT "deliveries_once" UNIQUE("tenant_id","event_id","recipient_key","channel"),
	CONSTRAINT "deliveries_channel_known" CHECK ("notifications"."deliveries"."channel" IN ('email', 'inbox')),
	CONSTRAINT "deliveries_status_known" CHECK ("notifications"."deliveries"."status" IN ('sent', 'deferred', 'skipped')),
	CONSTRAINT "deliveries_reason_known" CHECK ("notifications"."deliveries"."reason" IS NULL OR "notifications"."deliveries"."reason" IN ('opted_out', 'inactive', 'no_address'))
);
--> statement-breakpoint
ALTER TABLE "notifications"."deliveries" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "notifications"."inbox_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"type" text NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"path" text,
	"event_id" text NOT NULL,
	"read_at" timestamp with time zone,
	"archived_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "notifications"."inbox_items" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "notifications"."preferences" (
	"tenant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"type" text NOT NULL,
	"channel" text NOT NULL,
	"enabled" boolean NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "preferences_pkey" PRIMARY KEY("tenant_id","user_id","type","channel"),
	CONSTRAINT "preferences_channel_known" CHECK ("notifications"."preferences"."channel" IN ('email', 'inbox'))
);
--> statement-breakpoint
ALTER TABLE "notifications"."preferences" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "notifications"."quiet_hours" (
	"tenant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"starts_at" text NOT NULL,
	"ends_at" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "quiet_hours_pkey" PRIMARY KEY("tenant_id","user_id"),
	CONSTRAINT "quiet_hours_times" CHECK ("notifications"."quiet_hours"."starts_at" ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' AND "notifications"."quiet_hours"."ends_at" ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' AND "notifications"."quiet_hours"."starts_at" <> "notifications"."quiet_hours"."ends_at")
);
--> statement-breakpoint
ALTER TABLE "notifications"."quiet_hours" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "notifications"."tenant_defaults" (
	"tenant_id" uuid NOT NULL,
	"type" text NOT NULL,
	"channel" text NOT NULL,
	"enabled" boolean NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenant_defaults_pkey" PRIMARY KEY("tenant_id","type","channel"),
	CONSTRAINT "tenant_defaults_channel_known" CHECK ("notifications"."tenant_defaults"."channel" IN ('email', 'inbox'))
);
--> statement-breakpoint
ALTER TABLE "notifications"."tenant_defaults" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "notifications"."deliveries" ADD CONSTRAINT "deliveries_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications"."inbox_items" ADD CONSTRAINT "inbox_items_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications"."preferences" ADD CONSTRAINT "preferences_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications"."quiet_hours" ADD CONSTRAINT "quiet_hours_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications"."tenant_defaults" ADD CONSTRAINT "tenant_defaults_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "inbox_items_list_idx" ON "notifications"."inbox_items" USING btree ("tenant_id","user_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "inbox_items_unread_idx" ON "notifications"."inbox_items" USING btree ("tenant_id","user_id") WHERE "notifications"."inbox_items"."read_at" IS NULL AND "notifications"."inbox_items"."archived_at" IS NULL;--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "notifications"."deliveries" AS PERMISSIVE FOR ALL TO public USING ("notifications"."deliveries"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("notifications"."deliveries"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "notifications"."deliveries" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "notifications"."inbox_items" AS PERMISSIVE FOR ALL TO public USING ("notifications"."inbox_items"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("notifications"."inbox_items"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "notifications"."inbox_items" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "notifications"."preferences" AS PERMISSIVE FOR ALL TO public USING ("notifications"."preferences"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("notifications"."preferences"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "notifications"."preferences" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "notifications"."quiet_hours" AS PERMISSIVE FOR ALL TO public USING ("notifications"."quiet_hours"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("notifications"."quiet_hours"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "notifications"."quiet_hours" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "notifications"."tenant_defaults" AS PERMISSIVE FOR ALL TO public USING ("notifications"."tenant_defaults"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("notifications"."tenant_defaults"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "notifications"."tenant_defaults" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);