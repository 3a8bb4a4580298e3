CREATE TABLE "commerce"."coupon_redemptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"coupon_id" uuid NOT NULL,
	"order_id" uuid NOT NULL,
	"buyer_id" uuid NOT NULL,
	"reserved_at" timestamp with time zone DEFAULT now() NOT NULL,
	"released_at" timestamp with time zone,
	CONSTRAINT "coupon_redemptions_released_after" CHECK ("commerce"."coupon_redemptions"."released_at" is null or "commerce"."coupon_redemptions"."released_at" >= "commerce"."coupon_redemptions"."reserved_at")
);
--> statement-breakpoint
ALTER TABLE "commerce"."coupon_redemptions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "commerce"."coupons" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"code" text NOT NULL,
	"kind" text NOT NULL,
	"percent_off" numeric(5, 2),
	"amounts_off" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"max_discounts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"valid_from" timestamp with time zone,
	"valid_until" timestamp with time zone,
	"max_redemptions" integer,
	"max_redemptions_per_buyer" integer,
	"product_ids" uuid[],
	"stackable" boolean DEFAULT false NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_by" text,
	"archived_at" timestamp with time zone,
	CONSTRAINT "coupons_code_format" CHECK ("commerce"."coupons"."code" ~ '^[A-Z0-9][A-Z0-9_-]{2,31}$'),
	CONSTRAINT "coupons_kind_known" CHECK ("commerce"."coupons"."kind" in ('percent', 'fixed')),
	CONSTRAINT "coupons_percent_terms" CHECK (("commerce"."coupons"."kind" = 'percent') = ("commerce"."coupons"."percent_off" is not null and "commerce"."coupons"."amounts_off" = '{}'::jsonb)),
	CONSTRAINT "coupons_fixed_terms" CHECK ("commerce"."coupons"."kind" = 'percent' or "commerce"."coupons"."max_discounts" = '{}'::jsonb),
	CONSTRAINT "coupons_percent_range" CHECK ("commerce"."coupons"."percent_off" is null or ("commerce"."coupons"."percent_off" > 0 and "commerce"."coupons"."percent_off" <= 100)),
	CONSTRAINT "coupons_amounts_object" CHECK (jsonb_typeof("commerce"."coupons"."amounts_off") = 'object'),
	CONSTRAINT "coupons_caps_object" CHECK (jsonb_typeof("commerce"."coupons"."max_discounts") = 'object'),
	CONSTRAINT "coupons_window" CHECK ("commerce"."coupons"."valid_from" is null or "commerce"."coupons"."valid_until" is null or "commerce"."coupons"."valid_until" > "commerce"."coupons"."valid_from"),
	CONSTRAINT "coupons_max_redemptions" CHECK ("commerce"."coupons"."max_redemptions" is null or "commerce"."coupons"."max_redemptions" >= 1),
	CONSTRAINT "coupons_max_per_buyer" CHECK ("commerce"."coupons"."max_redemptions_per_buyer" is null or "commerce"."coupons"."max_redemptions_per_buyer" >= 1),
	CONSTRAINT "coupons_products" CHECK ("commerce"."coupons"."product_ids" is null or cardinality("commerce"."coupons"."product_ids") between 1 and 100),
	CONSTRAINT "coupons_archived" CHECK (("commerce"."coupons"."archived_at" is null) = ("commerce"."coupons"."archived_by" is null))
);
--> statement-breakpoint
ALTER TABLE "commerce"."coupons" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "commerce"."tax_profiles" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"seller_legal_name" text NOT NULL,
	"seller_country" text NOT NULL,
	"seller_tax_id" text,
	"reverse_charge_b2b" boolean DEFAULT false NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tax_profiles_country_format" CHECK ("commerce"."tax_profiles"."seller_country" ~ '^[A-Z]{2}$'),
	CONSTRAINT "tax_profiles_name_length" CHECK (char_length("commerce"."tax_profiles"."seller_legal_name") between 1 and 200),
	CONSTRAINT "tax_profiles_tax_id_format" CHECK ("commerce"."tax_profiles"."seller_tax_id" ~ '^[A-Z0-9+*]{2,20}$')
);
--> statement-breakpoint
ALTER TABLE "commerce"."tax_profiles" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "commerce"."tax_rates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"country" text NOT NULL,
	"region" text,
	"name" text NOT NULL,
	"rate" numeric(7, 6) NOT NULL,
	"version" integer NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_by" text,
	"retired_at" timestamp with time zone,
	CONSTRAINT "tax_rates_country_format" CHECK ("commerce"."tax_rates"."country" ~ '^[A-Z]{2}$'),
	CONSTRAINT "tax_rates_region_of_country" CHECK ("commerce"."tax_rates"."region" is null or ("commerce"."tax_rates"."region" ~ '^[A-Z]{2}-[A-Z0-9]{1,3}$' and left("commerce"."tax_rates"."region", 2) = "commerce"."tax_rates"."country")),
	CONSTRAINT "tax_rates_rate_range" CHECK ("commerce"."tax_rates"."rate" >= 0 and "commerce"."tax_rates"."rate" < 1),
	CONSTRAINT "tax_rates_name_length" CHECK (char_length("commerce"."tax_rates"."name") between 1 and 100),
	CONSTRAINT "tax_rates_version_positive" CHECK ("commerce"."tax_rates"."version" >= 1),
	CONSTRAINT "tax_rates_retired" CHECK (("commerce"."tax_rates"."retired_at" is null) = ("commerce"."tax_rates"."retired_by" is null)),
	CONSTRAINT "tax_rates_retired_after_created" CHECK ("commerce"."tax_rates"."retired_at" is null or "commerce"."tax_rates"."retired_at" >= "commerce"."tax_rates"."created_at")
);
--> statement-breakpoint
ALTER TABLE "commerce"."tax_rates" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "commerce"."coupon_redemptions" ADD CONSTRAINT "coupon_redemptions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."coupon_redemptions" ADD CONSTRAINT "coupon_redemptions_coupon_id_coupons_id_fk" FOREIGN KEY ("coupon_id") REFERENCES "commerce"."coupons"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."coupons" ADD CONSTRAINT "coupons_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."tax_profiles" ADD CONSTRAINT "tax_profiles_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."tax_rates" ADD CONSTRAINT "tax_rates_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "coupon_redemptions_order_key" ON "commerce"."coupon_redemptions" USING btree ("coupon_id","order_id");--> statement-breakpoint
CREATE INDEX "coupon_redemptions_live_idx" ON "commerce"."coupon_redemptions" USING btree ("coupon_id","buyer_id") WHERE "commerce"."coupon_redemptions"."released_at" is null;--> statement-breakpoint
CREATE INDEX "coupon_redemptions_order_idx" ON "commerce"."coupon_redemptions" USING btree ("tenant_id","order_id");--> statement-breakpoint
CREATE UNIQUE INDEX "coupons_live_code_key" ON "commerce"."coupons" USING btree ("tenant_id","code") WHERE "commerce"."coupons"."archived_at" is null;--> statement-breakpoint
CREATE INDEX "coupons_list_idx" ON "commerce"."coupons" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "tax_rates_live_key" ON "commerce"."tax_rates" USING btree ("tenant_id","country",coalesce("region", '')) WHERE "commerce"."tax_rates"."retired_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "tax_rates_version_key" ON "commerce"."tax_rates" USING btree ("tenant_id","country",coalesce("region", ''),"version");--> statement-breakpoint
CREATE INDEX "tax_rates_list_idx" ON "commerce"."tax_rates" USING btree ("tenant_id","country",coalesce("region", '-'),"created_at","id");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "commerce"."coupon_redemptions" AS PERMISSIVE FOR ALL TO public USING ("commerce"."coupon_redemptions"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("commerce"."coupon_redemptions"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "commerce"."coupon_redemptions" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "commerce"."coupons" AS PERMISSIVE FOR ALL TO public USING ("commerce"."coupons"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("commerce"."coupons"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "commerce"."coupons" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "commerce"."tax_profiles" AS PERMISSIVE FOR ALL TO public USING ("commerce"."tax_profiles"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("commerce"."tax_profiles"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "commerce"."tax_profiles" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "commerce"."tax_rates" AS PERMISSIVE FOR ALL TO public USING ("commerce"."tax_rates"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("commerce"."tax_rates"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "commerce"."tax_rates" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);