CREATE TABLE "community"."comment_reactions" (
	"tenant_id" uuid NOT NULL,
	"comment_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "comment_reactions_comment_id_user_id_kind_pk" PRIMARY KEY("comment_id","user_id","kind"),
	CONSTRAINT "comment_reactions_kind_known" CHECK ("community"."comment_reactions"."kind" IN ('like', 'love', 'celebrate', 'insightful', 'laugh'))
);
--> statement-breakpoint
ALTER TABLE "community"."comment_reactions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "community"."poll_options" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"post_id" uuid NOT NULL,
	"position" smallint NOT NULL,
	"label" text NOT NULL,
	"vote_count" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "community"."poll_options" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "community"."poll_votes" (
	"tenant_id" uuid NOT NULL,
	"post_id" uuid NOT NULL,
	"option_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "poll_votes_option_id_user_id_pk" PRIMARY KEY("option_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "community"."poll_votes" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "community"."post_comments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"post_id" uuid NOT NULL,
	"parent_id" uuid,
	"author_id" uuid NOT NULL,
	"body" text NOT NULL,
	"reply_count" integer DEFAULT 0 NOT NULL,
	"reaction_counts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"edited_at" timestamp with time zone,
	"deleted_at" timestamp with time zone,
	"deleted_by" uuid
);
--> statement-breakpoint
ALTER TABLE "community"."post_comments" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "community"."post_polls" (
	"post_id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"multiple_choice" boolean DEFAULT false NOT NULL,
	"closes_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "community"."post_polls" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "community"."post_reactions" (
	"tenant_id" uuid NOT NULL,
	"post_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "post_reactions_post_id_user_id_kind_pk" PRIMARY KEY("post_id","user_id","kind"),
	CONSTRAINT "post_reactions_kind_known" CHECK ("community"."post_reactions"."kind" IN ('like', 'love', 'celebrate', 'insightful', 'laugh'))
);
--> statement-breakpoint
ALTER TABLE "community"."post_reactions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "community"."posting_counters" (
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"tenant_id" uuid NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "posting_counters_user_id_kind_pk" PRIMARY KEY("user_id","kind"),
	CONSTRAINT "posting_counters_kind_known" CHECK ("community"."posting_counters"."kind" IN ('post', 'comment'))
);
--> statement-breakpoint
ALTER TABLE "community"."posting_counters" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "community"."posts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"community_id" uuid NOT NULL,
	"channel_id" uuid,
	"author_id" uuid NOT NULL,
	"title" text,
	"body" text NOT NULL,
	"state" text NOT NULL,
	"publish_at" timestamp with time zone,
	"published_at" timestamp with time zone,
	"pinned_at" timestamp with time zone,
	"pinned_by" uuid,
	"mentions" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"comment_count" integer DEFAULT 0 NOT NULL,
	"reaction_counts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"edited_at" timestamp with time zone,
	"deleted_at" timestamp with time zone,
	"deleted_by" uuid,
	CONSTRAINT "posts_state_known" CHECK ("community"."posts"."state" IN ('draft', 'scheduled', 'published')),
	CONSTRAINT "posts_scheduled_at" CHECK (("community"."posts"."state" = 'scheduled') = ("community"."posts"."publish_at" IS NOT NULL)),
	CONSTRAINT "posts_published_at" CHECK (("community"."posts"."state" = 'published') = ("community"."posts"."published_at" IS NOT NULL)),
	CONSTRAINT "posts_pinned_published" CHECK ("community"."posts"."pinned_at" IS NULL OR "community"."posts"."state" = 'published')
);
--> statement-breakpoint
ALTER TABLE "community"."posts" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "community"."comment_reactions" ADD CONSTRAINT "comment_reactions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."comment_reactions" ADD CONSTRAINT "comment_reactions_comment_id_post_comments_id_fk" FOREIGN KEY ("comment_id") REFERENCES "community"."post_comments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."poll_options" ADD CONSTRAINT "poll_options_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."poll_options" ADD CONSTRAINT "poll_options_post_id_post_polls_post_id_fk" FOREIGN KEY ("post_id") REFERENCES "community"."post_polls"("post_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."poll_votes" ADD CONSTRAINT "poll_votes_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."poll_votes" ADD CONSTRAINT "poll_votes_post_id_post_polls_post_id_fk" FOREIGN KEY ("post_id") REFERENCES "community"."post_polls"("post_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."poll_votes" ADD CONSTRAINT "poll_votes_option_id_poll_options_id_fk" FOREIGN KEY ("option_id") REFERENCES "community"."poll_options"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."post_comments" ADD CONSTRAINT "post_comments_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."post_comments" ADD CONSTRAINT "post_comments_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "community"."posts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."post_polls" ADD CONSTRAINT "post_polls_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "community"."posts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."post_polls" ADD CONSTRAINT "post_polls_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."post_reactions" ADD CONSTRAINT "post_reactions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."post_reactions" ADD CONSTRAINT "post_reactions_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "community"."posts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."posting_counters" ADD CONSTRAINT "posting_counters_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."posts" ADD CONSTRAINT "posts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."posts" ADD CONSTRAINT "posts_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "community"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."posts" ADD CONSTRAINT "posts_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "community"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "poll_options_position_key" ON "community"."poll_options" USING btree ("post_id","position");--> statement-breakpoint
CREATE INDEX "poll_votes_voter_idx" ON "community"."poll_votes" USING btree ("post_id","user_id");--> statement-breakpoint
CREATE INDEX "post_comments_thread_idx" ON "community"."post_comments" USING btree ("tenant_id","post_id","parent_id","created_at","id");--> statement-breakpoint
CREATE INDEX "posts_community_feed_idx" ON "community"."posts" USING btree ("tenant_id","community_id","published_at","id") WHERE "community"."posts"."state" = 'published' AND "community"."posts"."deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX "posts_home_feed_idx" ON "community"."posts" USING btree ("tenant_id","published_at","id") WHERE "community"."posts"."state" = 'published' AND "community"."posts"."deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX "posts_author_drafts_idx" ON "community"."posts" USING btree ("tenant_id","author_id","created_at","id") WHERE "community"."posts"."state" <> 'published' AND "community"."posts"."deleted_at" IS NULL;--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "community"."comment_reactions" AS PERMISSIVE FOR ALL TO public USING ("community"."comment_reactions"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("community"."comment_reactions"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "community"."comment_reactions" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "community"."poll_options" AS PERMISSIVE FOR ALL TO public USING ("community"."poll_options"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("community"."poll_options"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "community"."poll_options" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "community"."poll_votes" AS PERMISSIVE FOR ALL TO public USING ("community"."poll_votes"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("community"."poll_votes"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "community"."poll_votes" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "community"."post_comments" AS PERMISSIVE FOR ALL TO public USING ("community"."post_comments"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("community"."post_comments"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "community"."post_comments" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "community"."post_polls" AS PERMISSIVE FOR ALL TO public USING ("community"."post_polls"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("community"."post_polls"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "community"."post_polls" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "community"."post_reactions" AS PERMISSIVE FOR ALL TO public USING ("community"."post_reactions"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("community"."post_reactions"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "community"."post_reactions" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "community"."posting_counters" AS PERMISSIVE FOR ALL TO public USING ("community"."posting_counters"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("community"."posting_counters"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "community"."posting_counters" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "community"."posts" AS PERMISSIVE FOR ALL TO public USING ("community"."posts"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("community"."posts"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "community"."posts" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);