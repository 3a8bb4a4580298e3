DROP POLICY "tenant_isolation" ON "catalogue"."catalogue_search_terms" CASCADE;--> statement-breakpoint
DROP POLICY "platform_access" ON "catalogue"."catalogue_search_terms" CASCADE;--> statement-breakpoint
DROP TABLE "catalogue"."catalogue_search_terms" CASCADE;