CREATE SCHEMA "moderation";
--> statement-breakpoint
CREATE TABLE "moderation"."actions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"case_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"subject_user_id" uuid NOT NULL,
	"until" timestamp with time zone,
	"reason" text,
	"taken_by" uuid,
	"taken_at" timestamp with time zone DEFAULT now() NOT NULL,
	"undone_by" uuid,
	"undone_at" timestamp with time zone,
	CONSTRAINT "actions_kind_known" CHECK ("moderation"."actions"."kind" IN ('hide', 'delete', 'suspend', 'ban')),
	CONSTRAINT "actions_suspend_until" CHECK (("moderation"."actions"."kind" = 'suspend') = ("moderation"."actions"."until" IS NOT NULL))
);
--> statement-breakpoint
ALTER TABLE "moderation"."actions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "moderation"."appeals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"action_id" uuid NOT NULL,
	"appellant_id" uuid NOT NULL,
	"statement" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"decision_note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "appeals_status_known" CHECK ("moderation"."appeals"."status" IN ('pending', 'granted', 'denied'))
);
--> statement-breakpoint
ALTER TABLE "moderation"."appeals" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "moderation"."cases" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"community_id" uuid NOT NULL,
	"target_kind" text NOT NULL,
	"target_id" uuid NOT NULL,
	"subject_user_id" uuid NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"resolution" text,
	"severity" integer DEFAULT 0 NOT NULL,
	"reporter_count" integer DEFAULT 0 NOT NULL,
	"assigned_to" uuid,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"escalated_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"closed_by" uuid,
	"word_filter_match" text,
	CONSTRAINT "cases_target_kind_known" CHECK ("moderation"."cases"."target_kind" IN ('user', 'post', 'comment', 'channel_message')),
	CONSTRAINT "cases_status_known" CHECK ("moderation"."cases"."status" IN ('open', 'escalated', 'closed')),
	CONSTRAINT "cases_resolution_known" CHECK ("moderation"."cases"."resolution" IS NULL OR "moderation"."cases"."resolution" IN ('actioned', 'dismissed', 'expired')),
	CONSTRAINT "cases_closed_resolved" CHECK (("moderation"."cases"."status" = 'closed') = ("moderation"."cases"."resolution" IS NOT NULL))
);
--> statement-breakpoint
ALTER TABLE "moderation"."cases" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "moderation"."follow_up_settings" (
	"community_id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"escalate_hours" integer NOT NULL,
	"reject_hours" integer NOT NULL,
	"suppress_hours" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "moderation"."follow_up_settings" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "moderation"."report_counters" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "report_counters_count_positive" CHECK ("moderation"."report_counters"."count" >= 1)
);
--> statement-breakpoint
ALTER TABLE "moderation"."report_counters" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "moderation"."reports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"case_id" uuid NOT NULL,
	"reporter_id" uuid NOT NULL,
	"category" text NOT NULL,
	"note" text,
	"snapshot" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reports_category_known" CHECK ("moderation"."reports"."category" IN ('spam', 'harassment', 'hate', 'violence', 'sexual', 'self_harm', 'misinformation', 'other'))
);
--> statement-breakpoint
ALTER TABLE "moderation"."reports" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "moderation"."word_filter_phrases" (
	"community_id" uuid NOT NULL,
	"phrase" text NOT NULL,
	"tenant_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "word_filter_phrases_community_id_phrase_pk" PRIMARY KEY("community_id","phrase")
);
--> statement-breakpoint
ALTER TABLE "moderation"."word_filter_phrases" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "chat"."channel_messages" ADD COLUMN "hidden_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "community"."post_comments" ADD COLUMN "hidden_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "community"."posts" ADD COLUMN "hidden_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "moderation"."actions" ADD CONSTRAINT "actions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "moderation"."actions" ADD CONSTRAINT "actions_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "moderation"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "moderation"."appeals" ADD CONSTRAINT "appeals_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "moderation"."appeals" ADD CONSTRAINT "appeals_action_id_actions_id_fk" FOREIGN KEY ("action_id") REFERENCES "moderation"."actions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "moderation"."cases" ADD CONSTRAINT "cases_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "moderation"."follow_up_settings" ADD CONSTRAINT "follow_up_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "moderation"."report_counters" ADD CONSTRAINT "report_counters_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "moderation"."reports" ADD CONSTRAINT "reports_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "moderation"."reports" ADD CONSTRAINT "reports_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "moderation"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "moderation"."word_filter_phrases" ADD CONSTRAINT "word_filter_phrases_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "actions_case_idx" ON "moderation"."actions" USING btree ("case_id","taken_at");--> statement-breakpoint
CREATE INDEX "actions_subject_idx" ON "moderation"."actions" USING btree ("tenant_id","subject_user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "appeals_one_per_action" ON "moderation"."appeals" USING btree ("action_id");--> statement-breakpoint
CREATE UNIQUE INDEX "cases_one_open_per_target" ON "moderation"."cases" USING btree ("tenant_id","target_kind","target_id") WHERE "moderation"."cases"."status" <> 'closed';--> statement-breakpoint
CREATE INDEX "cases_queue_idx" ON "moderation"."cases" USING btree ("tenant_id","community_id","opened_at","id");--> statement-breakpoint
CREATE INDEX "cases_tenant_queue_idx" ON "moderation"."cases" USING btree ("tenant_id","opened_at","id");--> statement-breakpoint
CREATE INDEX "cases_subject_idx" ON "moderation"."cases" USING btree ("tenant_id","subject_user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "reports_one_per_reporter" ON "moderation"."reports" USING btree ("case_id","reporter_id");--> statement-breakpoint
CREATE INDEX "reports_reporter_idx" ON "moderation"."reports" USING btree ("tenant_id","reporter_id");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "moderation"."actions" AS PERMISSIVE FOR ALL TO public USING ("moderation"."actions"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("moderation"."actions"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "moderation"."actions" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "moderation"."appeals" AS PERMISSIVE FOR ALL TO public USING ("moderation"."appeals"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("moderation"."appeals"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "moderation"."appeals" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "moderation"."cases" AS PERMISSIVE FOR ALL TO public USING ("moderation"."cases"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("moderation"."cases"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "moderation"."cases" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "moderation"."follow_up_settings" AS PERMISSIVE FOR ALL TO public USING ("moderation"."follow_up_settings"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("moderation"."follow_up_settings"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "moderation"."follow_up_settings" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "moderation"."report_counters" AS PERMISSIVE FOR ALL TO public USING ("moderation"."report_counters"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("moderation"."report_counters"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "moderation"."report_counters" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "moderation"."reports" AS PERMISSIVE FOR ALL TO public USING ("moderation"."reports"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("moderation"."reports"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "moderation"."reports" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "moderation"."word_filter_phrases" AS PERMISSIVE FOR ALL TO public USING ("moderation"."word_filter_phrases"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("moderation"."word_filter_phrases"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "moderation"."word_filter_phrases" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);