ALTER TABLE "platform"."mail_messages" ADD COLUMN "secrets_sealed" text;--> statement-breakpoint
ALTER TABLE "platform"."mail_messages" ADD COLUMN "secrets_dropped_at" timestamp with time zone;