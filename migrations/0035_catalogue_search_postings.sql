CREATE TABLE "catalogue"."catalogue_search_postings" (
	"tenant_id" uuid NOT NULL,
	"term" text COLLATE "C" NOT NULL,
	"course_id" uuid NOT NULL,
	"rank" double precision NOT NULL,
	"weight" double precision,
	"positions" text NOT NULL,
	"published_at" timestamp with time zone NOT NULL,
	"category" text,
	"level" text NOT NULL,
	"language" text NOT NULL,
	"free" boolean NOT NULL,
	"tags" text[] NOT NULL,
	CONSTRAINT "catalogue_search_postings_tenant_id_term_course_id_pk" PRIMARY KEY("tenant_id","term","course_id")
);
--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_search_postings" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_search_postings" ADD CONSTRAINT "catalogue_search_postings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "catalogue"."catalogue_search_postings" AS PERMISSIVE FOR ALL TO public USING ("catalogue"."catalogue_search_postings"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("catalogue"."catalogue_search_postings"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "catalogue"."catalogue_search_postings" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);