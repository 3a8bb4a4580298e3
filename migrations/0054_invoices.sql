CREATE TABLE "commerce"."credit_note_lines" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"credit_note_id" uuid NOT NULL,
	"invoice_id" uuid NOT NULL,
	"invoice_line_id" uuid NOT NULL,
	"net" bigint NOT NULL,
	"tax" bigint NOT NULL,
	"gross" bigint NOT NULL,
	CONSTRAINT "credit_note_lines_line_key" UNIQUE("credit_note_id","invoice_line_id"),
	CONSTRAINT "credit_note_lines_amounts" CHECK ("commerce"."credit_note_lines"."net" >= 0 AND "commerce"."credit_note_lines"."tax" >= 0 AND "commerce"."credit_note_lines"."gross" > 0 AND "commerce"."credit_note_lines"."net" + "commerce"."credit_note_lines"."tax" = "commerce"."credit_note_lines"."gross")
);
--> statement-breakpoint
ALTER TABLE "commerce"."credit_note_lines" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "commerce"."credit_notes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"sequence" bigint NOT NULL,
	"number" text NOT NULL,
	"invoice_id" uuid NOT NULL,
	"currency" text NOT NULL,
	"provider_refund_id" text NOT NULL,
	"payment_id" uuid NOT NULL,
	"net_total" bigint NOT NULL,
	"tax_total" bigint NOT NULL,
	"total" bigint NOT NULL,
	"reason" text,
	"refunded_at" timestamp with time zone NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	CONSTRAINT "credit_notes_refund_key" UNIQUE("tenant_id","provider_refund_id"),
	CONSTRAINT "credit_notes_sequence_key" UNIQUE("tenant_id","sequence"),
	CONSTRAINT "credit_notes_tenant_id_invoice_key" UNIQUE("tenant_id","id","invoice_id"),
	CONSTRAINT "credit_notes_number_format" CHECK ("commerce"."credit_notes"."number" = 'CN-' || extract(year FROM "commerce"."credit_notes"."issued_at" AT TIME ZONE 'UTC')::int::text || '-' || lpad("commerce"."credit_notes"."sequence"::text, greatest(6, length("commerce"."credit_notes"."sequence"::text)), '0')),
	CONSTRAINT "credit_notes_sequence_positive" CHECK ("commerce"."credit_notes"."sequence" >= 1),
	CONSTRAINT "credit_notes_amounts" CHECK ("commerce"."credit_notes"."net_total" >= 0 AND "commerce"."credit_notes"."tax_total" >= 0 AND "commerce"."credit_notes"."total" > 0 AND "commerce"."credit_notes"."net_total" + "commerce"."credit_notes"."tax_total" = "commerce"."credit_notes"."total"),
	CONSTRAINT "credit_notes_refund_id" CHECK (char_length("commerce"."credit_notes"."provider_refund_id") BETWEEN 1 AND 255),
	CONSTRAINT "credit_notes_reason" CHECK (char_length("commerce"."credit_notes"."reason") <= 1000)
);
--> statement-breakpoint
ALTER TABLE "commerce"."credit_notes" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "commerce"."invoice_lines" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"invoice_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"product_id" uuid NOT NULL,
	"product_type" text NOT NULL,
	"subject_id" uuid NOT NULL,
	"title" text NOT NULL,
	"list_price" bigint NOT NULL,
	"discount" bigint NOT NULL,
	"net" bigint NOT NULL,
	"tax" bigint NOT NULL,
	"gross" bigint NOT NULL,
	"tax_rate" numeric(7, 6),
	"tax_name" text,
	CONSTRAINT "invoice_lines_position_key" UNIQUE("invoice_id","position"),
	CONSTRAINT "invoice_lines_tenant_id_invoice_key" UNIQUE("tenant_id","id","invoice_id"),
	CONSTRAINT "invoice_lines_position" CHECK ("commerce"."invoice_lines"."position" >= 1),
	CONSTRAINT "invoice_lines_title" CHECK (char_length("commerce"."invoice_lines"."title") BETWEEN 1 AND 500),
	CONSTRAINT "invoice_lines_amounts" CHECK ("commerce"."invoice_lines"."list_price" >= 0 AND "commerce"."invoice_lines"."discount" BETWEEN 0 AND "commerce"."invoice_lines"."list_price" AND "commerce"."invoice_lines"."net" >= 0 AND "commerce"."invoice_lines"."tax" >= 0 AND "commerce"."invoice_lines"."net" + "commerce"."invoice_lines"."tax" = "commerce"."invoice_lines"."gross"),
	CONSTRAINT "invoice_lines_tax" CHECK (("commerce"."invoice_lines"."tax_rate" IS NULL) = ("commerce"."invoice_lines"."tax_name" IS NULL) AND "commerce"."invoice_lines"."tax_rate" >= 0 AND "commerce"."invoice_lines"."tax_rate" < 1)
);
--> statement-breakpoint
ALTER TABLE "commerce"."invoice_lines" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "commerce"."invoice_number_series" (
	"tenant_id" uuid NOT NULL,
	"series" text NOT NULL,
	"last_number" bigint NOT NULL,
	CONSTRAINT "invoice_number_series_pkey" PRIMARY KEY("tenant_id","series"),
	CONSTRAINT "invoice_number_series_series" CHECK ("commerce"."invoice_number_series"."series" IN ('invoice', 'credit_note')),
	CONSTRAINT "invoice_number_series_positive" CHECK ("commerce"."invoice_number_series"."last_number" >= 1)
);
--> statement-breakpoint
ALTER TABLE "commerce"."invoice_number_series" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "commerce"."invoices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"sequence" bigint NOT NULL,
	"number" text NOT NULL,
	"order_id" uuid NOT NULL,
	"buyer_id" uuid NOT NULL,
	"seller" jsonb NOT NULL,
	"buyer" jsonb NOT NULL,
	"currency" text NOT NULL,
	"subtotal" bigint NOT NULL,
	"discount_total" bigint NOT NULL,
	"net_total" bigint NOT NULL,
	"tax_total" bigint NOT NULL,
	"total" bigint NOT NULL,
	"tax_treatment" text NOT NULL,
	"prices_include_tax" boolean NOT NULL,
	"reverse_charge_note" text,
	"locale" text NOT NULL,
	"payment_id" uuid,
	"provider" text,
	"paid_at" timestamp with time zone NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	CONSTRAINT "invoices_order_key" UNIQUE("tenant_id","order_id"),
	CONSTRAINT "invoices_sequence_key" UNIQUE("tenant_id","sequence"),
	CONSTRAINT "invoices_tenant_id_key" UNIQUE("tenant_id","id"),
	CONSTRAINT "invoices_tenant_id_currency_key" UNIQUE("tenant_id","id","currency"),
	CONSTRAINT "invoices_number_format" CHECK ("commerce"."invoices"."number" = 'INV-' || extract(year FROM "commerce"."invoices"."issued_at" AT TIME ZONE 'UTC')::int::text || '-' || lpad("commerce"."invoices"."sequence"::text, greatest(6, length("commerce"."invoices"."sequence"::text)), '0')),
	CONSTRAINT "invoices_sequence_positive" CHECK ("commerce"."invoices"."sequence" >= 1),
	CONSTRAINT "invoices_currency" CHECK ("commerce"."invoices"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "invoices_amounts" CHECK ("commerce"."invoices"."subtotal" >= 0 AND "commerce"."invoices"."discount_total" BETWEEN 0 AND "commerce"."invoices"."subtotal" AND "commerce"."invoices"."net_total" >= 0 AND "commerce"."invoices"."tax_total" >= 0 AND "commerce"."invoices"."net_total" + "commerce"."invoices"."tax_total" = "commerce"."invoices"."total"),
	CONSTRAINT "invoices_tax_treatment" CHECK ("commerce"."invoices"."tax_treatment" IN ('standard', 'reverse-charge', 'not-registered') AND ("commerce"."invoices"."tax_treatment" = 'standard' OR "commerce"."invoices"."tax_total" = 0)),
	CONSTRAINT "invoices_reverse_charge_note" CHECK (("commerce"."invoices"."tax_treatment" = 'reverse-charge') = ("commerce"."invoices"."reverse_charge_note" IS NOT NULL)),
	CONSTRAINT "invoices_snapshots" CHECK (jsonb_typeof("commerce"."invoices"."seller") = 'object' AND jsonb_typeof("commerce"."invoices"."buyer") = 'object'),
	CONSTRAINT "invoices_provider" CHECK ("commerce"."invoices"."provider" ~ '^[a-z][a-z0-9_]{0,31}$'),
	CONSTRAINT "invoices_locale" CHECK (char_length("commerce"."invoices"."locale") BETWEEN 2 AND 35)
);
--> statement-breakpoint
ALTER TABLE "commerce"."invoices" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "commerce"."credit_note_lines" ADD CONSTRAINT "credit_note_lines_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."credit_note_lines" ADD CONSTRAINT "credit_note_lines_credit_note_fk" FOREIGN KEY ("tenant_id","credit_note_id","invoice_id") REFERENCES "commerce"."credit_notes"("tenant_id","id","invoice_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."credit_note_lines" ADD CONSTRAINT "credit_note_lines_invoice_line_fk" FOREIGN KEY ("tenant_id","invoice_line_id","invoice_id") REFERENCES "commerce"."invoice_lines"("tenant_id","id","invoice_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."credit_notes" ADD CONSTRAINT "credit_notes_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."credit_notes" ADD CONSTRAINT "credit_notes_invoice_fk" FOREIGN KEY ("tenant_id","invoice_id","currency") REFERENCES "commerce"."invoices"("tenant_id","id","currency") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."invoice_lines" ADD CONSTRAINT "invoice_lines_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."invoice_lines" ADD CONSTRAINT "invoice_lines_invoice_fk" FOREIGN KEY ("tenant_id","invoice_id") REFERENCES "commerce"."invoices"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."invoice_number_series" ADD CONSTRAINT "invoice_number_series_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."invoices" ADD CONSTRAINT "invoices_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "credit_note_lines_invoice_line_idx" ON "commerce"."credit_note_lines" USING btree ("invoice_line_id");--> statement-breakpoint
CREATE INDEX "credit_notes_invoice_idx" ON "commerce"."credit_notes" USING btree ("tenant_id","invoice_id","sequence");--> statement-breakpoint
CREATE INDEX "invoices_buyer_idx" ON "commerce"."invoices" USING btree ("tenant_id","buyer_id","sequence" DESC NULLS LAST);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "commerce"."credit_note_lines" AS PERMISSIVE FOR ALL TO public USING ("commerce"."credit_note_lines"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("commerce"."credit_note_lines"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "commerce"."credit_note_lines" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "commerce"."credit_notes" AS PERMISSIVE FOR ALL TO public USING ("commerce"."credit_notes"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("commerce"."credit_notes"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "commerce"."credit_notes" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "commerce"."invoice_lines" AS PERMISSIVE FOR ALL TO public USING ("commerce"."invoice_lines"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("commerce"."invoice_lines"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "commerce"."invoice_lines" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "commerce"."invoice_number_series" AS PERMISSIVE FOR ALL TO public USING ("commerce"."invoice_number_series"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("commerce"."invoice_number_series"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "commerce"."invoice_number_series" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "commerce"."invoices" AS PERMISSIVE FOR ALL TO public USING ("commerce"."invoices"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("commerce"."invoices"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "commerce"."invoices" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);