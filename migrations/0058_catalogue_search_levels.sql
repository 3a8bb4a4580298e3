CREATE TABLE "catalogue"."catalogue_search_levels" (
	"tenant_id" uuid NOT NULL,
	"term" text COLLATE "C" NOT NULL,
	"rank" double precision NOT NULL,
	"course_count" integer NOT NULL,
	CONSTRAINT "catalogue_search_levels_tenant_id_term_rank_pk" PRIMARY KEY("tenant_id","term","rank")
);
--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_search_levels" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_search_levels" ADD CONSTRAINT "catalogue_search_levels_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "catalogue"."catalogue_search_levels" AS PERMISSIVE FOR ALL TO public USING ("catalogue"."catalogue_search_levels"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("catalogue"."catalogue_search_levels"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "catalogue"."catalogue_search_levels" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);