-- Catalogue search under forced RLS (ADR 0020): an inverted index the request role reads through
-- leakproof btree conditions (tenant_id = …, term = …), kept in the publishing transaction.
ALTER TABLE "catalogue"."catalogue_search_postings" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
-- The triggers below run as the writer (lyceum_app when publishing, lyceum_platform for platform work).
GRANT SELECT, INSERT, DELETE ON "catalogue"."catalogue_search_postings" TO lyceum_app, lyceum_platform;--> statement-breakpoint
-- A first search page (and each keyset page) of a one-lexeme query is a range of this index in
-- the route's order; the included columns make facet counts and multi-lexeme searches
-- index-only reads.
CREATE INDEX "catalogue_search_postings_rank_idx" ON "catalogue"."catalogue_search_postings"
  ("tenant_id", "term", "rank" DESC, "published_at" DESC, "course_id" DESC)
  INCLUDE ("weight", "category", "level", "language", "free", "tags", "positions");--> statement-breakpoint
-- A lexeme as a tsquery/tsvector literal: quotes and backslashes doubled, as tsquery_out writes them.
CREATE FUNCTION "catalogue"."lexeme_literal"(lexeme text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT '''' || replace(replace(lexeme, '\', '\\'), '''', '''''') || ''''
$$;--> statement-breakpoint
-- One row per distinct lexeme of a search vector: the lexeme; the rank of the vector for that
-- lexeme alone (ts_rank_cd, as the route ranks, so a one-lexeme query's order is read from the
-- index); the exact sum of its positions' weights (ts_rank_cd of a disjunction of lexemes adds
-- the float4 weight of every position in float8 — exact, so in any order — and rounds the sum to
-- float4), NULL when a position is the last one a vector holds (16383: several lexemes may share
-- it there, and a shared position counts once); and the lexeme's entry of the vector as text
-- ('data':2A,40A). Rank and match of any query depend only on the positions of its own lexemes,
-- so their entries, parsed back into a small vector, give exactly the whole vector's rank and match.
CREATE FUNCTION "catalogue"."search_postings"(search tsvector)
RETURNS TABLE (term text, rank float8, weight float8, positions text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT u.lexeme,
         ts_rank_cd(search, catalogue.lexeme_literal(u.lexeme)::tsquery)::float8,
         (SELECT CASE WHEN bool_or(x.p = 16383) THEN NULL ELSE sum(CASE x.w WHEN 'A' THEN 1.0::float4
                 WHEN 'B' THEN 0.4::float4 WHEN 'C' THEN 0.2::float4 ELSE 0.1::float4 END::float8) END
          FROM unnest(u.positions, u.weights) AS x(p, w)),
         catalogue.lexeme_literal(u.lexeme) || coalesce(':' || (
           SELECT string_agg(x.p::text || x.w, ',' ORDER BY x.ord)
           FROM unnest(u.positions, u.weights) WITH ORDINALITY AS x(p, w, ord)), '')
  FROM unnest(search) AS u
$$;--> statement-breakpoint
-- The lexemes a tsquery names (its operands), from its text form.
CREATE FUNCTION "catalogue"."tsquery_lexemes"(query tsquery) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT replace(replace(m[1], '''''', ''''), '\\', '\')), '{}')
  FROM regexp_matches(query::text, '''((?:[^''\\]|''''|\\.)*)''', 'g') AS m
$$;--> statement-breakpoint
-- How the postings answer a query (catalogue-postings.ts): 'one' lexeme (an index range in rank
-- order; also the empty query, which has no lexeme to read); 'any' of several lexemes (a
-- disjunction: the rank is the sum of the postings' weights); 'all' other queries over lexemes
-- (conjunctions, phrases, negations: matched and ranked on the small vector of the postings'
-- positions); 'entries' when the query matches a vector without any of its lexemes ("-python"),
-- which no posting can show: the entries are read as before.
CREATE FUNCTION "catalogue"."search_path"(query tsquery) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN numnode(query) <= 1 THEN 'one'
    WHEN ''::tsvector @@ query THEN 'entries'
    WHEN regexp_replace(query::text, '''(?:[^''\\]|''''|\\.)*''', '', 'g') !~ '[&!<]' THEN 'any'
    ELSE 'all' END
$$;--> statement-breakpoint
-- The lexemes to read for a path: the query's when it takes that path, none otherwise, so the
-- branches of the other paths are empty index ranges, and priced as such by the planner.
CREATE FUNCTION "catalogue"."search_terms"(query tsquery, path text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN catalogue.search_path(query) = path THEN catalogue.tsquery_lexemes(query) ELSE '{}' END
$$;--> statement-breakpoint
-- The rank of a course's whole vector, for the rare course whose postings cannot add up to it
-- (a position at the vector's limit). A function (not inlined, priced as one call) so that the
-- planner does not price a lookup for every course it groups; it runs as the caller, under RLS.
CREATE FUNCTION "catalogue"."entry_rank"(course uuid, query tsquery) RETURNS float8
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT ts_rank_cd(search, query)::float8 FROM catalogue.catalogue_entries WHERE course_id = course
$$;--> statement-breakpoint
-- An entry's tags as text[] (the app writes a JSON array of strings; anything else has no tag, as in 0025).
CREATE FUNCTION "catalogue"."tag_array"(tags jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE jsonb_typeof(tags) WHEN 'array' THEN ARRAY(SELECT jsonb_array_elements_text(tags)) ELSE '{}' END
$$;--> statement-breakpoint
-- Rewrites the postings of the entries a statement touched: removed rows' postings go, added
-- rows' come in, so a republish, a price change or an archive keeps them equal to the entries.
CREATE FUNCTION "catalogue"."index_catalogue_search"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM catalogue.catalogue_search_postings p USING removed r
    WHERE p.tenant_id = r.tenant_id AND p.term = ANY (tsvector_to_array(r.search)) AND p.course_id = r.course_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO catalogue.catalogue_search_postings
      (tenant_id, term, course_id, rank, weight, positions, published_at, category, level, language, free, tags)
    SELECT a.tenant_id, s.term, a.course_id, s.rank, s.weight, s.positions, a.published_at, a.category, a.level, a.language, a.free, catalogue.tag_array(a.tags)
    FROM added a CROSS JOIN LATERAL catalogue.search_postings(a.search) s;
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "catalogue_entries_index_inserts" AFTER INSERT ON "catalogue"."catalogue_entries"
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION "catalogue"."index_catalogue_search"();--> statement-breakpoint
CREATE TRIGGER "catalogue_entries_index_updates" AFTER UPDATE ON "catalogue"."catalogue_entries"
  REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION "catalogue"."index_catalogue_search"();--> statement-breakpoint
CREATE TRIGGER "catalogue_entries_index_deletes" AFTER DELETE ON "catalogue"."catalogue_entries"
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION "catalogue"."index_catalogue_search"();--> statement-breakpoint
-- Postings for what is already published (as the owner, across tenants: RLS lifted for this statement only).
ALTER TABLE "catalogue"."catalogue_entries" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_search_postings" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
INSERT INTO "catalogue"."catalogue_search_postings"
  (tenant_id, term, course_id, rank, weight, positions, published_at, category, level, language, free, tags)
SELECT e.tenant_id, s.term, e.course_id, s.rank, s.weight, s.positions, e.published_at, e.category, e.level, e.language, e.free, "catalogue"."tag_array"(e.tags)
FROM "catalogue"."catalogue_entries" e CROSS JOIN LATERAL "catalogue"."search_postings"(e.search) s;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_entries" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_search_postings" FORCE ROW LEVEL SECURITY;
