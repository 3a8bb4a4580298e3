CREATE SCHEMA "community";
--> statement-breakpoint
CREATE TABLE "community"."channels" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"community_id" uuid NOT NULL,
	"name" text NOT NULL,
	"topic" text DEFAULT '' NOT NULL,
	"kind" text DEFAULT 'text' NOT NULL,
	"access" text DEFAULT 'members' NOT NULL,
	"min_role" text,
	"custom_role_id" uuid,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "channels_role_rule" CHECK (("community"."channels"."access" = 'role') = (("community"."channels"."min_role" IS NOT NULL) <> ("community"."channels"."custom_role_id" IS NOT NULL))
            AND ("community"."channels"."access" = 'role' OR ("community"."channels"."min_role" IS NULL AND "community"."channels"."custom_role_id" IS NULL)))
);
--> statement-breakpoint
ALTER TABLE "community"."channels" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "community"."communities" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"visibility" text NOT NULL,
	"course_id" uuid,
	"status" text DEFAULT 'active' NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "communities_paid_unlinked" CHECK ("community"."communities"."visibility" <> 'paid' OR "community"."communities"."course_id" IS NULL)
);
--> statement-breakpoint
ALTER TABLE "community"."communities" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "community"."invitations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"community_id" uuid NOT NULL,
	"invitee_id" uuid NOT NULL,
	"invited_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"accepted_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "community"."invitations" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "community"."community_roles" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"community_id" uuid NOT NULL,
	"name" text NOT NULL,
	"rank" integer NOT NULL,
	"permissions" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "community_roles_rank_between" CHECK ("community"."community_roles"."rank" > 10 AND "community"."community_roles"."rank" < 30)
);
--> statement-breakpoint
ALTER TABLE "community"."community_roles" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "community"."membership_sources" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"membership_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"source_ref" text,
	"granted_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	"revoked_reason" text,
	CONSTRAINT "membership_sources_referenced" CHECK ("community"."membership_sources"."kind" NOT IN ('grant', 'course') OR "community"."membership_sources"."source_ref" IS NOT NULL),
	CONSTRAINT "membership_sources_revocation" CHECK (("community"."membership_sources"."revoked_at" IS NULL) = ("community"."membership_sources"."revoked_reason" IS NULL))
);
--> statement-breakpoint
ALTER TABLE "community"."membership_sources" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "community"."memberships" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"community_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"state" text NOT NULL,
	"role" text DEFAULT 'member' NOT NULL,
	"custom_role_id" uuid,
	"requested_at" timestamp with time zone,
	"left_at" timestamp with time zone,
	"ended_reason" text,
	"banned_at" timestamp with time zone,
	"banned_by" text,
	"ban_reason" text,
	"suspended_until" timestamp with time zone,
	"suspension_reason" text,
	"joined_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "community"."memberships" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "community"."channels" ADD CONSTRAINT "channels_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."channels" ADD CONSTRAINT "channels_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "community"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."channels" ADD CONSTRAINT "channels_custom_role_id_community_roles_id_fk" FOREIGN KEY ("custom_role_id") REFERENCES "community"."community_roles"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."communities" ADD CONSTRAINT "communities_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."invitations" ADD CONSTRAINT "invitations_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."invitations" ADD CONSTRAINT "invitations_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "community"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."community_roles" ADD CONSTRAINT "community_roles_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."community_roles" ADD CONSTRAINT "community_roles_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "community"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."membership_sources" ADD CONSTRAINT "membership_sources_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."membership_sources" ADD CONSTRAINT "membership_sources_membership_id_memberships_id_fk" FOREIGN KEY ("membership_id") REFERENCES "community"."memberships"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."memberships" ADD CONSTRAINT "memberships_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."memberships" ADD CONSTRAINT "memberships_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "community"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community"."memberships" ADD CONSTRAINT "memberships_custom_role_id_community_roles_id_fk" FOREIGN KEY ("custom_role_id") REFERENCES "community"."community_roles"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "channels_name_key" ON "community"."channels" USING btree ("tenant_id","community_id","name");--> statement-breakpoint
CREATE INDEX "channels_list_idx" ON "community"."channels" USING btree ("tenant_id","community_id","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "communities_slug_key" ON "community"."communities" USING btree ("tenant_id","slug");--> statement-breakpoint
CREATE INDEX "communities_course_idx" ON "community"."communities" USING btree ("tenant_id","course_id") WHERE "community"."communities"."course_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "communities_list_idx" ON "community"."communities" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "invitations_community_idx" ON "community"."invitations" USING btree ("tenant_id","community_id","created_at","id");--> statement-breakpoint
CREATE INDEX "invitations_invitee_idx" ON "community"."invitations" USING btree ("tenant_id","invitee_id","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "invitations_open_key" ON "community"."invitations" USING btree ("tenant_id","community_id","invitee_id") WHERE "community"."invitations"."accepted_at" IS NULL AND "community"."invitations"."revoked_at" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "community_roles_name_key" ON "community"."community_roles" USING btree ("tenant_id","community_id","name");--> statement-breakpoint
CREATE INDEX "membership_sources_membership_idx" ON "community"."membership_sources" USING btree ("membership_id");--> statement-breakpoint
CREATE UNIQUE INDEX "membership_sources_ref_key" ON "community"."membership_sources" USING btree ("tenant_id","membership_id","kind","source_ref") WHERE "community"."membership_sources"."source_ref" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "membership_sources_grant_idx" ON "community"."membership_sources" USING btree ("tenant_id","kind","source_ref") WHERE "community"."membership_sources"."source_ref" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "memberships_user_key" ON "community"."memberships" USING btree ("tenant_id","community_id","user_id");--> statement-breakpoint
CREATE INDEX "memberships_list_idx" ON "community"."memberships" USING btree ("tenant_id","community_id","created_at","id");--> statement-breakpoint
CREATE INDEX "memberships_user_idx" ON "community"."memberships" USING btree ("tenant_id","user_id");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "community"."channels" AS PERMISSIVE FOR ALL TO public USING ("community"."channels"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("community"."channels"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "community"."channels" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "community"."communities" AS PERMISSIVE FOR ALL TO public USING ("community"."communities"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("community"."communities"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "community"."communities" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "community"."invitations" AS PERMISSIVE FOR ALL TO public USING ("community"."invitations"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("community"."invitations"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "community"."invitations" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "community"."community_roles" AS PERMISSIVE FOR ALL TO public USING ("community"."community_roles"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("community"."community_roles"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "community"."community_roles" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "community"."membership_sources" AS PERMISSIVE FOR ALL TO public USING ("community"."membership_sources"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("community"."membership_sources"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "community"."membership_sources" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "community"."memberships" AS PERMISSIVE FOR ALL TO public USING ("community"."memberships"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("community"."memberships"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "community"."memberships" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);