CREATE SCHEMA "social";
--> statement-breakpoint
CREATE TABLE "social"."dm_messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"thread_id" uuid NOT NULL,
	"seq" bigint NOT NULL,
	"sender_id" uuid NOT NULL,
	"body" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"edited_at" timestamp with time zone,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "dm_messages_seq_positive" CHECK ("social"."dm_messages"."seq" >= 1),
	CONSTRAINT "dm_messages_deleted_has_no_body" CHECK (("social"."dm_messages"."deleted_at" IS NULL) = ("social"."dm_messages"."body" IS NOT NULL))
);
--> statement-breakpoint
ALTER TABLE "social"."dm_messages" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "social"."dm_participants" (
	"tenant_id" uuid NOT NULL,
	"thread_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"added_by" uuid NOT NULL,
	"joined_at" timestamp with time zone DEFAULT now() NOT NULL,
	"engaged_at" timestamp with time zone,
	"last_read_seq" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "dm_participants_thread_id_user_id_pk" PRIMARY KEY("thread_id","user_id"),
	CONSTRAINT "dm_participants_last_read" CHECK ("social"."dm_participants"."last_read_seq" >= 0)
);
--> statement-breakpoint
ALTER TABLE "social"."dm_participants" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "social"."dm_reactions" (
	"tenant_id" uuid NOT NULL,
	"message_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"reaction" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "dm_reactions_message_id_user_id_reaction_pk" PRIMARY KEY("message_id","user_id","reaction"),
	CONSTRAINT "dm_reactions_known" CHECK ("social"."dm_reactions"."reaction" IN ('thumbs_up', 'heart', 'laugh', 'wow', 'sad', 'party', 'pray', 'eyes'))
);
--> statement-breakpoint
ALTER TABLE "social"."dm_reactions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "social"."dm_threads" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"direct_key" text,
	"title" text,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seq" bigint DEFAULT 0 NOT NULL,
	"last_activity_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "dm_threads_kind_known" CHECK ("social"."dm_threads"."kind" IN ('direct', 'group')),
	CONSTRAINT "dm_threads_direct_key" CHECK (("social"."dm_threads"."kind" = 'direct') = ("social"."dm_threads"."direct_key" IS NOT NULL)),
	CONSTRAINT "dm_threads_last_seq" CHECK ("social"."dm_threads"."last_seq" >= 0)
);
--> statement-breakpoint
ALTER TABLE "social"."dm_threads" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "social"."blocks" (
	"tenant_id" uuid NOT NULL,
	"blocker_id" uuid NOT NULL,
	"blocked_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "blocks_blocker_id_blocked_id_pk" PRIMARY KEY("blocker_id","blocked_id"),
	CONSTRAINT "blocks_not_self" CHECK ("social"."blocks"."blocker_id" <> "social"."blocks"."blocked_id")
);
--> statement-breakpoint
ALTER TABLE "social"."blocks" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "social"."dm_allow_list" (
	"tenant_id" uuid NOT NULL,
	"owner_id" uuid NOT NULL,
	"allowed_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "dm_allow_list_owner_id_allowed_id_pk" PRIMARY KEY("owner_id","allowed_id"),
	CONSTRAINT "dm_allow_list_not_self" CHECK ("social"."dm_allow_list"."owner_id" <> "social"."dm_allow_list"."allowed_id")
);
--> statement-breakpoint
ALTER TABLE "social"."dm_allow_list" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "social"."dm_policies" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"min_account_age_days" integer DEFAULT 0 NOT NULL,
	"require_verified_email" boolean DEFAULT false NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "dm_policies_account_age_range" CHECK ("social"."dm_policies"."min_account_age_days" BETWEEN 0 AND 3650)
);
--> statement-breakpoint
ALTER TABLE "social"."dm_policies" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "social"."follows" (
	"tenant_id" uuid NOT NULL,
	"follower_id" uuid NOT NULL,
	"followee_id" uuid NOT NULL,
	"status" text NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"accepted_at" timestamp with time zone,
	CONSTRAINT "follows_follower_id_followee_id_pk" PRIMARY KEY("follower_id","followee_id"),
	CONSTRAINT "follows_not_self" CHECK ("social"."follows"."follower_id" <> "social"."follows"."followee_id"),
	CONSTRAINT "follows_status_known" CHECK ("social"."follows"."status" IN ('pending', 'accepted')),
	CONSTRAINT "follows_accepted_at" CHECK (("social"."follows"."status" = 'accepted') = ("social"."follows"."accepted_at" IS NOT NULL))
);
--> statement-breakpoint
ALTER TABLE "social"."follows" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "social"."mutes" (
	"tenant_id" uuid NOT NULL,
	"muter_id" uuid NOT NULL,
	"muted_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mutes_muter_id_muted_id_pk" PRIMARY KEY("muter_id","muted_id"),
	CONSTRAINT "mutes_not_self" CHECK ("social"."mutes"."muter_id" <> "social"."mutes"."muted_id")
);
--> statement-breakpoint
ALTER TABLE "social"."mutes" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "social"."profile_settings" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"profile_visibility" text DEFAULT 'public' NOT NULL,
	"message_permission" text DEFAULT 'anyone' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "profile_settings_visibility_known" CHECK ("social"."profile_settings"."profile_visibility" IN ('public', 'private')),
	CONSTRAINT "profile_settings_permission_known" CHECK ("social"."profile_settings"."message_permission" IN ('anyone', 'followers', 'nobody'))
);
--> statement-breakpoint
ALTER TABLE "social"."profile_settings" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "social"."send_counters" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "send_counters_count_positive" CHECK ("social"."send_counters"."count" >= 1)
);
--> statement-breakpoint
ALTER TABLE "social"."send_counters" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "social"."dm_messages" ADD CONSTRAINT "dm_messages_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "social"."dm_messages" ADD CONSTRAINT "dm_messages_thread_id_dm_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "social"."dm_threads"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "social"."dm_participants" ADD CONSTRAINT "dm_participants_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "social"."dm_participants" ADD CONSTRAINT "dm_participants_thread_id_dm_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "social"."dm_threads"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "social"."dm_reactions" ADD CONSTRAINT "dm_reactions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "social"."dm_reactions" ADD CONSTRAINT "dm_reactions_message_id_dm_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "social"."dm_messages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "social"."dm_threads" ADD CONSTRAINT "dm_threads_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "social"."blocks" ADD CONSTRAINT "blocks_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "social"."dm_allow_list" ADD CONSTRAINT "dm_allow_list_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "social"."dm_policies" ADD CONSTRAINT "dm_policies_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "social"."follows" ADD CONSTRAINT "follows_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "social"."mutes" ADD CONSTRAINT "mutes_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "social"."profile_settings" ADD CONSTRAINT "profile_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "social"."send_counters" ADD CONSTRAINT "send_counters_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "dm_messages_thread_seq" ON "social"."dm_messages" USING btree ("thread_id","seq");--> statement-breakpoint
CREATE INDEX "dm_participants_user_idx" ON "social"."dm_participants" USING btree ("user_id","thread_id");--> statement-breakpoint
CREATE UNIQUE INDEX "dm_threads_direct_key" ON "social"."dm_threads" USING btree ("tenant_id","direct_key");--> statement-breakpoint
CREATE INDEX "blocks_blocked_idx" ON "social"."blocks" USING btree ("blocked_id","blocker_id");--> statement-breakpoint
CREATE INDEX "follows_followee_idx" ON "social"."follows" USING btree ("followee_id","status","requested_at");--> statement-breakpoint
CREATE INDEX "follows_follower_idx" ON "social"."follows" USING btree ("follower_id","status","requested_at");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "social"."dm_messages" AS PERMISSIVE FOR ALL TO public USING ("social"."dm_messages"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("social"."dm_messages"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "social"."dm_messages" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "social"."dm_participants" AS PERMISSIVE FOR ALL TO public USING ("social"."dm_participants"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("social"."dm_participants"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "social"."dm_participants" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "social"."dm_reactions" AS PERMISSIVE FOR ALL TO public USING ("social"."dm_reactions"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("social"."dm_reactions"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "social"."dm_reactions" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "social"."dm_threads" AS PERMISSIVE FOR ALL TO public USING ("social"."dm_threads"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("social"."dm_threads"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "social"."dm_threads" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "social"."blocks" AS PERMISSIVE FOR ALL TO public USING ("social"."blocks"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("social"."blocks"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "social"."blocks" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "social"."dm_allow_list" AS PERMISSIVE FOR ALL TO public USING ("social"."dm_allow_list"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("social"."dm_allow_list"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "social"."dm_allow_list" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "social"."dm_policies" AS PERMISSIVE FOR ALL TO public USING ("social"."dm_policies"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("social"."dm_policies"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "social"."dm_policies" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "social"."follows" AS PERMISSIVE FOR ALL TO public USING ("social"."follows"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("social"."follows"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "social"."follows" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "social"."mutes" AS PERMISSIVE FOR ALL TO public USING ("social"."mutes"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("social"."mutes"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "social"."mutes" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "social"."profile_settings" AS PERMISSIVE FOR ALL TO public USING ("social"."profile_settings"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("social"."profile_settings"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "social"."profile_settings" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "social"."send_counters" AS PERMISSIVE FOR ALL TO public USING ("social"."send_counters"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("social"."send_counters"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "social"."send_counters" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);