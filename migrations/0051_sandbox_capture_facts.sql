ALTER TABLE "commerce"."sandbox_payments" ADD COLUMN "fee" bigint;--> statement-breakpoint
ALTER TABLE "commerce"."sandbox_payments" ADD COLUMN "card_country" text;