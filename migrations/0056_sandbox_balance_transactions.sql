CREATE TABLE "commerce"."sandbox_balance_transactions" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"source_id" text NOT NULL,
	"payment_id" text NOT NULL,
	"currency" text NOT NULL,
	"amount" bigint NOT NULL,
	"fee" bigint NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "sandbox_balance_transactions_kind" CHECK ("commerce"."sandbox_balance_transactions"."kind" IN ('charge', 'refund', 'dispute', 'dispute_reversal'))
);
--> statement-breakpoint
ALTER TABLE "commerce"."sandbox_balance_transactions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "commerce"."sandbox_balance_transactions" ADD CONSTRAINT "sandbox_balance_transactions_payment_id_sandbox_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "commerce"."sandbox_payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sandbox_balance_transactions_created_idx" ON "commerce"."sandbox_balance_transactions" USING btree ("created_at","id");--> statement-breakpoint
CREATE POLICY "platform_access" ON "commerce"."sandbox_balance_transactions" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);