CREATE TABLE "platform"."mail_suppressions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"address_hash" text NOT NULL,
	"reason" text NOT NULL,
	"source" text NOT NULL,
	"detail" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mail_suppressions_reason_known" CHECK ("platform"."mail_suppressions"."reason" IN ('bounce', 'complaint')),
	CONSTRAINT "mail_suppressions_source_known" CHECK ("platform"."mail_suppressions"."source" IN ('smtp', 'provider'))
);
--> statement-breakpoint
ALTER TABLE "platform"."mail_suppressions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "platform"."mail_messages" ADD COLUMN "headers" jsonb;--> statement-breakpoint
CREATE UNIQUE INDEX "mail_suppressions_address_key" ON "platform"."mail_suppressions" USING btree ("address_hash");--> statement-breakpoint
CREATE POLICY "platform_access" ON "platform"."mail_suppressions" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);