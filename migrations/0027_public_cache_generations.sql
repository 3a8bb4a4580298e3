CREATE TABLE "platform"."cache_generations" (
	"tenant_id" uuid NOT NULL,
	"tag" text NOT NULL,
	"generation" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cache_generations_tenant_id_tag_pk" PRIMARY KEY("tenant_id","tag")
);
--> statement-breakpoint
ALTER TABLE "platform"."cache_generations" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "platform"."cache_generations" AS PERMISSIVE FOR ALL TO public USING ("platform"."cache_generations"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("platform"."cache_generations"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "platform"."cache_generations" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);