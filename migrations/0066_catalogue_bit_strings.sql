CREATE TABLE "catalogue"."catalogue_search_bitmaps" (
	"tenant_id" uuid NOT NULL,
	"term" text COLLATE "C" NOT NULL,
	"bits" bit varying NOT NULL,
	CONSTRAINT "catalogue_search_bitmaps_tenant_id_term_pk" PRIMARY KEY("tenant_id","term")
);
--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_search_bitmaps" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "catalogue"."catalogue_search_ordinals" (
	"tenant_id" uuid NOT NULL,
	"course_id" uuid NOT NULL,
	"ordinal" integer NOT NULL,
	CONSTRAINT "catalogue_search_ordinals_tenant_id_course_id_pk" PRIMARY KEY("tenant_id","course_id")
);
--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_search_ordinals" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_facet_counts" ADD COLUMN "bits" bit varying DEFAULT B'' NOT NULL;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_search_bitmaps" ADD CONSTRAINT "catalogue_search_bitmaps_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_search_ordinals" ADD CONSTRAINT "catalogue_search_ordinals_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "catalogue_search_ordinals_tenant_ordinal_idx" ON "catalogue"."catalogue_search_ordinals" USING btree ("tenant_id","ordinal");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "catalogue"."catalogue_search_bitmaps" AS PERMISSIVE FOR ALL TO public USING ("catalogue"."catalogue_search_bitmaps"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("catalogue"."catalogue_search_bitmaps"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "catalogue"."catalogue_search_bitmaps" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "catalogue"."catalogue_search_ordinals" AS PERMISSIVE FOR ALL TO public USING ("catalogue"."catalogue_search_ordinals"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("catalogue"."catalogue_search_ordinals"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "catalogue"."catalogue_search_ordinals" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);