-- Free follows the prices: commerce switches it off while a course has an active price (setCourseFree),
-- and each publication copies it into the catalogue entry, so a course priced as a draft is listed as paid.
ALTER TABLE "catalogue"."courses" ADD COLUMN "free" boolean DEFAULT true NOT NULL;--> statement-breakpoint
CREATE SCHEMA IF NOT EXISTS "commerce";
--> statement-breakpoint
CREATE TABLE "commerce"."tenant_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"allowed_currencies" text[] NOT NULL,
	"base_currency" text NOT NULL,
	"minimum_prices" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"prices_include_tax" boolean DEFAULT false NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenant_settings_base_allowed" CHECK ("commerce"."tenant_settings"."base_currency" = any("commerce"."tenant_settings"."allowed_currencies"))
);
--> statement-breakpoint
ALTER TABLE "commerce"."tenant_settings" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "commerce"."fx_rates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"base_currency" text NOT NULL,
	"quote_currency" text NOT NULL,
	"rate" numeric(27, 12) NOT NULL,
	"effective_at" timestamp with time zone NOT NULL,
	"source" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "fx_rates_base_format" CHECK ("commerce"."fx_rates"."base_currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "fx_rates_quote_format" CHECK ("commerce"."fx_rates"."quote_currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "fx_rates_pair_distinct" CHECK ("commerce"."fx_rates"."base_currency" <> "commerce"."fx_rates"."quote_currency"),
	CONSTRAINT "fx_rates_rate_positive" CHECK ("commerce"."fx_rates"."rate" > 0)
);
--> statement-breakpoint
ALTER TABLE "commerce"."fx_rates" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "commerce"."price_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"product_id" uuid NOT NULL,
	"currency" text NOT NULL,
	"amount" bigint NOT NULL,
	"version" integer NOT NULL,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_to" timestamp with time zone,
	"created_by" text NOT NULL,
	"ended_by" text,
	CONSTRAINT "price_versions_currency_format" CHECK ("commerce"."price_versions"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "price_versions_amount_positive" CHECK ("commerce"."price_versions"."amount" > 0),
	CONSTRAINT "price_versions_interval" CHECK ("commerce"."price_versions"."valid_to" is null or "commerce"."price_versions"."valid_to" > "commerce"."price_versions"."valid_from"),
	CONSTRAINT "price_versions_ended_by" CHECK (("commerce"."price_versions"."valid_to" is null) = ("commerce"."price_versions"."ended_by" is null))
);
--> statement-breakpoint
ALTER TABLE "commerce"."price_versions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "commerce"."products" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"type" text NOT NULL,
	"subject_id" uuid NOT NULL,
	"revision" integer DEFAULT 0 NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "products_type_known" CHECK ("commerce"."products"."type" in ('course', 'learning_path'))
);
--> statement-breakpoint
ALTER TABLE "commerce"."products" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "commerce"."tenant_settings" ADD CONSTRAINT "tenant_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."price_versions" ADD CONSTRAINT "price_versions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."price_versions" ADD CONSTRAINT "price_versions_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "commerce"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."products" ADD CONSTRAINT "products_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "fx_rates_pair_idx" ON "commerce"."fx_rates" USING btree ("base_currency","quote_currency","effective_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "price_versions_number_key" ON "commerce"."price_versions" USING btree ("product_id","currency","version");--> statement-breakpoint
CREATE UNIQUE INDEX "price_versions_open_key" ON "commerce"."price_versions" USING btree ("product_id","currency") WHERE "commerce"."price_versions"."valid_to" is null;--> statement-breakpoint
CREATE INDEX "price_versions_at_idx" ON "commerce"."price_versions" USING btree ("tenant_id","product_id","currency","valid_from");--> statement-breakpoint
CREATE UNIQUE INDEX "products_subject_key" ON "commerce"."products" USING btree ("tenant_id","type","subject_id");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "commerce"."tenant_settings" AS PERMISSIVE FOR ALL TO public USING ("commerce"."tenant_settings"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("commerce"."tenant_settings"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "commerce"."tenant_settings" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "read_all" ON "commerce"."fx_rates" AS PERMISSIVE FOR SELECT TO public USING (true);--> statement-breakpoint
CREATE POLICY "platform_access" ON "commerce"."fx_rates" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "commerce"."price_versions" AS PERMISSIVE FOR ALL TO public USING ("commerce"."price_versions"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("commerce"."price_versions"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "commerce"."price_versions" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "commerce"."products" AS PERMISSIVE FOR ALL TO public USING ("commerce"."products"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("commerce"."products"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "commerce"."products" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);