CREATE TABLE "commerce"."ledger_accounts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"user_id" uuid,
	"provider" text,
	"currency" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_accounts_key" UNIQUE NULLS NOT DISTINCT("tenant_id","kind","user_id","provider","currency"),
	CONSTRAINT "ledger_accounts_tenant_id_currency_key" UNIQUE("tenant_id","id","currency"),
	CONSTRAINT "ledger_accounts_kind" CHECK ("commerce"."ledger_accounts"."kind" IN ('provider_clearing', 'buyer_receivable', 'provider_fees', 'dispute_losses', 'refunds', 'platform_revenue', 'seller_payable', 'tax_payable')),
	CONSTRAINT "ledger_accounts_currency" CHECK ("commerce"."ledger_accounts"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "ledger_accounts_user_holder" CHECK (("commerce"."ledger_accounts"."kind" = 'seller_payable') = ("commerce"."ledger_accounts"."user_id" IS NOT NULL)),
	CONSTRAINT "ledger_accounts_provider_holder" CHECK (("commerce"."ledger_accounts"."kind" IN ('provider_clearing', 'provider_fees')) = ("commerce"."ledger_accounts"."provider" IS NOT NULL))
);
--> statement-breakpoint
ALTER TABLE "commerce"."ledger_accounts" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "commerce"."ledger_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"transaction_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"currency" text NOT NULL,
	"amount" bigint NOT NULL,
	CONSTRAINT "ledger_entries_amount" CHECK ("commerce"."ledger_entries"."amount" <> 0)
);
--> statement-breakpoint
ALTER TABLE "commerce"."ledger_entries" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "commerce"."ledger_transactions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"external_reference" text NOT NULL,
	"currency" text NOT NULL,
	"amount" bigint NOT NULL,
	"provider" text NOT NULL,
	"capture_transaction_id" uuid,
	"dispute_transaction_id" uuid,
	"reverses_transaction_id" uuid,
	"reason" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_transactions_reference_key" UNIQUE("tenant_id","external_reference"),
	CONSTRAINT "ledger_transactions_reverses_key" UNIQUE("tenant_id","reverses_transaction_id"),
	CONSTRAINT "ledger_transactions_tenant_id_currency_key" UNIQUE("tenant_id","id","currency"),
	CONSTRAINT "ledger_transactions_kind" CHECK ("commerce"."ledger_transactions"."kind" IN ('capture', 'refund', 'dispute_opened', 'dispute_won', 'dispute_lost', 'fee', 'reversal')),
	CONSTRAINT "ledger_transactions_currency" CHECK ("commerce"."ledger_transactions"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "ledger_transactions_amount" CHECK ("commerce"."ledger_transactions"."amount" >= 0),
	CONSTRAINT "ledger_transactions_reference" CHECK (char_length("commerce"."ledger_transactions"."external_reference") BETWEEN 1 AND 255),
	CONSTRAINT "ledger_transactions_provider" CHECK ("commerce"."ledger_transactions"."provider" ~ '^[a-z][a-z0-9_]{0,31}$'),
	CONSTRAINT "ledger_transactions_reason" CHECK (char_length("commerce"."ledger_transactions"."reason") <= 1000),
	CONSTRAINT "ledger_transactions_reversal" CHECK (("commerce"."ledger_transactions"."kind" = 'reversal') = ("commerce"."ledger_transactions"."reverses_transaction_id" IS NOT NULL)),
	CONSTRAINT "ledger_transactions_sale" CHECK ("commerce"."ledger_transactions"."kind" NOT IN ('capture', 'refund', 'dispute_opened', 'dispute_won', 'dispute_lost') OR ("commerce"."ledger_transactions"."kind" = 'capture') = ("commerce"."ledger_transactions"."capture_transaction_id" IS NULL)),
	CONSTRAINT "ledger_transactions_dispute" CHECK ("commerce"."ledger_transactions"."kind" = 'reversal' OR ("commerce"."ledger_transactions"."kind" IN ('dispute_won', 'dispute_lost')) = ("commerce"."ledger_transactions"."dispute_transaction_id" IS NOT NULL))
);
--> statement-breakpoint
ALTER TABLE "commerce"."ledger_transactions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "commerce"."revenue_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"platform_fee_bps" integer NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "revenue_settings_fee_range" CHECK ("commerce"."revenue_settings"."platform_fee_bps" BETWEEN 0 AND 10000)
);
--> statement-breakpoint
ALTER TABLE "commerce"."revenue_settings" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "commerce"."revenue_shares" (
	"tenant_id" uuid NOT NULL,
	"course_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"share_bps" integer NOT NULL,
	"set_by" uuid,
	"set_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "revenue_shares_tenant_id_course_id_user_id_pk" PRIMARY KEY("tenant_id","course_id","user_id"),
	CONSTRAINT "revenue_shares_range" CHECK ("commerce"."revenue_shares"."share_bps" BETWEEN 1 AND 10000)
);
--> statement-breakpoint
ALTER TABLE "commerce"."revenue_shares" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "commerce"."ledger_accounts" ADD CONSTRAINT "ledger_accounts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."ledger_entries" ADD CONSTRAINT "ledger_entries_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."ledger_entries" ADD CONSTRAINT "ledger_entries_transaction_fk" FOREIGN KEY ("tenant_id","transaction_id","currency") REFERENCES "commerce"."ledger_transactions"("tenant_id","id","currency") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."ledger_entries" ADD CONSTRAINT "ledger_entries_account_fk" FOREIGN KEY ("tenant_id","account_id","currency") REFERENCES "commerce"."ledger_accounts"("tenant_id","id","currency") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."ledger_transactions" ADD CONSTRAINT "ledger_transactions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."ledger_transactions" ADD CONSTRAINT "ledger_transactions_capture_fk" FOREIGN KEY ("tenant_id","capture_transaction_id","currency") REFERENCES "commerce"."ledger_transactions"("tenant_id","id","currency") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."ledger_transactions" ADD CONSTRAINT "ledger_transactions_dispute_fk" FOREIGN KEY ("tenant_id","dispute_transaction_id","currency") REFERENCES "commerce"."ledger_transactions"("tenant_id","id","currency") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."ledger_transactions" ADD CONSTRAINT "ledger_transactions_reverses_fk" FOREIGN KEY ("tenant_id","reverses_transaction_id","currency") REFERENCES "commerce"."ledger_transactions"("tenant_id","id","currency") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."revenue_settings" ADD CONSTRAINT "revenue_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."revenue_shares" ADD CONSTRAINT "revenue_shares_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ledger_entries_transaction_idx" ON "commerce"."ledger_entries" USING btree ("transaction_id");--> statement-breakpoint
CREATE INDEX "ledger_entries_account_idx" ON "commerce"."ledger_entries" USING btree ("tenant_id","account_id");--> statement-breakpoint
CREATE INDEX "ledger_transactions_listed_idx" ON "commerce"."ledger_transactions" USING btree ("tenant_id","occurred_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "ledger_transactions_capture_idx" ON "commerce"."ledger_transactions" USING btree ("tenant_id","capture_transaction_id");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "commerce"."ledger_accounts" AS PERMISSIVE FOR ALL TO public USING ("commerce"."ledger_accounts"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("commerce"."ledger_accounts"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "commerce"."ledger_accounts" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "commerce"."ledger_entries" AS PERMISSIVE FOR ALL TO public USING ("commerce"."ledger_entries"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("commerce"."ledger_entries"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "commerce"."ledger_entries" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "commerce"."ledger_transactions" AS PERMISSIVE FOR ALL TO public USING ("commerce"."ledger_transactions"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("commerce"."ledger_transactions"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "commerce"."ledger_transactions" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "commerce"."revenue_settings" AS PERMISSIVE FOR ALL TO public USING ("commerce"."revenue_settings"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("commerce"."revenue_settings"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "commerce"."revenue_settings" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "commerce"."revenue_shares" AS PERMISSIVE FOR ALL TO public USING ("commerce"."revenue_shares"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("commerce"."revenue_shares"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "commerce"."revenue_shares" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);