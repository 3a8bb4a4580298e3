CREATE TABLE "community"."calendar_feed_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"community_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "community"."calendar_feed_tokens" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "community"."events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"community_id" uuid NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"time_zone" text NOT NULL,
	"location" text,
	"online_url" text,
	"capacity" integer,
	"price_amount" bigint,
	"price_currency" text,
	"status" text DEFAULT 'scheduled' NOT NULL,
	"sequence" integer DEFAULT 0 NOT NULL,
	"last_position" bigint DEFAULT 0 NOT NULL,
	"reminded_24h_for" timestamp with time zone,
	"reminded_1h_for" timestamp with time zone,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"cancelled_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "events_ends_after_start" CHECK ("community"."events"."ends_at" > "community"."events"."starts_at"),
	CONSTRAINT "events_capacity_positive" CHECK ("community"."events"."capacity" IS NULL OR "community"."events"."capacity" > 0),
	CONSTRAINT "events_price_complete" CHECK (("community"."events"."price_amount" IS NULL) = ("community"."events"."price_currency" IS NULL) AND ("community"."events"."price_amount" IS NULL OR "community"."events"."price_amount" > 0))
);
--> statement-breakpoint
ALTER TABLE "community"."events" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "community"."event_rsvps" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"event_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"state" text NOT NULL,
	"position" bigint NOT NULL,
	"offer_expires_at" timestamp with time zone,
	"payment_ref" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "event_rsvps_offer_expiry" CHECK (("community"."event_rsvps"."state" = 'offered') = ("community"."event_rsvps"."offer_expires_at" IS NOT NULL))
);
--> statement-breakpoint
ALTER TABLE "community"."event_rsvps" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "community"."calendar_feed_tokens" ADD CONSTRAINT "calendar_feed_tokens_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."calendar_feed_tokens" ADD CONSTRAINT "calendar_feed_tokens_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "community"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."events" ADD CONSTRAINT "events_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."events" ADD CONSTRAINT "events_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "community"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."event_rsvps" ADD CONSTRAINT "event_rsvps_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."event_rsvps" ADD CONSTRAINT "event_rsvps_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "community"."events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "calendar_feed_tokens_hash_key" ON "community"."calendar_feed_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "calendar_feed_tokens_live_key" ON "community"."calendar_feed_tokens" USING btree ("tenant_id","community_id","user_id") WHERE "community"."calendar_feed_tokens"."revoked_at" IS NULL;--> statement-breakpoint
CREATE INDEX "events_community_start_idx" ON "community"."events" USING btree ("tenant_id","community_id","starts_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "event_rsvps_user_key" ON "community"."event_rsvps" USING btree ("tenant_id","event_id","user_id");--> statement-breakpoint
CREATE INDEX "event_rsvps_queue_idx" ON "community"."event_rsvps" USING btree ("tenant_id","event_id","state","position");--> statement-breakpoint
CREATE INDEX "event_rsvps_offers_idx" ON "community"."event_rsvps" USING btree ("offer_expires_at") WHERE "community"."event_rsvps"."state" = 'offered';--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "community"."calendar_feed_tokens" AS PERMISSIVE FOR ALL TO public USING ("community"."calendar_feed_tokens"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("community"."calendar_feed_tokens"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "community"."calendar_feed_tokens" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "community"."events" AS PERMISSIVE FOR ALL TO public USING ("community"."events"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("community"."events"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "community"."events" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "community"."event_rsvps" AS PERMISSIVE FOR ALL TO public USING ("community"."event_rsvps"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("community"."event_rsvps"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "community"."event_rsvps" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);