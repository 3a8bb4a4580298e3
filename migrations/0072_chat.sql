CREATE SCHEMA "chat";
--> statement-breakpoint
CREATE TABLE "chat"."channel_counters" (
	"channel_id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"last_seq" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "channel_counters_last_seq" CHECK ("chat"."channel_counters"."last_seq" >= 0)
);
--> statement-breakpoint
ALTER TABLE "chat"."channel_counters" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "chat"."channel_messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"channel_id" uuid NOT NULL,
	"community_id" uuid NOT NULL,
	"seq" bigint NOT NULL,
	"sender_id" uuid NOT NULL,
	"body" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"edited_at" timestamp with time zone,
	"deleted_at" timestamp with time zone,
	"deleted_by" uuid,
	CONSTRAINT "channel_messages_seq_positive" CHECK ("chat"."channel_messages"."seq" >= 1),
	CONSTRAINT "channel_messages_deleted_has_no_body" CHECK (("chat"."channel_messages"."deleted_at" IS NULL) = ("chat"."channel_messages"."body" IS NOT NULL))
);
--> statement-breakpoint
ALTER TABLE "chat"."channel_messages" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "chat"."message_reactions" (
	"tenant_id" uuid NOT NULL,
	"message_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"reaction" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "message_reactions_message_id_user_id_reaction_pk" PRIMARY KEY("message_id","user_id","reaction"),
	CONSTRAINT "message_reactions_known" CHECK (reaction IN ('thumbs_up', 'heart', 'laugh', 'wow', 'sad', 'party', 'pray', 'eyes'))
);
--> statement-breakpoint
ALTER TABLE "chat"."message_reactions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "chat"."read_receipts" (
	"tenant_id" uuid NOT NULL,
	"channel_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"last_read_seq" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "read_receipts_channel_id_user_id_pk" PRIMARY KEY("channel_id","user_id"),
	CONSTRAINT "read_receipts_last_read" CHECK ("chat"."read_receipts"."last_read_seq" >= 0)
);
--> statement-breakpoint
ALTER TABLE "chat"."read_receipts" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "chat"."send_counters" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "send_counters_count_positive" CHECK ("chat"."send_counters"."count" >= 1)
);
--> statement-breakpoint
ALTER TABLE "chat"."send_counters" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "chat"."channel_counters" ADD CONSTRAINT "channel_counters_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat"."channel_messages" ADD CONSTRAINT "channel_messages_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat"."message_reactions" ADD CONSTRAINT "message_reactions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat"."message_reactions" ADD CONSTRAINT "message_reactions_message_id_channel_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "chat"."channel_messages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat"."read_receipts" ADD CONSTRAINT "read_receipts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat"."send_counters" ADD CONSTRAINT "send_counters_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "channel_messages_channel_seq" ON "chat"."channel_messages" USING btree ("channel_id","seq");--> statement-breakpoint
CREATE INDEX "read_receipts_user_idx" ON "chat"."read_receipts" USING btree ("user_id");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "chat"."channel_counters" AS PERMISSIVE FOR ALL TO public USING ("chat"."channel_counters"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("chat"."channel_counters"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "chat"."channel_counters" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "chat"."channel_messages" AS PERMISSIVE FOR ALL TO public USING ("chat"."channel_messages"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("chat"."channel_messages"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "chat"."channel_messages" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "chat"."message_reactions" AS PERMISSIVE FOR ALL TO public USING ("chat"."message_reactions"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("chat"."message_reactions"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "chat"."message_reactions" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "chat"."read_receipts" AS PERMISSIVE FOR ALL TO public USING ("chat"."read_receipts"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("chat"."read_receipts"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "chat"."read_receipts" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "chat"."send_counters" AS PERMISSIVE FOR ALL TO public USING ("chat"."send_counters"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("chat"."send_counters"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "chat"."send_counters" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);