-- Catalogue at scale (issue 10, point 7): exact facet counts maintained in the writing transaction.
ALTER TABLE "catalogue"."catalogue_facet_counts" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
-- The triggers below run as the writer (lyceum_app when publishing): it upserts counts, never deletes them.
GRANT SELECT, INSERT, UPDATE ON "catalogue"."catalogue_facet_counts" TO lyceum_app, lyceum_platform;--> statement-breakpoint
-- The facet values one entry counts under: the same definition the filtered facet query groups by.
CREATE FUNCTION "catalogue"."catalogue_facet_values"(category text, level text, language text, free boolean, tags jsonb)
RETURNS TABLE (facet text, value text) LANGUAGE sql IMMUTABLE AS $$
  SELECT 'total', ''
  UNION ALL SELECT 'category', category WHERE category IS NOT NULL
  UNION ALL SELECT 'level', level
  UNION ALL SELECT 'language', language
  UNION ALL SELECT 'free', free::text
  -- The app writes tags as an array; anything else counts no tag rather than failing the write.
  UNION ALL SELECT 'tag', tag FROM jsonb_array_elements_text(CASE jsonb_typeof(tags) WHEN 'array' THEN tags ELSE '[]' END) AS tag
$$;--> statement-breakpoint
-- One upsert per statement with the net change per (tenant, facet, value). Rows are locked in one
-- global order with each tenant's 'total' row first (and always touched, even at a net change of
-- 0), so concurrent publishers of a tenant queue on that row rather than deadlock on the others.
CREATE FUNCTION "catalogue"."count_catalogue_facets"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO catalogue.catalogue_facet_counts AS c (tenant_id, facet, value, count)
    SELECT a.tenant_id, f.facet, f.value, count(*)::int
    FROM added a CROSS JOIN LATERAL catalogue.catalogue_facet_values(a.category, a.level, a.language, a.free, a.tags) f
    GROUP BY 1, 2, 3 ORDER BY 1, f.facet <> 'total', 2, 3
    ON CONFLICT (tenant_id, facet, value) DO UPDATE SET count = c.count + excluded.count;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO catalogue.catalogue_facet_counts AS c (tenant_id, facet, value, count)
    SELECT r.tenant_id, f.facet, f.value, -count(*)::int
    FROM removed r CROSS JOIN LATERAL catalogue.catalogue_facet_values(r.category, r.level, r.language, r.free, r.tags) f
    GROUP BY 1, 2, 3 ORDER BY 1, f.facet <> 'total', 2, 3
    ON CONFLICT (tenant_id, facet, value) DO UPDATE SET count = c.count + excluded.count;
  ELSE
    INSERT INTO catalogue.catalogue_facet_counts AS c (tenant_id, facet, value, count)
    SELECT tenant_id, facet, value, sum(delta)::int
    FROM (SELECT a.tenant_id, f.facet, f.value, 1 AS delta
          FROM added a CROSS JOIN LATERAL catalogue.catalogue_facet_values(a.category, a.level, a.language, a.free, a.tags) f
          UNION ALL
          SELECT r.tenant_id, f.facet, f.value, -1
          FROM removed r CROSS JOIN LATERAL catalogue.catalogue_facet_values(r.category, r.level, r.language, r.free, r.tags) f) AS deltas
    GROUP BY 1, 2, 3 HAVING sum(delta) <> 0 OR facet = 'total'
    ORDER BY 1, facet <> 'total', 2, 3
    ON CONFLICT (tenant_id, facet, value) DO UPDATE SET count = c.count + excluded.count;
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "catalogue_entries_count_inserts" AFTER INSERT ON "catalogue"."catalogue_entries"
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION "catalogue"."count_catalogue_facets"();--> statement-breakpoint
CREATE TRIGGER "catalogue_entries_count_updates" AFTER UPDATE ON "catalogue"."catalogue_entries"
  REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION "catalogue"."count_catalogue_facets"();--> statement-breakpoint
CREATE TRIGGER "catalogue_entries_count_deletes" AFTER DELETE ON "catalogue"."catalogue_entries"
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION "catalogue"."count_catalogue_facets"();--> statement-breakpoint
-- Counts for what is already published (as the owner, across tenants: RLS lifted for this statement only).
ALTER TABLE "catalogue"."catalogue_entries" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_facet_counts" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
INSERT INTO "catalogue"."catalogue_facet_counts" (tenant_id, facet, value, count)
SELECT e.tenant_id, f.facet, f.value, count(*)::int
FROM "catalogue"."catalogue_entries" e CROSS JOIN LATERAL "catalogue"."catalogue_facet_values"(e.category, e.level, e.language, e.free, e.tags) f
GROUP BY 1, 2, 3;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_entries" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_facet_counts" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- Suggestions: nearest titles first within the tenant (KNN on strict word similarity, <<<->),
-- which a GIN index cannot order by. btree_gist puts tenant_id in the same index; the longer
-- signature (default 12 bytes) keeps titles of a few dozen trigrams from saturating it.
CREATE EXTENSION IF NOT EXISTS btree_gist;--> statement-breakpoint
CREATE INDEX "catalogue_entries_title_trgm_gist_idx" ON "catalogue"."catalogue_entries" USING gist ("tenant_id", "title" gist_trgm_ops (siglen = 256));--> statement-breakpoint
DROP INDEX IF EXISTS "catalogue"."catalogue_entries_title_trgm_idx";
--> statement-breakpoint
-- The visitor's query parsed in every configuration, alternatives de-duplicated (most
-- configurations give the same lexeme): "python" is 'python', not 16 OR-ed copies, so @@ and
-- ts_rank_cd run over a few operands. IMMUTABLE (the configurations are built-in and named by
-- schema), so with constant arguments the planner folds it into a constant tsquery and
-- estimates matches from the column statistics.
CREATE FUNCTION "catalogue"."visitor_tsquery"(q text, configs text[]) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(DISTINCT '(' || alternative::text || ')', ' | '), '')::tsquery
  FROM unnest(configs) AS config
  CROSS JOIN LATERAL websearch_to_tsquery(('pg_catalog.' || config)::regconfig, q) AS alternative
  WHERE numnode(alternative) > 0
$$;
