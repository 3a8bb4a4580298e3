CREATE TABLE "notifications"."digests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"frequency" text NOT NULL,
	"period" text NOT NULL,
	"item_count" integer NOT NULL,
	"mail_message_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "digests_once" UNIQUE("tenant_id","user_id","frequency","period"),
	CONSTRAINT "digests_frequency_known" CHECK ("notifications"."digests"."frequency" IN ('daily', 'weekly'))
);
--> statement-breakpoint
ALTER TABLE "notifications"."digests" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "notifications"."push_subscriptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"endpoint" text NOT NULL,
	"keys_sealed" text NOT NULL,
	"label" text,
	"expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_success_at" timestamp with time zone,
	CONSTRAINT "push_subscriptions_endpoint_key" UNIQUE("tenant_id","endpoint")
);
--> statement-breakpoint
ALTER TABLE "notifications"."push_subscriptions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "notifications"."deliveries" DROP CONSTRAINT "deliveries_channel_known";--> statement-breakpoint
ALTER TABLE "notifications"."deliveries" DROP CONSTRAINT "deliveries_status_known";--> statement-breakpoint
ALTER TABLE "notifications"."deliveries" DROP CONSTRAINT "deliveries_reason_known";--> statement-breakpoint
ALTER TABLE "notifications"."preferences" DROP CONSTRAINT "preferences_channel_known";--> statement-breakpoint
ALTER TABLE "notifications"."tenant_defaults" DROP CONSTRAINT "tenant_defaults_channel_known";--> statement-breakpoint
ALTER TABLE "notifications"."preferences" ALTER COLUMN "enabled" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "notifications"."tenant_defaults" ALTER COLUMN "enabled" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "notifications"."deliveries" ADD COLUMN "digest_frequency" text;--> statement-breakpoint
ALTER TABLE "notifications"."deliveries" ADD COLUMN "digest_id" uuid;--> statement-breakpoint
ALTER TABLE "notifications"."preferences" ADD COLUMN "frequency" text;--> statement-breakpoint
ALTER TABLE "notifications"."tenant_defaults" ADD COLUMN "frequency" text;--> statement-breakpoint
ALTER TABLE "notifications"."digests" ADD CONSTRAINT "digests_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications"."push_subscriptions" ADD CONSTRAINT "push_subscriptions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "push_subscriptions_user_idx" ON "notifications"."push_subscriptions" USING btree ("tenant_id","user_id");--> statement-breakpoint
CREATE INDEX "deliveries_digest_pending_idx" ON "notifications"."deliveries" USING btree ("tenant_id","user_id","digest_frequency") WHERE "notifications"."deliveries"."status" = 'digest';--> statement-breakpoint
ALTER TABLE "notifications"."deliveries" ADD CONSTRAINT "deliveries_digest_frequency_known" CHECK ("notifications"."deliveries"."digest_frequency" IS NULL OR "notifications"."deliveries"."digest_frequency" IN ('daily', 'weekly'));--> statement-breakpoint
ALTER TABLE "notifications"."deliveries" ADD CONSTRAINT "deliveries_channel_known" CHECK ("notifications"."deliveries"."channel" IN ('email', 'inbox', 'push'));--> statement-breakpoint
ALTER TABLE "notifications"."deliveries" ADD CONSTRAINT "deliveries_status_known" CHECK ("notifications"."deliveries"."status" IN ('sent', 'deferred', 'skipped', 'queued', 'digest'));--> statement-breakpoint
ALTER TABLE "notifications"."deliveries" ADD CONSTRAINT "deliveries_reason_known" CHECK ("notifications"."deliveries"."reason" IS NULL OR "notifications"."deliveries"."reason" IN ('opted_out', 'inactive', 'no_address', 'no_device'));--> statement-breakpoint
ALTER TABLE "notifications"."preferences" ADD CONSTRAINT "preferences_frequency_known" CHECK ("notifications"."preferences"."frequency" IS NULL OR ("notifications"."preferences"."channel" = 'email' AND "notifications"."preferences"."frequency" IN ('immediately', 'daily', 'weekly')));--> statement-breakpoint
ALTER TABLE "notifications"."preferences" ADD CONSTRAINT "preferences_channel_known" CHECK ("notifications"."preferences"."channel" IN ('email', 'inbox', 'push'));--> statement-breakpoint
ALTER TABLE "notifications"."tenant_defaults" ADD CONSTRAINT "tenant_defaults_frequency_known" CHECK ("notifications"."tenant_defaults"."frequency" IS NULL OR ("notifications"."tenant_defaults"."channel" = 'email' AND "notifications"."tenant_defaults"."frequency" IN ('immediately', 'daily', 'weekly')));--> statement-breakpoint
ALTER TABLE "notifications"."tenant_defaults" ADD CONSTRAINT "tenant_defaults_channel_known" CHECK ("notifications"."tenant_defaults"."channel" IN ('email', 'inbox', 'push'));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "notifications"."digests" AS PERMISSIVE FOR ALL TO public USING ("notifications"."digests"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("notifications"."digests"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "notifications"."digests" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "notifications"."push_subscriptions" AS PERMISSIVE FOR ALL TO public USING ("notifications"."push_subscriptions"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("notifications"."push_subscriptions"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "notifications"."push_subscriptions" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);