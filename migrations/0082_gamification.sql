CREATE SCHEMA "gamification";
--> statement-breakpoint
CREATE TABLE "gamification"."settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"points" jsonb NOT NULL,
	"daily_caps" jsonb NOT NULL,
	"tier_thresholds" jsonb NOT NULL,
	"ring_threshold" integer NOT NULL,
	"ring_window_hours" integer NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "gamification"."settings" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "gamification"."member_stats" (
	"tenant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"current_streak" integer DEFAULT 0 NOT NULL,
	"longest_streak" integer DEFAULT 0 NOT NULL,
	"last_active_day" date,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "member_stats_key" UNIQUE("tenant_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "gamification"."member_stats" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "gamification"."point_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"community_id" uuid,
	"event_type" text NOT NULL,
	"points" integer NOT NULL,
	"reason" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"source_event_id" uuid,
	"giver_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "point_entries_key" UNIQUE("tenant_id","idempotency_key"),
	CONSTRAINT "point_entries_type_known" CHECK ("gamification"."point_entries"."event_type" IN ('post_published', 'comment_created', 'post_liked', 'answer_accepted', 'lesson_completed')),
	CONSTRAINT "point_entries_reason_known" CHECK ("gamification"."point_entries"."reason" IN ('awarded', 'daily_cap', 'ring_suspected', 'reversed'))
);
--> statement-breakpoint
ALTER TABLE "gamification"."point_entries" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "gamification"."point_totals" (
	"tenant_id" uuid NOT NULL,
	"community_id" uuid,
	"period" text NOT NULL,
	"user_id" uuid NOT NULL,
	"points" integer DEFAULT 0 NOT NULL,
	"hidden" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "point_totals_key" UNIQUE NULLS NOT DISTINCT("tenant_id","community_id","period","user_id"),
	CONSTRAINT "point_totals_period_form" CHECK ("gamification"."point_totals"."period" = 'all' OR "gamification"."point_totals"."period" ~ '^[0-9]{4}-[0-9]{2}$')
);
--> statement-breakpoint
ALTER TABLE "gamification"."point_totals" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "gamification"."ring_flags" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"community_id" uuid,
	"kind" text NOT NULL,
	"member_ids" uuid[] NOT NULL,
	"withheld_awards" integer DEFAULT 1 NOT NULL,
	"first_detected_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_detected_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ring_flags_key" UNIQUE NULLS NOT DISTINCT("tenant_id","community_id","member_ids")
);
--> statement-breakpoint
ALTER TABLE "gamification"."ring_flags" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "community"."posts" ADD COLUMN "accepted_comment_id" uuid;--> statement-breakpoint
ALTER TABLE "identity"."users" ADD COLUMN "time_zone" text;--> statement-breakpoint
ALTER TABLE "social"."dm_policies" ADD COLUMN "min_sender_tier_rank" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "gamification"."settings" ADD CONSTRAINT "settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gamification"."member_stats" ADD CONSTRAINT "member_stats_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gamification"."point_entries" ADD CONSTRAINT "point_entries_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gamification"."point_totals" ADD CONSTRAINT "point_totals_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gamification"."ring_flags" ADD CONSTRAINT "ring_flags_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "point_entries_user_idx" ON "gamification"."point_entries" USING btree ("tenant_id","user_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "point_entries_cap_idx" ON "gamification"."point_entries" USING btree ("tenant_id","user_id","event_type","created_at");--> statement-breakpoint
CREATE INDEX "point_entries_giver_idx" ON "gamification"."point_entries" USING btree ("tenant_id","giver_id","user_id","created_at") WHERE "gamification"."point_entries"."giver_id" IS NOT NULL AND "gamification"."point_entries"."points" > 0;--> statement-breakpoint
CREATE INDEX "point_totals_board_idx" ON "gamification"."point_totals" USING btree ("tenant_id","community_id","period","points" DESC NULLS FIRST,"user_id" DESC NULLS FIRST) WHERE "gamification"."point_totals"."points" > 0 AND NOT "gamification"."point_totals"."hidden";--> statement-breakpoint
CREATE INDEX "ring_flags_list_idx" ON "gamification"."ring_flags" USING btree ("tenant_id","community_id","last_detected_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
ALTER TABLE "social"."dm_policies" ADD CONSTRAINT "dm_policies_tier_rank_range" CHECK ("social"."dm_policies"."min_sender_tier_rank" BETWEEN 0 AND 4);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "gamification"."settings" AS PERMISSIVE FOR ALL TO public USING ("gamification"."settings"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("gamification"."settings"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "gamification"."settings" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "gamification"."member_stats" AS PERMISSIVE FOR ALL TO public USING ("gamification"."member_stats"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("gamification"."member_stats"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "gamification"."member_stats" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "gamification"."point_entries" AS PERMISSIVE FOR ALL TO public USING ("gamification"."point_entries"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("gamification"."point_entries"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "gamification"."point_entries" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "gamification"."point_totals" AS PERMISSIVE FOR ALL TO public USING ("gamification"."point_totals"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("gamification"."point_totals"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "gamification"."point_totals" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "gamification"."ring_flags" AS PERMISSIVE FOR ALL TO public USING ("gamification"."ring_flags"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("gamification"."ring_flags"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "gamification"."ring_flags" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);