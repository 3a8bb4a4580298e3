-- Searches of several words plan from rank levels (ADR 0020, "Conjunctions"): per tenant, lexeme
-- and single-lexeme rank, how many courses hold the lexeme with that rank. They replace the
-- lexeme counts of 0048 (a lexeme's count is the sum of its levels; 0060 drops that table).
ALTER TABLE "catalogue"."catalogue_search_levels" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
-- The postings trigger below runs as the writer (lyceum_app when publishing, lyceum_platform for platform work).
GRANT SELECT, INSERT, UPDATE, DELETE ON "catalogue"."catalogue_search_levels" TO lyceum_app, lyceum_platform;--> statement-breakpoint
-- The postings trigger (0036, 0048) keeps the levels instead of the lexeme counts: net changes
-- per (tenant, lexeme, rank), upserted in that order, rows at zero deleted. An insert counts the
-- postings it writes and a delete those it removes (RETURNING); an update counts only the courses
-- whose vector changed, so a price change or a republish of the same text writes no level. The
-- facet-count triggers fire first (name order) and hold the tenant's 'total' row until commit,
-- so a tenant's publishers already queue.
CREATE OR REPLACE FUNCTION "catalogue"."index_catalogue_search"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO catalogue.catalogue_search_levels AS d (tenant_id, term, rank, course_count)
    SELECT x.tenant_id, x.term, x.rank, sum(x.delta)::int FROM (
      SELECT p.tenant_id, p.term, p.rank, -1 AS delta
      FROM removed r JOIN added a ON a.course_id = r.course_id AND a.search IS DISTINCT FROM r.search
      JOIN catalogue.catalogue_search_postings p
        ON p.tenant_id = r.tenant_id AND p.term = ANY (tsvector_to_array(r.search)) AND p.course_id = r.course_id
      UNION ALL
      SELECT a.tenant_id, s.term, s.rank, 1
      FROM added a JOIN removed r ON r.course_id = a.course_id AND a.search IS DISTINCT FROM r.search
      CROSS JOIN LATERAL catalogue.search_postings(a.search) s) x
    GROUP BY 1, 2, 3 HAVING sum(x.delta) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (tenant_id, term, rank) DO UPDATE SET course_count = d.course_count + excluded.course_count;
    DELETE FROM catalogue.catalogue_search_postings p USING removed r
    WHERE p.tenant_id = r.tenant_id AND p.term = ANY (tsvector_to_array(r.search)) AND p.course_id = r.course_id;
    INSERT INTO catalogue.catalogue_search_postings
      (tenant_id, term, course_id, rank, weight, positions, published_at, category, level, language, free, tags)
    SELECT a.tenant_id, s.term, a.course_id, s.rank, s.weight, s.positions, a.published_at, a.category, a.level, a.language, a.free, catalogue.tag_array(a.tags)
    FROM added a CROSS JOIN LATERAL catalogue.search_postings(a.search) s;
  ELSIF TG_OP = 'INSERT' THEN
    WITH came AS (
      INSERT INTO catalogue.catalogue_search_postings
        (tenant_id, term, course_id, rank, weight, positions, published_at, category, level, language, free, tags)
      SELECT a.tenant_id, s.term, a.course_id, s.rank, s.weight, s.positions, a.published_at, a.category, a.level, a.language, a.free, catalogue.tag_array(a.tags)
      FROM added a CROSS JOIN LATERAL catalogue.search_postings(a.search) s
      RETURNING tenant_id, term, rank)
    INSERT INTO catalogue.catalogue_search_levels AS d (tenant_id, term, rank, course_count)
    SELECT c.tenant_id, c.term, c.rank, count(*)::int FROM came c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (tenant_id, term, rank) DO UPDATE SET course_count = d.course_count + excluded.course_count;
  ELSE
    WITH gone AS (
      DELETE FROM catalogue.catalogue_search_postings p USING removed r
      WHERE p.tenant_id = r.tenant_id AND p.term = ANY (tsvector_to_array(r.search)) AND p.course_id = r.course_id
      RETURNING p.tenant_id, p.term, p.rank)
    INSERT INTO catalogue.catalogue_search_levels AS d (tenant_id, term, rank, course_count)
    SELECT g.tenant_id, g.term, g.rank, -count(*)::int FROM gone g GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (tenant_id, term, rank) DO UPDATE SET course_count = d.course_count + excluded.course_count;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM catalogue.catalogue_search_levels d USING removed r
    WHERE d.tenant_id = r.tenant_id AND d.term = ANY (tsvector_to_array(r.search)) AND d.course_count = 0;
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
-- Levels for what is already published (as the owner, across tenants: RLS lifted for this statement only).
ALTER TABLE "catalogue"."catalogue_search_postings" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_search_levels" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
INSERT INTO "catalogue"."catalogue_search_levels" (tenant_id, term, rank, course_count)
SELECT tenant_id, term, rank, count(*)::int FROM "catalogue"."catalogue_search_postings" GROUP BY 1, 2, 3;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_search_postings" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_search_levels" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
-- How a search of several words reads the postings (catalogue-conjunction.ts, steps 1-3): one row
-- per lexeme of the query that some course of the tenant holds, with whether it is driving
-- (plan A: read whole; only a course holding a driving lexeme can match) and `cut`, the rank of
-- the first level left unread (NULL: read whole); and, on every row, the first threshold
-- (`first_*`, the p_limit-th best of the courses ranked first; NULL without one) and `floor`,
-- the level x of plan B (NULL: plan A). Runs as the caller, under RLS; search_conjunction reads
-- its plan from it, and tests ask it which plan a query takes.
CREATE FUNCTION "catalogue"."conjunction_plan"(
  p_tenant uuid, p_query tsquery, monotone boolean,
  p_category text, p_level text, p_language text, p_free boolean, p_tags text[], p_instructor jsonb,
  p_after_rank float8, p_after_published timestamptz, p_after_course uuid, p_limit int)
RETURNS TABLE (term text, driving boolean, cut float8, first_rank float8, first_published timestamptz, first_course uuid, floor float8)
LANGUAGE sql STABLE AS $$
  -- The rank levels of the query's lexemes, each with `reach`: the postings at or above it.
  WITH levels AS MATERIALIZED (
    SELECT v.term, v.rank, sum(v.course_count) OVER (PARTITION BY v.term ORDER BY v.rank DESC) AS reach
    FROM catalogue.catalogue_search_levels v
    WHERE v.tenant_id = p_tenant AND v.term = ANY (catalogue.tsquery_lexemes(p_query))),
  lexemes AS MATERIALIZED (
    SELECT u.term, coalesce((SELECT max(v.reach) FROM levels v WHERE v.term = u.term), 0) AS df
    FROM unnest(catalogue.tsquery_lexemes(p_query)) AS u(term)),
  driving AS MATERIALIZED (
    SELECT catalogue.necessary_lexemes(p_query, ARRAY(SELECT l.term FROM lexemes l ORDER BY l.df DESC, l.term)) AS terms),
  -- A first threshold (queries without negation): among the 8 * p_limit best postings of each
  -- lexeme, p_limit of courses passing the filters and published before the cursor's course,
  -- completed by primary key and ranked once per distinct small vector.
  tops AS MATERIALIZED (
    SELECT DISTINCT t.course_id, t.published_at FROM lexemes l CROSS JOIN LATERAL (
      SELECT p.course_id, p.published_at FROM (
        SELECT p.course_id, p.published_at, p.category, p.level, p.language, p.free, p.tags
        FROM catalogue.catalogue_search_postings p
        WHERE monotone AND l.df > 0 AND p.tenant_id = p_tenant AND p.term = l.term
        ORDER BY p.rank DESC, p.published_at DESC, p.course_id DESC LIMIT 8 * p_limit) p
      WHERE (p_after_course IS NULL OR (p.published_at, p.course_id) < (p_after_published, p_after_course))
        AND (p_category IS NULL OR p.category = p_category) AND (p_level IS NULL OR p.level = p_level)
        AND (p_language IS NULL OR p.language = p_language) AND (p_free IS NULL OR p.free = p_free)
        AND (p_tags IS NULL OR p.tags @> p_tags)
      LIMIT p_limit) t
    WHERE p_instructor IS NULL OR EXISTS (
      SELECT FROM catalogue.catalogue_entries e
      WHERE e.tenant_id = p_tenant AND e.course_id = t.course_id AND e.instructor_ids @> p_instructor)),
  top_vectors AS MATERIALIZED (
    SELECT m.mini, array_agg(t.course_id) AS ids, array_agg(t.published_at) AS published
    FROM tops t CROSS JOIN LATERAL (
      SELECT string_agg(p.positions, ' ' ORDER BY p.term) AS mini FROM catalogue.catalogue_search_postings p
      WHERE p.tenant_id = p_tenant AND p.term = ANY (ARRAY(SELECT l.term FROM lexemes l WHERE l.df > 0)) AND p.course_id = t.course_id) m
    GROUP BY m.mini),
  first AS MATERIALIZED (
    SELECT r.rank, u.published_at, u.course_id
    FROM top_vectors v CROSS JOIN LATERAL (SELECT ts_rank_cd(v.mini::tsvector, p_query)::float8 AS rank) r
    CROSS JOIN LATERAL unnest(v.ids, v.published) AS u(course_id, published_at)
    WHERE v.mini::tsvector @@ p_query
      AND (p_after_course IS NULL OR (r.rank, u.published_at, u.course_id) < (p_after_rank, p_after_published, p_after_course))
    ORDER BY r.rank DESC, u.published_at DESC, u.course_id DESC OFFSET p_limit - 1 LIMIT 1),
  -- Plan A: the driving lexemes read whole (only a course holding one can match); every other
  -- lexeme from the top, as many postings as the driving ones have among them, rounded up to a
  -- whole rank level (`cut`: the rank of the first level left unread), or whole when it has at
  -- most twice that many: a kept course lacking a lexeme read in part costs a probe, and stems
  -- of other languages ("data science": `dat`) are lacking from most.
  budget AS MATERIALIZED (
    SELECT ceil(coalesce(sum(l.df) FILTER (WHERE l.term = ANY (d.terms)), 0)::float8
      / greatest(1, count(*) FILTER (WHERE l.df > 0 AND l.term <> ALL (d.terms))))::int AS n
    FROM lexemes l, driving d),
  whole AS MATERIALIZED (
    SELECT l.term, l.df, l.term = ANY (d.terms) AS driving,
      CASE WHEN l.term <> ALL (d.terms) AND l.df > 2 * b.n THEN (SELECT max(v.rank) FROM levels v WHERE v.term = l.term AND v.reach > b.n) END AS cut
    FROM lexemes l, driving d, budget b WHERE l.df > 0),
  -- Plan B, given a first threshold: every lexeme down to one same rank level x, the highest for
  -- which the levels left unread add up to less than the threshold, so that a course none of
  -- whose postings is read ranks below it. Taken when it reads fewer postings than plan A.
  floors AS MATERIALIZED (
    SELECT f.x, sum(h.unread) AS unread, sum(h.cost) AS cost
    FROM (SELECT DISTINCT v.rank AS x FROM levels v ORDER BY v.rank DESC LIMIT 32) f
    CROSS JOIN lexemes l CROSS JOIN LATERAL (
      SELECT coalesce(max(v.rank) FILTER (WHERE v.rank < f.x), 0) AS unread,
        coalesce(max(v.reach) FILTER (WHERE v.rank >= f.x), 0) AS cost
      FROM levels v WHERE v.term = l.term) h
    WHERE l.df > 0 GROUP BY f.x),
  floor AS MATERIALIZED (
    SELECT f.x FROM floors f, first t
    -- (1 + 2^-20: ranks are float4 computed in float8, so bounds are compared with this margin.)
    WHERE f.unread * 1.00000095367431640625 < t.rank AND f.cost < (
      SELECT sum(CASE WHEN w.driving OR w.cut IS NULL THEN w.df
                 ELSE coalesce((SELECT max(v.reach) FROM levels v WHERE v.term = w.term AND v.rank > w.cut), 0) END)
      FROM whole w)
    ORDER BY f.cost, f.x DESC LIMIT 1)
  SELECT w.term, w.driving AND f.x IS NULL,
    CASE WHEN f.x IS NOT NULL THEN (SELECT max(v.rank) FROM levels v WHERE v.term = w.term AND v.rank < f.x) ELSE w.cut END,
    t.rank, t.published_at, t.course_id, f.x
  FROM whole w LEFT JOIN first t ON true LEFT JOIN floor f ON true
$$;--> statement-breakpoint
-- A page of a search that takes the 'all' path, exactly `search @@ query` ordered by ts_rank_cd,
-- published_at, course_id (catalogue-conjunction.ts explains the steps and why): course_id, rank,
-- published_at of at most p_limit matches past the cursor, best first; empty for a query on
-- another path. The filters are those of the catalogue (NULL: not filtered). It runs as the
-- caller, under RLS. JIT is off: the plan's estimates (probes per course of unknown counts) can
-- pass jit_above_cost, and compiling costs more than this query runs. Large intermediate sets
-- are joined only through LATERAL index probes or by grouping, never by a join whose method the
-- planner picks from a CTE's (unknown) size.
CREATE OR REPLACE FUNCTION "catalogue"."search_conjunction"(
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
  WITH plan AS MATERIALIZED (
    SELECT * FROM catalogue.conjunction_plan(p_tenant, p_query, monotone, p_category, p_level, p_language, p_free, p_tags,
      p_instructor, p_after_rank, p_after_published, p_after_course, p_limit)),
  first AS MATERIALIZED (
    SELECT pl.first_rank AS rank, pl.first_published AS published_at, pl.first_course AS course_id
    FROM plan pl WHERE pl.first_rank IS NOT NULL LIMIT 1),
  -- (A plain column, so that `rank > above` is an index condition under RLS: COALESCE is not
  -- known to be leakproof.)
  reads AS MATERIALIZED (SELECT pl.term, pl.driving, coalesce(pl.cut, 0) AS cut, coalesce(pl.cut, '-Infinity') AS above FROM plan pl),
  -- Courses with a posting read (plan A: a driving one) and the instructor asked for, their
  -- postings read (in lexeme order, so that equal vectors have equal text), and the bound of
  -- their rank: the ranks read plus the cut of every lexeme not read for them.
  candidates AS MATERIALIZED (
    SELECT r.course_id, min(r.published_at) AS published_at, array_agg(r.term) AS terms,
      string_agg(r.positions, ' ') AS positions, (SELECT sum(x.cut) FROM reads x) + sum(r.rank - r.cut) AS bound
    FROM (
      SELECT p.course_id, p.published_at, pl.term, p.rank, p.positions, pl.cut, pl.driving
      FROM reads pl CROSS JOIN LATERAL (
        SELECT p.course_id, p.published_at, p.rank, p.positions
        FROM catalogue.catalogue_search_postings p
        WHERE p.tenant_id = p_tenant AND p.term = pl.term AND p.rank > pl.above
          AND (p_category IS NULL OR p.category = p_category) AND (p_level IS NULL OR p.level = p_level)
          AND (p_language IS NULL OR p.language = p_language) AND (p_free IS NULL OR p.free = p_free)
          AND (p_tags IS NULL OR p.tags @> p_tags)) p
      ORDER BY p.course_id, pl.term) r
    GROUP BY r.course_id
    HAVING (EXISTS (SELECT FROM plan pl WHERE pl.floor IS NOT NULL) OR bool_or(r.driving)) AND (p_instructor IS NULL OR EXISTS (
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
      WHERE NOT (c.terms @> (SELECT x.terms FROM partial x)) AND p.tenant_id = p_tenant
        AND p.term = ANY ((SELECT x.terms FROM partial x)::text[]) AND p.course_id = c.course_id AND p.term <> ALL (c.terms)) m
    WHERE m.mini @@ p_query),
  -- The p_limit-th best match past the cursor, of the witnesses or of the first threshold's
  -- (the higher): whatever ranks below it is not on the page.
  threshold AS MATERIALIZED (
    SELECT t.rank, t.published_at, t.course_id FROM (
      (SELECT w.rank, w.published_at, w.course_id FROM witnesses w
       WHERE p_after_course IS NULL OR (w.rank, w.published_at, w.course_id) < (p_after_rank, p_after_published, p_after_course)
       ORDER BY w.rank DESC, w.published_at DESC, w.course_id DESC OFFSET p_limit - 1 LIMIT 1)
      UNION ALL SELECT f.rank, f.published_at, f.course_id FROM first f) t
    ORDER BY t.rank DESC, t.published_at DESC, t.course_id DESC LIMIT 1),
  -- Courses whose bound reaches it (all of them for a query with a negation, or without a
  -- threshold), each with its small vector's text: its postings read, then those of the partly
  -- read lexemes it lacks, by primary key (probed only when it lacks one).
  survivors AS MATERIALIZED (
    SELECT c.course_id, c.published_at, c.positions || coalesce(' ' || x.positions, '') AS mini
    FROM candidates c LEFT JOIN LATERAL (
      SELECT string_agg(p.positions, ' ') AS positions
      FROM catalogue.catalogue_search_postings p
      WHERE NOT (c.terms @> (SELECT y.terms FROM partial y)) AND p.tenant_id = p_tenant
        AND p.term = ANY ((SELECT y.terms FROM partial y)::text[]) AND p.course_id = c.course_id AND p.term <> ALL (c.terms)) x ON true
    WHERE NOT monotone OR NOT EXISTS (SELECT FROM threshold)
      OR (c.bound * margin, c.published_at, c.course_id) >= (SELECT t.rank, t.published_at, t.course_id FROM threshold t)),
  -- Courses whose small vectors have the same text have the same match and rank: each distinct
  -- vector is matched and ranked once ("Machine Learning" titles of one shape share theirs).
  vectors AS MATERIALIZED (
    SELECT s.mini, tsvector_to_array(s.mini::tsvector) AS terms, array_agg(s.course_id) AS ids, array_agg(s.published_at) AS published
    FROM survivors s GROUP BY s.mini),
  -- The query's alternatives (operands of its top-level |), each with its lexemes and made a
  -- conjunction of them (phrases as &), to see which a vector of given lexemes may satisfy.
  alternatives AS MATERIALIZED (
    SELECT d AS query, catalogue.tsquery_lexemes(d) AS lexemes, catalogue.tsquery_and(d::text) AS weaker
    FROM unnest(catalogue.tsquery_disjuncts(p_query)) AS d),
  -- The query as it acts on a vector of exactly the lexemes `terms`, once per such set: the
  -- alternatives no part of that vector can match are left out, provided each present lexeme
  -- stays in an alternative kept. @@ and ts_rank_cd give the same result with either query
  -- (every window of the vector has the same truth value and the same positions take part), but
  -- ts_rank_cd allocates 32 kB per item of its query, most of its cost. A query with a negation
  -- is used as it is.
  reduced AS MATERIALIZED (
    SELECT s.terms,
      CASE WHEN monotone AND k.query IS NOT NULL AND s.terms <@ k.lexemes THEN k.query ELSE p_query END AS query
    FROM (SELECT DISTINCT v.terms FROM vectors v) s
    CROSS JOIN LATERAL (
      SELECT string_agg('(' || a.query::text || ')', ' | ')::tsquery AS query,
        ARRAY(SELECT l FROM alternatives b, unnest(b.lexemes) AS l WHERE array_to_tsvector(s.terms) @@ b.weaker) AS lexemes
      FROM alternatives a WHERE array_to_tsvector(s.terms) @@ a.weaker) k),
  scored AS MATERIALIZED (
    SELECT v.ids, v.published, ts_rank_cd(v.mini::tsvector, r.query)::float8 AS rank
    FROM vectors v CROSS JOIN LATERAL (SELECT x.query FROM reduced x WHERE x.terms = v.terms) r
    WHERE v.mini::tsvector @@ r.query)
  SELECT u.course_id, s.rank, u.published_at
  FROM scored s CROSS JOIN LATERAL unnest(s.ids, s.published) AS u(course_id, published_at)
  WHERE p_after_course IS NULL OR (s.rank, u.published_at, u.course_id) < (p_after_rank, p_after_published, p_after_course)
  ORDER BY s.rank DESC, u.published_at DESC, u.course_id DESC LIMIT p_limit;
END
$$;
--> statement-breakpoint
-- The courses a query on the 'all' path matches, for the facets of a search (catalogue-facets.ts):
-- each with its facet values and whether it also matches p_narrow (the search narrowed to a
-- language's configurations, whose lexemes are among p_query's; NULL: no narrowing). Empty for a
-- query on another path. A match holds a driving lexeme (catalogue.necessary_lexemes), so only
-- the courses of the driving lexemes are counted; another lexeme's postings are read whole when
-- it has at most four times as many as the driving ones (a narrow posting hashed costs well under a
-- quarter of a probe), else probed by primary key for each such
-- course ("machine learning": `learn`, in every course, is probed for the 12,500 courses of
-- `machin` and `learning` instead of read for 100,000). Runs as the caller, under RLS; p_tags and
-- p_instructor are the facets' shared filters. work_mem: the per-course grouping holds every
-- course of the lexemes read (35,715 for "data science" at 100,000 courses) and must not spill.
--
-- Without a phrase operator a query's match depends only on which of its lexemes a vector holds,
-- not on their positions: each course is reduced to a bit mask of the query's lexemes it holds
-- (bit i for the i-th of catalogue.tsquery_lexemes, at most 63), and each distinct mask is
-- matched once as a positionless vector (array_to_tsvector). The rows grouped are narrow and few
-- (one per posting read; the facet values come with the driving postings, from the rank index
-- that includes them). A phrase (quotes, or a word a configuration splits) needs positions: each
-- course's small vector is built from the postings of the query's lexemes and each distinct one
-- matched once.
CREATE FUNCTION "catalogue"."conjunction_matches"(
  p_tenant uuid, p_query tsquery, p_narrow tsquery, p_tags text[], p_instructor jsonb)
RETURNS TABLE (category text, level text, language text, free boolean, tags text[], narrow boolean)
LANGUAGE plpgsql STABLE SET jit = off SET work_mem = '32MB' AS $$
#variable_conflict use_column
BEGIN
  IF p_query IS NULL OR catalogue.search_path(p_query) <> 'all' THEN
    RETURN;
  END IF;
  IF regexp_replace(p_query::text, '''(?:[^''\\]|''''|\\.)*''', '', 'g') !~ '<'
     AND cardinality(catalogue.tsquery_lexemes(p_query)) <= 63 THEN
    RETURN QUERY
    WITH lexemes AS MATERIALIZED (
      SELECT u.term, u.n, coalesce((SELECT sum(v.course_count) FROM catalogue.catalogue_search_levels v
        WHERE v.tenant_id = p_tenant AND v.term = u.term), 0) AS df
      FROM unnest(catalogue.tsquery_lexemes(p_query)) WITH ORDINALITY AS u(term, n)),
    driving AS MATERIALIZED (
      SELECT catalogue.necessary_lexemes(p_query, ARRAY(SELECT l.term FROM lexemes l ORDER BY l.df DESC, l.term)) AS terms),
    -- Every lexeme gets its bit; lexemes no course holds are read too (an empty range), so the
    -- result does not depend on the counts.
    bits AS MATERIALIZED (
      SELECT l.term, 1::bigint << (l.n::int - 1) AS bit, l.term = ANY (d.terms) AS driving,
        l.term = ANY (d.terms) OR l.df <= 4 * (SELECT sum(x.df) FROM lexemes x WHERE x.term = ANY (d.terms)) AS whole
      FROM lexemes l, driving d),
    -- Per course holding a driving lexeme: the bits of the lexemes read (narrow rows, hashed).
    masks AS MATERIALIZED (
      SELECT r.course_id, bit_or(r.bit) AS mask
      FROM bits b CROSS JOIN LATERAL (
        SELECT p.course_id, b.bit FROM catalogue.catalogue_search_postings p
        WHERE b.whole AND p.tenant_id = p_tenant AND p.term = b.term) r
      GROUP BY r.course_id
      HAVING bit_or(r.bit) & (SELECT bit_or(b.bit) FROM bits b WHERE b.driving) <> 0),
    probed AS MATERIALIZED (SELECT coalesce(array_agg(b.term), '{}') AS terms FROM bits b WHERE NOT b.whole),
    -- The lexemes probed, by primary key, for each course (none when every lexeme was read), and
    -- the bit of its first driving lexeme, whose posting brings its facet values.
    complete AS MATERIALIZED (
      SELECT m.course_id, m.mask | coalesce((
          SELECT bit_or(b.bit) FROM bits b JOIN catalogue.catalogue_search_postings p
            ON p.tenant_id = p_tenant AND p.term = b.term AND p.course_id = m.course_id
          WHERE cardinality((SELECT y.terms FROM probed y)) > 0 AND NOT b.whole), 0) AS mask,
        m.mask & (SELECT bit_or(b.bit) FROM bits b WHERE b.driving) AS held
      FROM masks m),
    -- Each distinct set of lexemes matched once.
    verdicts AS MATERIALIZED (
      SELECT s.mask, p_narrow IS NULL OR array_to_tsvector(s.terms) @@ p_narrow AS narrow
      FROM (SELECT m.mask, ARRAY(SELECT b.term FROM bits b WHERE m.mask & b.bit <> 0) AS terms
            FROM (SELECT DISTINCT c.mask FROM complete c) m) s
      WHERE array_to_tsvector(s.terms) @@ p_query),
    matched AS MATERIALIZED (
      SELECT c.course_id, c.held & -c.held AS first, v.narrow FROM complete c JOIN verdicts v ON v.mask = c.mask),
    -- The driving postings with the facet values (the rank index includes them; every posting of
    -- a course carries its entry's), under the tag filter. Both sides are materialised so that
    -- they meet in a hash join, never a probe per course.
    values AS MATERIALIZED (
      SELECT p.course_id, b.bit, p.category, p.level, p.language, p.free, p.tags
      FROM bits b CROSS JOIN LATERAL (
        SELECT p.course_id, p.category, p.level, p.language, p.free, p.tags FROM catalogue.catalogue_search_postings p
        WHERE b.driving AND p.tenant_id = p_tenant AND p.term = b.term AND (p_tags IS NULL OR p.tags @> p_tags)) p)
    -- Each matched course once, with the values of its first driving posting.
    SELECT p.category, p.level, p.language, p.free, p.tags, m.narrow
    FROM values p JOIN matched m ON m.course_id = p.course_id AND m.first = p.bit
    WHERE p_instructor IS NULL OR EXISTS (
      SELECT FROM catalogue.catalogue_entries e
      WHERE e.tenant_id = p_tenant AND e.course_id = p.course_id AND e.instructor_ids @> p_instructor);
    RETURN;
  END IF;
  RETURN QUERY
  WITH lexemes AS MATERIALIZED (
    SELECT u.term, coalesce((SELECT sum(v.course_count) FROM catalogue.catalogue_search_levels v
      WHERE v.tenant_id = p_tenant AND v.term = u.term), 0) AS df
    FROM unnest(catalogue.tsquery_lexemes(p_query)) AS u(term)),
  driving AS MATERIALIZED (
    SELECT catalogue.necessary_lexemes(p_query, ARRAY(SELECT l.term FROM lexemes l ORDER BY l.df DESC, l.term)) AS terms),
  reads AS MATERIALIZED (
    SELECT l.term, l.term = ANY (d.terms) AS driving FROM lexemes l, driving d
    WHERE l.df > 0 AND (l.term = ANY (d.terms)
      OR l.df <= 2 * (SELECT sum(x.df) FROM lexemes x WHERE x.term = ANY (d.terms)))),
  probed AS MATERIALIZED (
    SELECT coalesce(array_agg(l.term), '{}') AS terms FROM lexemes l
    WHERE l.df > 0 AND l.term NOT IN (SELECT r.term FROM reads r)),
  courses AS MATERIALIZED (
    SELECT r.course_id, min(r.category) AS category, min(r.level) AS level, min(r.language) AS language,
      bool_and(r.free) AS free, min(r.tags) AS tags, string_agg(r.positions, ' ') AS positions
    FROM (
      SELECT p.course_id, p.category, p.level, p.language, p.free, p.tags, p.positions, pl.driving
      FROM reads pl CROSS JOIN LATERAL (
        SELECT p.course_id, p.category, p.level, p.language, p.free, p.tags, p.positions
        FROM catalogue.catalogue_search_postings p
        WHERE p.tenant_id = p_tenant AND p.term = pl.term AND (p_tags IS NULL OR p.tags @> p_tags)) p
      ORDER BY p.course_id, pl.term) r
    GROUP BY r.course_id
    HAVING bool_or(r.driving) AND (p_instructor IS NULL OR EXISTS (
      SELECT FROM catalogue.catalogue_entries e
      WHERE e.tenant_id = p_tenant AND e.course_id = r.course_id AND e.instructor_ids @> p_instructor))),
  vectors AS MATERIALIZED (
    SELECT m.mini, array_agg(c.category) AS category, array_agg(c.level) AS level, array_agg(c.language) AS language,
      array_agg(c.free) AS free, array_agg(to_jsonb(c.tags)) AS tags
    FROM courses c CROSS JOIN LATERAL (
      SELECT c.positions || coalesce(' ' || string_agg(p.positions, ' '), '') AS mini
      FROM catalogue.catalogue_search_postings p
      WHERE cardinality((SELECT y.terms FROM probed y)) > 0 AND p.tenant_id = p_tenant
        AND p.term = ANY ((SELECT y.terms FROM probed y)::text[]) AND p.course_id = c.course_id) m
    GROUP BY m.mini)
  SELECT u.category, u.level, u.language, u.free, ARRAY(SELECT jsonb_array_elements_text(u.tags)), p_narrow IS NULL OR v.mini::tsvector @@ p_narrow
  FROM vectors v CROSS JOIN LATERAL unnest(v.category, v.level, v.language, v.free, v.tags) AS u(category, level, language, free, tags)
  WHERE v.mini::tsvector @@ p_query;
END
$$;
