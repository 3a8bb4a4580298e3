CREATE TABLE "catalogue"."catalogue_title_postings" (
	"tenant_id" uuid NOT NULL,
	"word" text COLLATE "C" NOT NULL,
	"title" text NOT NULL,
	"course_id" uuid NOT NULL,
	"slug" text NOT NULL,
	CONSTRAINT "catalogue_title_postings_tenant_id_word_title_course_id_pk" PRIMARY KEY("tenant_id","word","title","course_id")
);
--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_title_postings" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "catalogue"."catalogue_title_words" (
	"tenant_id" uuid NOT NULL,
	"word" text COLLATE "C" NOT NULL,
	"course_count" integer NOT NULL,
	CONSTRAINT "catalogue_title_words_tenant_id_word_pk" PRIMARY KEY("tenant_id","word")
);
--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_title_words" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_title_postings" ADD CONSTRAINT "catalogue_title_postings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_title_words" ADD CONSTRAINT "catalogue_title_words_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "catalogue"."catalogue_title_postings" AS PERMISSIVE FOR ALL TO public USING ("catalogue"."catalogue_title_postings"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("catalogue"."catalogue_title_postings"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "catalogue"."catalogue_title_postings" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "catalogue"."catalogue_title_words" AS PERMISSIVE FOR ALL TO public USING ("catalogue"."catalogue_title_words"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("catalogue"."catalogue_title_words"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "catalogue"."catalogue_title_words" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);