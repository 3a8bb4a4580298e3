CREATE TABLE "catalogue"."catalogue_facet_counts" (
	"tenant_id" uuid NOT NULL,
	"facet" text NOT NULL,
	"value" text NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "catalogue_facet_counts_tenant_id_facet_value_pk" PRIMARY KEY("tenant_id","facet","value")
);
--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_facet_counts" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_facet_counts" ADD CONSTRAINT "catalogue_facet_counts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "catalogue"."catalogue_facet_counts" AS PERMISSIVE FOR ALL TO public USING ("catalogue"."catalogue_facet_counts"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("catalogue"."catalogue_facet_counts"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "catalogue"."catalogue_facet_counts" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);