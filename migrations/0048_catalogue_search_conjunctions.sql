-- Searches of several words (ADR 0020, "Conjunctions"): per-tenant lexeme document frequencies,
-- kept by the postings triggers, and the functions the conjunction path reads a query with.
ALTER TABLE "catalogue"."catalogue_search_terms" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
-- The postings trigger below runs as the writer (lyceum_app when publishing, lyceum_platform for platform work).
GRANT SELECT, INSERT, UPDATE, DELETE ON "catalogue"."catalogue_search_terms" TO lyceum_app, lyceum_platform;--> statement-breakpoint
-- A course's posting of one lexeme by primary key, rank and positions included: the conjunction
-- path completes a course's small vector with these probes, index-only.
ALTER TABLE "catalogue"."catalogue_search_postings" DROP CONSTRAINT "catalogue_search_postings_tenant_id_term_course_id_pk";--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_search_postings" ADD CONSTRAINT "catalogue_search_postings_tenant_id_term_course_id_pk"
  PRIMARY KEY ("tenant_id", "term", "course_id") INCLUDE ("rank", "positions");--> statement-breakpoint
-- A tsquery's text with its phrase operators (<->, <N>) made &: a weaker query, whose match on
-- a vector without positions (array_to_tsvector) is decided by the lexemes present alone.
CREATE FUNCTION "catalogue"."tsquery_and"(query text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(coalesce(r.m[1], regexp_replace(r.m[2], '<[0-9]*-?>', '&', 'g')), '' ORDER BY r.n), '')::tsquery
  FROM regexp_matches(query, '(''(?:[^''\\]|''''|\\.)*'')|([^'']+)', 'g') WITH ORDINALITY AS r(m, n)
$$;--> statement-breakpoint
-- Whether a query has no negation: then a vector window holding more lexemes matches whenever a
-- smaller one does, which the rank bound of the conjunction path relies on.
CREATE FUNCTION "catalogue"."tsquery_monotone"(query tsquery) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT regexp_replace(query::text, '''(?:[^''\\]|''''|\\.)*''', '', 'g') !~ '!'
$$;--> statement-breakpoint
-- Lexemes of which every vector matching the query holds at least one, chosen among `lexemes`
-- (the query's, most frequent first): each is dropped in turn while the lexemes outside the
-- set still cannot match. The test runs on the query's positive part (querytree: the negations
-- taken out, a weaker query) with phrases made conjunctions (weaker again), so a set it keeps
-- is necessary for the query itself. With no positive part every lexeme is kept.
CREATE FUNCTION "catalogue"."necessary_lexemes"(query tsquery, lexemes text[]) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  positive text := querytree(query);
  weaker tsquery;
  kept text[] := lexemes;
  lexeme text;
BEGIN
  IF positive IN ('', 'T') THEN
    RETURN lexemes;
  END IF;
  weaker := catalogue.tsquery_and(positive);
  FOREACH lexeme IN ARRAY lexemes LOOP
    IF NOT (array_to_tsvector(ARRAY(SELECT l FROM unnest(lexemes) AS l WHERE l <> ALL (array_remove(kept, lexeme)))) @@ weaker) THEN
      kept := array_remove(kept, lexeme);
    END IF;
  END LOOP;
  RETURN kept;
END
$$;--> statement-breakpoint
-- A query's top-level alternatives (its operands of | outside parentheses), from its text.
CREATE FUNCTION "catalogue"."tsquery_disjuncts"(query tsquery) RETURNS tsquery[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  t text := query::text;
  parts tsquery[] := '{}';
  depth int := 0;
  start int := 1;
  i int := 1;
  c text;
  quoted boolean := false;
BEGIN
  WHILE i <= length(t) LOOP
    c := substr(t, i, 1);
    IF quoted THEN
      IF c = '\' THEN
        i := i + 1;
      ELSIF c = '''' THEN
        IF substr(t, i + 1, 1) = '''' THEN i := i + 1; ELSE quoted := false; END IF;
      END IF;
    ELSIF c = '''' THEN
      quoted := true;
    ELSIF c = '(' THEN
      depth := depth + 1;
    ELSIF c = ')' THEN
      depth := depth - 1;
    ELSIF c = '|' AND depth = 0 THEN
      parts := parts || substr(t, start, i - start)::tsquery;
      start := i + 1;
    END IF;
    i := i + 1;
  END LOOP;
  RETURN parts || substr(t, start)::tsquery;
END
$$;--> statement-breakpoint
-- The postings trigger (0036) now also keeps each tenant's lexeme counts: net changes per
-- (tenant, lexeme), upserted in that order, rows at zero deleted. A republish that changes no
-- vector and a price change leave the counts alone. The facet-count triggers fire first (name
-- order) and hold the tenant's 'total' row until commit, so a tenant's publishers already queue.
CREATE OR REPLACE FUNCTION "catalogue"."index_catalogue_search"() RETURNS trigger LANGUAGE plpgsql AS $$
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
  IF TG_OP = 'INSERT' THEN
    INSERT INTO catalogue.catalogue_search_terms AS d (tenant_id, term, course_count)
    SELECT a.tenant_id, t, count(*)::int FROM added a CROSS JOIN LATERAL unnest(tsvector_to_array(a.search)) AS t
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (tenant_id, term) DO UPDATE SET course_count = d.course_count + excluded.course_count;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO catalogue.catalogue_search_terms AS d (tenant_id, term, course_count)
    SELECT r.tenant_id, t, -count(*)::int FROM removed r CROSS JOIN LATERAL unnest(tsvector_to_array(r.search)) AS t
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (tenant_id, term) DO UPDATE SET course_count = d.course_count + excluded.course_count;
  ELSE
    INSERT INTO catalogue.catalogue_search_terms AS d (tenant_id, term, course_count)
    SELECT x.tenant_id, t, sum(x.delta)::int
    FROM (SELECT tenant_id, search, 1 AS delta FROM added UNION ALL SELECT tenant_id, search, -1 FROM removed) AS x
    CROSS JOIN LATERAL unnest(tsvector_to_array(x.search)) AS t
    GROUP BY 1, 2 HAVING sum(x.delta) <> 0 ORDER BY 1, 2
    ON CONFLICT (tenant_id, term) DO UPDATE SET course_count = d.course_count + excluded.course_count;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM catalogue.catalogue_search_terms d USING removed r
    WHERE d.tenant_id = r.tenant_id AND d.term = ANY (tsvector_to_array(r.search)) AND d.course_count = 0;
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
-- Counts for what is already published (as the owner, across tenants: RLS lifted for this statement only).
ALTER TABLE "catalogue"."catalogue_search_postings" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_search_terms" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
INSERT INTO "catalogue"."catalogue_search_terms" (tenant_id, term, course_count)
SELECT tenant_id, term, count(*)::int FROM "catalogue"."catalogue_search_postings" GROUP BY 1, 2;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_search_postings" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_search_terms" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- A page of a search that takes the 'all' path (catalogue-conjunction.ts explains the steps and
-- why the result is exactly `search @@ query` ordered by ts_rank_cd, published_at, course_id):
-- course_id, rank, published_at of at most p_limit matches past the cursor, best first. Empty
-- for a query on another path. The filters are those of the catalogue (NULL: not filtered).
-- It runs as the caller, under RLS. JIT is off: the plan's estimates (probes per course of
-- unknown counts) can pass jit_above_cost, and compiling costs more than this query runs.
CREATE FUNCTION "catalogue"."search_conjunction"(
  p_tenant uuid, p_query tsquery,
  p_category text, p_level text, p_language text, p_free boolean, p_tags text[], p_instructor jsonb,
  p_after_rank float8, p_after_published timestamptz, p_after_course uuid, p_limit int)
RETURNS TABLE (course_id uuid, rank float8, published_at timestamptz)
LANGUAGE plpgsql STABLE SET jit = off AS $$
#variable_conflict use_column
DECLARE
  -- 1 + 2^-20: ranks are float4 computed in float8, so bounds are compared with this margin.
  margin CONSTANT float8 := 1.00000095367431640625;
  monotone boolean;
BEGIN
  IF p_query IS NULL OR catalogue.search_path(p_query) <> 'all' THEN
    RETURN;
  END IF;
  monotone := catalogue.tsquery_monotone(p_query);
  RETURN QUERY
  WITH lexemes AS MATERIALIZED (
    SELECT u.term, coalesce(d.course_count, 0) AS df
    FROM unnest(catalogue.tsquery_lexemes(p_query)) AS u(term)
    LEFT JOIN catalogue.catalogue_search_terms d ON d.tenant_id = p_tenant AND d.term = u.term),
  driving AS MATERIALIZED (
    SELECT catalogue.necessary_lexemes(p_query, ARRAY(SELECT l.term FROM lexemes l ORDER BY l.df DESC, l.term)) AS terms),
  -- Driving lexemes are read whole; each other one from the top of its rank index, as many
  -- postings as the driving ones have among them, above `cut`, the rank of the first left unread.
  plan AS MATERIALIZED (
    SELECT l.term, l.term = ANY (d.terms) AS driving,
      CASE WHEN l.term = ANY (d.terms) THEN NULL ELSE (
        SELECT p.rank FROM catalogue.catalogue_search_postings p WHERE p.tenant_id = p_tenant AND p.term = l.term
        ORDER BY p.rank DESC OFFSET (
          SELECT ceil(sum(x.df)::float8 / greatest(1, (SELECT count(*) FROM lexemes y WHERE y.df > 0 AND y.term <> ALL (d.terms))))::int
          FROM lexemes x WHERE x.term = ANY (d.terms))
        LIMIT 1) END AS cut
    FROM lexemes l, driving d),
  -- (A plain column, so that `rank > above` is an index condition under RLS: COALESCE is not
  -- known to be leakproof.)
  reads AS MATERIALIZED (SELECT pl.term, pl.driving, coalesce(pl.cut, 0) AS cut, coalesce(pl.cut, '-Infinity') AS above FROM plan pl),
  -- Courses with a driving posting (and the instructor asked for), their postings read, and the
  -- bound of their rank: the ranks read plus the cut of every lexeme not read for them.
  candidates AS MATERIALIZED (
    SELECT r.course_id, min(r.published_at) AS published_at, array_agg(r.term) AS terms,
      string_agg(r.positions, ' ') AS positions, (SELECT sum(x.cut) FROM reads x) + sum(r.rank - r.cut) AS bound
    FROM reads pl CROSS JOIN LATERAL (
      SELECT p.course_id, p.published_at, p.term, p.rank, p.positions, pl.cut, pl.driving
      FROM catalogue.catalogue_search_postings p
      WHERE p.tenant_id = p_tenant AND p.term = pl.term AND p.rank > pl.above
        AND (p_category IS NULL OR p.category = p_category) AND (p_level IS NULL OR p.level = p_level)
        AND (p_language IS NULL OR p.language = p_language) AND (p_free IS NULL OR p.free = p_free)
        AND (p_tags IS NULL OR p.tags @> p_tags)) r
    GROUP BY r.course_id
    HAVING bool_or(r.driving) AND (p_instructor IS NULL OR EXISTS (
      SELECT FROM catalogue.catalogue_entries e
      WHERE e.tenant_id = p_tenant AND e.course_id = r.course_id AND e.instructor_ids @> p_instructor))),
  -- The lexemes read in part: a course lacking one of them may hold a posting left unread.
  partial AS MATERIALIZED (SELECT coalesce(array_agg(pl.term), '{}') AS terms FROM plan pl WHERE pl.cut IS NOT NULL),
  -- The highest bounds likely past the cursor, ranked exactly (completed by primary key).
  witnesses AS MATERIALIZED (
    SELECT c.course_id, c.published_at, ts_rank_cd(m.mini, p_query)::float8 AS rank
    FROM (
      SELECT * FROM candidates c
      WHERE p_after_course IS NULL OR c.bound * margin < p_after_rank
        OR (c.published_at, c.course_id) < (p_after_published, p_after_course)
      ORDER BY c.bound DESC, c.published_at DESC, c.course_id DESC LIMIT 2 * p_limit) c
    CROSS JOIN LATERAL (
      SELECT (c.positions || coalesce(' ' || string_agg(p.positions, ' '), ''))::tsvector AS mini
      FROM catalogue.catalogue_search_postings p
      WHERE p.tenant_id = p_tenant AND p.term = ANY ((SELECT terms FROM partial)::text[]) AND p.course_id = c.course_id
        AND p.term <> ALL (c.terms)) m
    WHERE m.mini @@ p_query),
  -- The p_limit-th best witness past the cursor: whatever ranks below it is not on the page.
  threshold AS MATERIALIZED (
    SELECT w.rank, w.published_at, w.course_id FROM witnesses w
    WHERE p_after_course IS NULL OR (w.rank, w.published_at, w.course_id) < (p_after_rank, p_after_published, p_after_course)
    ORDER BY w.rank DESC, w.published_at DESC, w.course_id DESC OFFSET p_limit - 1 LIMIT 1),
  -- Courses whose bound reaches it (all of them for a query with a negation, or without a
  -- threshold), their small vector completed: `found` are the postings of partly read lexemes.
  survivors AS MATERIALIZED (
    SELECT c.course_id, c.published_at, c.terms, coalesce(x.terms, '{}') AS found,
      (c.positions || coalesce(' ' || x.positions, ''))::tsvector AS mini
    FROM candidates c LEFT JOIN LATERAL (
      SELECT string_agg(p.positions, ' ') AS positions, array_agg(p.term) AS terms
      FROM catalogue.catalogue_search_postings p
      WHERE p.tenant_id = p_tenant AND p.term = ANY ((SELECT terms FROM partial)::text[]) AND p.course_id = c.course_id
        AND p.term <> ALL (c.terms)) x ON true
    WHERE NOT monotone OR NOT EXISTS (SELECT FROM threshold)
      OR (c.bound * margin, c.published_at, c.course_id) >= (SELECT t.rank, t.published_at, t.course_id FROM threshold t)),
  -- The query's alternatives (operands of its top-level |), each with its lexemes and made a
  -- conjunction of them (phrases as &), to see which a vector of given lexemes may satisfy.
  alternatives AS MATERIALIZED (
    SELECT d AS query, catalogue.tsquery_lexemes(d) AS lexemes, catalogue.tsquery_and(d::text) AS weaker
    FROM unnest(catalogue.tsquery_disjuncts(p_query)) AS d),
  -- The query as it acts on a small vector holding exactly the lexemes `terms || found` (read and
  -- found are distinct), once per such set: the alternatives no part of that vector can match
  -- are left out, provided each present lexeme stays in an alternative kept. @@ and ts_rank_cd
  -- give the same result with either query (every window of the vector has the same truth value
  -- and the same positions take part), but ts_rank_cd allocates 32 kB per item of its query,
  -- most of its cost. A query with a negation is used as it is.
  reduced AS MATERIALIZED (
    SELECT s.terms, s.found,
      CASE WHEN monotone AND k.query IS NOT NULL AND (s.terms || s.found) <@ k.lexemes THEN k.query ELSE p_query END AS query
    FROM (SELECT DISTINCT terms, found FROM survivors) s
    CROSS JOIN LATERAL (
      SELECT string_agg('(' || a.query::text || ')', ' | ')::tsquery AS query,
        ARRAY(SELECT l FROM alternatives b, unnest(b.lexemes) AS l WHERE array_to_tsvector(s.terms || s.found) @@ b.weaker) AS lexemes
      FROM alternatives a WHERE array_to_tsvector(s.terms || s.found) @@ a.weaker) k),
  ranked AS (
    SELECT s.course_id, s.published_at, ts_rank_cd(s.mini, r.query)::float8 AS rank
    FROM survivors s JOIN reduced r ON r.terms = s.terms AND r.found = s.found WHERE s.mini @@ r.query)
  SELECT r.course_id, r.rank, r.published_at FROM ranked r
  WHERE p_after_course IS NULL OR (r.rank, r.published_at, r.course_id) < (p_after_rank, p_after_published, p_after_course)
  ORDER BY r.rank DESC, r.published_at DESC, r.course_id DESC LIMIT p_limit;
END
$$;
