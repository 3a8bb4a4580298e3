-- The title dictionary for suggestions (ADR 0019): kept exact in the transaction that writes
-- catalogue_entries, RLS forced on both tables for owners too.
ALTER TABLE "catalogue"."catalogue_title_words" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_title_postings" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
-- The triggers below run as the writer (lyceum_app when publishing), which adds and removes words.
GRANT SELECT, INSERT, UPDATE, DELETE ON "catalogue"."catalogue_title_words" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON "catalogue"."catalogue_title_postings" TO lyceum_app, lyceum_platform;--> statement-breakpoint
-- The words of a title: lower-cased and split where pg_trgm splits words (anything not
-- [:alnum:] under the database's ctype), each once. 1-character words and digit-only words
-- (edition and course numbers) are left out: they would grow the dictionary without helping.
CREATE FUNCTION "catalogue"."title_words"(title text) RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT DISTINCT w FROM regexp_split_to_table(lower(title), '[^[:alnum:]]+') AS w
  WHERE length(w) > 1 AND w !~ '^[[:digit:]]+$'
$$;--> statement-breakpoint
-- Postings are added and removed per (course, title, slug); counts change only when a title
-- does (a price or summary change touches neither). Word rows are upserted in one global order
-- (tenant, word); besides, the facet-count triggers (0025) fire first (triggers fire in name
-- order) and hold the tenant's 'total' row until commit, so a tenant's publishers are already
-- queued one after the other when these run.
CREATE FUNCTION "catalogue"."index_catalogue_titles"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO catalogue.catalogue_title_postings (tenant_id, word, title, course_id, slug)
    SELECT a.tenant_id, w, a.title, a.course_id, a.slug FROM added a CROSS JOIN LATERAL catalogue.title_words(a.title) AS w;
    INSERT INTO catalogue.catalogue_title_words AS d (tenant_id, word, course_count)
    SELECT a.tenant_id, w, count(*)::int FROM added a CROSS JOIN LATERAL catalogue.title_words(a.title) AS w
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (tenant_id, word) DO UPDATE SET course_count = d.course_count + excluded.course_count;
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN
    DELETE FROM catalogue.catalogue_title_postings p
    USING removed r CROSS JOIN LATERAL catalogue.title_words(r.title) AS w
    WHERE p.tenant_id = r.tenant_id AND p.word = w AND p.title = r.title AND p.course_id = r.course_id;
    INSERT INTO catalogue.catalogue_title_words AS d (tenant_id, word, course_count)
    SELECT r.tenant_id, w, -count(*)::int FROM removed r CROSS JOIN LATERAL catalogue.title_words(r.title) AS w
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (tenant_id, word) DO UPDATE SET course_count = d.course_count + excluded.course_count;
    DELETE FROM catalogue.catalogue_title_words d
    USING removed r CROSS JOIN LATERAL catalogue.title_words(r.title) AS w
    WHERE d.tenant_id = r.tenant_id AND d.word = w AND d.course_count = 0;
    RETURN NULL;
  END IF;
  DELETE FROM catalogue.catalogue_title_postings p
  USING (SELECT tenant_id, course_id, title, slug FROM removed EXCEPT SELECT tenant_id, course_id, title, slug FROM added) r
  CROSS JOIN LATERAL catalogue.title_words(r.title) AS w
  WHERE p.tenant_id = r.tenant_id AND p.word = w AND p.title = r.title AND p.course_id = r.course_id;
  INSERT INTO catalogue.catalogue_title_postings (tenant_id, word, title, course_id, slug)
  SELECT a.tenant_id, w, a.title, a.course_id, a.slug
  FROM (SELECT tenant_id, course_id, title, slug FROM added EXCEPT SELECT tenant_id, course_id, title, slug FROM removed) a
  CROSS JOIN LATERAL catalogue.title_words(a.title) AS w;
  INSERT INTO catalogue.catalogue_title_words AS d (tenant_id, word, course_count)
  SELECT tenant_id, w, sum(delta)::int
  FROM (SELECT tenant_id, title, 1 AS delta FROM added UNION ALL SELECT tenant_id, title, -1 FROM removed) AS t
  CROSS JOIN LATERAL catalogue.title_words(t.title) AS w
  GROUP BY 1, 2 HAVING sum(delta) <> 0 ORDER BY 1, 2
  ON CONFLICT (tenant_id, word) DO UPDATE SET course_count = d.course_count + excluded.course_count;
  DELETE FROM catalogue.catalogue_title_words d
  USING removed r CROSS JOIN LATERAL catalogue.title_words(r.title) AS w
  WHERE d.tenant_id = r.tenant_id AND d.word = w AND d.course_count = 0;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "catalogue_entries_title_inserts" AFTER INSERT ON "catalogue"."catalogue_entries"
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION "catalogue"."index_catalogue_titles"();--> statement-breakpoint
CREATE TRIGGER "catalogue_entries_title_updates" AFTER UPDATE ON "catalogue"."catalogue_entries"
  REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION "catalogue"."index_catalogue_titles"();--> statement-breakpoint
CREATE TRIGGER "catalogue_entries_title_deletes" AFTER DELETE ON "catalogue"."catalogue_entries"
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION "catalogue"."index_catalogue_titles"();--> statement-breakpoint
-- The dictionary of what is already published (as the owner, across tenants: RLS lifted for
-- these statements only, inside the migration's transaction).
ALTER TABLE "catalogue"."catalogue_entries" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_title_words" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_title_postings" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
INSERT INTO "catalogue"."catalogue_title_postings" (tenant_id, word, title, course_id, slug)
SELECT e.tenant_id, w, e.title, e.course_id, e.slug
FROM "catalogue"."catalogue_entries" e CROSS JOIN LATERAL "catalogue"."title_words"(e.title) AS w;--> statement-breakpoint
INSERT INTO "catalogue"."catalogue_title_words" (tenant_id, word, course_count)
SELECT tenant_id, word, count(*)::int FROM "catalogue"."catalogue_title_postings" GROUP BY 1, 2;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_entries" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_title_words" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_title_postings" FORCE ROW LEVEL SECURITY;
