CREATE TABLE "commerce"."order_lines" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"order_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"product_id" uuid NOT NULL,
	"product_type" text NOT NULL,
	"subject_id" uuid NOT NULL,
	"title" text NOT NULL,
	"price_version_id" uuid NOT NULL,
	"conversion" jsonb,
	"list_price" bigint NOT NULL,
	"discount" bigint NOT NULL,
	"net" bigint NOT NULL,
	"tax" bigint NOT NULL,
	"gross" bigint NOT NULL,
	"tax_rate" text,
	"tax_name" text,
	"discounts" jsonb DEFAULT '[]'::jsonb NOT NULL,
	CONSTRAINT "order_lines_position_key" UNIQUE("order_id","position"),
	CONSTRAINT "order_lines_product_key" UNIQUE("order_id","product_id"),
	CONSTRAINT "order_lines_position" CHECK ("commerce"."order_lines"."position" >= 0),
	CONSTRAINT "order_lines_product_type" CHECK ("commerce"."order_lines"."product_type" IN ('course', 'learning_path')),
	CONSTRAINT "order_lines_amounts_not_negative" CHECK ("commerce"."order_lines"."list_price" >= 0 AND "commerce"."order_lines"."discount" >= 0 AND "commerce"."order_lines"."net" >= 0 AND "commerce"."order_lines"."tax" >= 0 AND "commerce"."order_lines"."gross" >= 0),
	CONSTRAINT "order_lines_discount_range" CHECK ("commerce"."order_lines"."discount" <= "commerce"."order_lines"."list_price"),
	CONSTRAINT "order_lines_gross_sum" CHECK ("commerce"."order_lines"."gross" = "commerce"."order_lines"."net" + "commerce"."order_lines"."tax"),
	CONSTRAINT "order_lines_tax_named" CHECK (("commerce"."order_lines"."tax_rate" IS NULL) = ("commerce"."order_lines"."tax_name" IS NULL)),
	CONSTRAINT "order_lines_tax_rate_format" CHECK ("commerce"."order_lines"."tax_rate" ~ '^[0-9]+(\.[0-9]+)?$'),
	CONSTRAINT "order_lines_discounts_array" CHECK (jsonb_typeof("commerce"."order_lines"."discounts") = 'array'),
	CONSTRAINT "order_lines_conversion_object" CHECK ("commerce"."order_lines"."conversion" IS NULL OR jsonb_typeof("commerce"."order_lines"."conversion") = 'object')
);
--> statement-breakpoint
ALTER TABLE "commerce"."order_lines" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "commerce"."orders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"buyer_id" uuid NOT NULL,
	"idempotency_key" text NOT NULL,
	"status" text DEFAULT 'awaiting_payment' NOT NULL,
	"currency" text NOT NULL,
	"subtotal" bigint NOT NULL,
	"discount_total" bigint NOT NULL,
	"net_total" bigint NOT NULL,
	"tax_total" bigint NOT NULL,
	"total" bigint NOT NULL,
	"tax_treatment" text NOT NULL,
	"prices_include_tax" boolean NOT NULL,
	"billing_country" text NOT NULL,
	"billing_region" text,
	"vat_id" text,
	"card_country" text,
	"payment_id" uuid,
	"provider" text,
	"coupon_codes" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"paid_at" timestamp with time zone,
	"refunded_amount" bigint DEFAULT 0 NOT NULL,
	"needs_refund" boolean DEFAULT false NOT NULL,
	"admission_refusal" text,
	"review_reason" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "orders_idempotency_key" UNIQUE("tenant_id","buyer_id","idempotency_key"),
	CONSTRAINT "orders_tenant_id_key" UNIQUE("tenant_id","id"),
	CONSTRAINT "orders_status_known" CHECK ("commerce"."orders"."status" IN ('awaiting_payment', 'paid', 'payment_failed', 'canceled', 'partially_refunded', 'refunded', 'disputed')),
	CONSTRAINT "orders_currency_format" CHECK ("commerce"."orders"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "orders_amounts_not_negative" CHECK ("commerce"."orders"."subtotal" >= 0 AND "commerce"."orders"."discount_total" >= 0 AND "commerce"."orders"."net_total" >= 0 AND "commerce"."orders"."tax_total" >= 0 AND "commerce"."orders"."total" >= 0),
	CONSTRAINT "orders_discount_range" CHECK ("commerce"."orders"."discount_total" <= "commerce"."orders"."subtotal"),
	CONSTRAINT "orders_total_sum" CHECK ("commerce"."orders"."total" = "commerce"."orders"."net_total" + "commerce"."orders"."tax_total"),
	CONSTRAINT "orders_tax_treatment_known" CHECK ("commerce"."orders"."tax_treatment" IN ('standard', 'reverse-charge', 'not-registered')),
	CONSTRAINT "orders_billing_country" CHECK ("commerce"."orders"."billing_country" ~ '^[A-Z]{2}$'),
	CONSTRAINT "orders_card_country" CHECK ("commerce"."orders"."card_country" ~ '^[A-Z]{2}$'),
	CONSTRAINT "orders_idempotency_key_length" CHECK (char_length("commerce"."orders"."idempotency_key") BETWEEN 1 AND 255),
	CONSTRAINT "orders_provider_known" CHECK ("commerce"."orders"."provider" IN ('sandbox', 'stripe')),
	CONSTRAINT "orders_payment_provider" CHECK (("commerce"."orders"."payment_id" IS NULL) = ("commerce"."orders"."provider" IS NULL)),
	CONSTRAINT "orders_paid_at" CHECK (("commerce"."orders"."status" IN ('paid', 'partially_refunded', 'refunded', 'disputed')) = ("commerce"."orders"."paid_at" IS NOT NULL)),
	CONSTRAINT "orders_refunded_range" CHECK ("commerce"."orders"."refunded_amount" >= 0 AND "commerce"."orders"."refunded_amount" <= "commerce"."orders"."total"),
	CONSTRAINT "orders_refusal_needs_refund" CHECK ("commerce"."orders"."admission_refusal" IS NULL OR "commerce"."orders"."needs_refund"),
	CONSTRAINT "orders_reasons_length" CHECK (char_length("commerce"."orders"."admission_refusal") <= 1000 AND char_length("commerce"."orders"."review_reason") <= 1000)
);
--> statement-breakpoint
ALTER TABLE "commerce"."orders" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "commerce"."order_lines" ADD CONSTRAINT "order_lines_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."order_lines" ADD CONSTRAINT "order_lines_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "commerce"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."order_lines" ADD CONSTRAINT "order_lines_price_version_id_price_versions_id_fk" FOREIGN KEY ("price_version_id") REFERENCES "commerce"."price_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."order_lines" ADD CONSTRAINT "order_lines_order_fk" FOREIGN KEY ("tenant_id","order_id") REFERENCES "commerce"."orders"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."orders" ADD CONSTRAINT "orders_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."orders" ADD CONSTRAINT "orders_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "commerce"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "orders_payment_key" ON "commerce"."orders" USING btree ("payment_id");--> statement-breakpoint
CREATE INDEX "orders_buyer_idx" ON "commerce"."orders" USING btree ("tenant_id","buyer_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
ALTER TABLE "commerce"."coupon_redemptions" ADD CONSTRAINT "coupon_redemptions_order_fk" FOREIGN KEY ("tenant_id","order_id") REFERENCES "commerce"."orders"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "commerce"."order_lines" AS PERMISSIVE FOR ALL TO public USING ("commerce"."order_lines"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("commerce"."order_lines"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "commerce"."order_lines" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "commerce"."orders" AS PERMISSIVE FOR ALL TO public USING ("commerce"."orders"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("commerce"."orders"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "commerce"."orders" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);