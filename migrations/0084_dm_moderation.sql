ALTER TABLE "moderation"."cases" DROP CONSTRAINT "cases_target_kind_known";--> statement-breakpoint
ALTER TABLE "moderation"."cases" ALTER COLUMN "community_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "social"."dm_messages" ADD COLUMN "hidden_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "moderation"."cases" ADD CONSTRAINT "cases_tenant_case_is_dm" CHECK (("moderation"."cases"."target_kind" = 'dm_message') = ("moderation"."cases"."community_id" IS NULL));--> statement-breakpoint
ALTER TABLE "moderation"."cases" ADD CONSTRAINT "cases_target_kind_known" CHECK ("moderation"."cases"."target_kind" IN ('user', 'post', 'comment', 'channel_message', 'dm_message'));