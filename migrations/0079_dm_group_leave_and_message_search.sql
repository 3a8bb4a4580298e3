ALTER TABLE "chat"."channel_messages" ADD COLUMN "search" "tsvector" GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(body, ''))) STORED NOT NULL;--> statement-breakpoint
ALTER TABLE "social"."dm_messages" ADD COLUMN "search" "tsvector" GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(body, ''))) STORED NOT NULL;--> statement-breakpoint
ALTER TABLE "social"."dm_participants" ADD COLUMN "left_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "social"."dm_participants" ADD COLUMN "visible_until_seq" bigint;--> statement-breakpoint
ALTER TABLE "social"."dm_participants" ADD COLUMN "removed_by" uuid;--> statement-breakpoint
CREATE INDEX "channel_messages_search_idx" ON "chat"."channel_messages" USING gin ("search");--> statement-breakpoint
CREATE INDEX "dm_messages_search_idx" ON "social"."dm_messages" USING gin ("search");--> statement-breakpoint
ALTER TABLE "social"."dm_participants" ADD CONSTRAINT "dm_participants_left_window" CHECK (("social"."dm_participants"."left_at" IS NULL) = ("social"."dm_participants"."visible_until_seq" IS NULL));--> statement-breakpoint
ALTER TABLE "social"."dm_participants" ADD CONSTRAINT "dm_participants_removed_left" CHECK ("social"."dm_participants"."removed_by" IS NULL OR "social"."dm_participants"."left_at" IS NOT NULL);