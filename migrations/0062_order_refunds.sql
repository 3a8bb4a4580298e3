CREATE TABLE "commerce"."order_disputes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"order_id" uuid NOT NULL,
	"payment_id" uuid NOT NULL,
	"provider_dispute_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"reason" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "order_disputes_status_known" CHECK ("commerce"."order_disputes"."status" IN ('open', 'won', 'lost')),
	CONSTRAINT "order_disputes_amount_positive" CHECK ("commerce"."order_disputes"."amount" > 0),
	CONSTRAINT "order_disputes_currency_format" CHECK ("commerce"."order_disputes"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "order_disputes_reason_length" CHECK (char_length("commerce"."order_disputes"."reason") BETWEEN 1 AND 200),
	CONSTRAINT "order_disputes_closed" CHECK (("commerce"."order_disputes"."status" = 'open') = ("commerce"."order_disputes"."closed_at" IS NULL))
);
--> statement-breakpoint
ALTER TABLE "commerce"."order_disputes" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "commerce"."order_refunds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"order_id" uuid NOT NULL,
	"payment_id" uuid NOT NULL,
	"origin" text NOT NULL,
	"request_key" text,
	"provider_refund_id" text,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"reason" text NOT NULL,
	"requested_by" text,
	"status" text DEFAULT 'requested' NOT NULL,
	"failure" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"settled_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "order_refunds_status_known" CHECK ("commerce"."order_refunds"."status" IN ('requested', 'pending', 'succeeded', 'failed')),
	CONSTRAINT "order_refunds_origin_known" CHECK ("commerce"."order_refunds"."origin" IN ('admin', 'automatic', 'provider')),
	CONSTRAINT "order_refunds_amount_positive" CHECK ("commerce"."order_refunds"."amount" > 0),
	CONSTRAINT "order_refunds_currency_format" CHECK ("commerce"."order_refunds"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "order_refunds_reason_length" CHECK (char_length("commerce"."order_refunds"."reason") BETWEEN 1 AND 500),
	CONSTRAINT "order_refunds_failure_length" CHECK (char_length("commerce"."order_refunds"."failure") <= 1000),
	CONSTRAINT "order_refunds_request_key_origin" CHECK (("commerce"."order_refunds"."request_key" IS NULL) = ("commerce"."order_refunds"."origin" = 'provider') AND char_length("commerce"."order_refunds"."request_key") <= 600),
	CONSTRAINT "order_refunds_settled" CHECK (("commerce"."order_refunds"."status" = 'succeeded') = ("commerce"."order_refunds"."settled_at" IS NOT NULL)),
	CONSTRAINT "order_refunds_succeeded_known" CHECK ("commerce"."order_refunds"."status" <> 'succeeded' OR "commerce"."order_refunds"."provider_refund_id" IS NOT NULL)
);
--> statement-breakpoint
ALTER TABLE "commerce"."order_refunds" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "commerce"."tenant_settings" ADD COLUMN "partial_refund_access" text DEFAULT 'keep' NOT NULL;--> statement-breakpoint
ALTER TABLE "commerce"."order_disputes" ADD CONSTRAINT "order_disputes_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."order_disputes" ADD CONSTRAINT "order_disputes_order_fk" FOREIGN KEY ("tenant_id","order_id") REFERENCES "commerce"."orders"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."order_refunds" ADD CONSTRAINT "order_refunds_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commerce"."order_refunds" ADD CONSTRAINT "order_refunds_order_fk" FOREIGN KEY ("tenant_id","order_id") REFERENCES "commerce"."orders"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "order_disputes_provider_dispute_key" ON "commerce"."order_disputes" USING btree ("tenant_id","provider_dispute_id");--> statement-breakpoint
CREATE INDEX "order_disputes_order_idx" ON "commerce"."order_disputes" USING btree ("tenant_id","order_id");--> statement-breakpoint
CREATE UNIQUE INDEX "order_refunds_request_key" ON "commerce"."order_refunds" USING btree ("tenant_id","order_id","request_key");--> statement-breakpoint
CREATE UNIQUE INDEX "order_refunds_provider_refund_key" ON "commerce"."order_refunds" USING btree ("tenant_id","provider_refund_id");--> statement-breakpoint
CREATE INDEX "order_refunds_order_idx" ON "commerce"."order_refunds" USING btree ("tenant_id","order_id","created_at");--> statement-breakpoint
CREATE INDEX "orders_created_idx" ON "commerce"."orders" USING btree ("tenant_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
ALTER TABLE "commerce"."tenant_settings" ADD CONSTRAINT "tenant_settings_partial_refund_access" CHECK ("commerce"."tenant_settings"."partial_refund_access" IN ('keep', 'revoke'));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "commerce"."order_disputes" AS PERMISSIVE FOR ALL TO public USING ("commerce"."order_disputes"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("commerce"."order_disputes"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "commerce"."order_disputes" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "commerce"."order_refunds" AS PERMISSIVE FOR ALL TO public USING ("commerce"."order_refunds"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("commerce"."order_refunds"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "commerce"."order_refunds" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);