-- Facets of a several-word search with a tag filter (ADR 0020): catalogue.conjunction_matches
-- (0059) read the other lexemes' postings whole through the primary key, which does not hold the
-- tags, so a tag filter no longer shrank that read ("data science" with tag-3: 57,146 postings
-- grouped for 834 matching courses). The driving postings are now read first, under the tag
-- filter (the rank index includes the tags), and each other lexeme is read whole only when it
-- has at most four times as many postings as those, else probed by primary key for their
-- courses. Without a tag filter the same postings are read and grouped as before, the driving
-- ones once instead of twice. The phrase branch is unchanged (it reads through the rank index,
-- under the tag filter). Every call is planned with its own arguments (plan_cache_mode): after
-- five calls in a session PL/pgSQL may keep a generic plan, which estimates the driving postings
-- of an unknown tag filter at a few dozen rows and joins them to the matched courses by nested
-- loop (16,667 × 12,500 rows for "data science": past the statement timeout).
CREATE OR REPLACE FUNCTION "catalogue"."conjunction_matches"(
  p_tenant uuid, p_query tsquery, p_narrow tsquery, p_tags text[], p_instructor jsonb)
RETURNS TABLE (category text, level text, language text, free boolean, tags text[], narrow boolean)
LANGUAGE plpgsql STABLE SET jit = off SET work_mem = '32MB' SET plan_cache_mode = force_custom_plan AS $$
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
      SELECT l.term, l.df, 1::bigint << (l.n::int - 1) AS bit, l.term = ANY (d.terms) AS driving
      FROM lexemes l, driving d),
    -- The driving postings under the tag filter, with the facet values (the rank index includes
    -- them; every posting of a course carries its entry's): only their courses can be counted.
    values AS MATERIALIZED (
      SELECT p.course_id, b.bit, p.category, p.level, p.language, p.free, p.tags
      FROM bits b CROSS JOIN LATERAL (
        SELECT p.course_id, p.category, p.level, p.language, p.free, p.tags FROM catalogue.catalogue_search_postings p
        WHERE b.driving AND p.tenant_id = p_tenant AND p.term = b.term AND (p_tags IS NULL OR p.tags @> p_tags)) p),
    -- Each other lexeme is read whole when it has at most four times as many postings as the
    -- driving ones kept by the tag filter (a narrow posting hashed costs well under a quarter of a
    -- probe), else probed by primary key for each of their courses: with a tag, a few hundred.
    others AS MATERIALIZED (
      SELECT b.term, b.bit, b.df <= 4 * (SELECT count(*) FROM values) AS whole FROM bits b WHERE NOT b.driving),
    -- Per course holding a driving lexeme under the tag filter: the bits of the lexemes read
    -- (narrow rows, hashed).
    masks AS MATERIALIZED (
      SELECT r.course_id, bit_or(r.bit) AS mask
      FROM (
        SELECT v.course_id, v.bit FROM values v
        UNION ALL
        SELECT p.course_id, o.bit FROM others o CROSS JOIN LATERAL (
          SELECT p.course_id FROM catalogue.catalogue_search_postings p
          WHERE o.whole AND p.tenant_id = p_tenant AND p.term = o.term) p) r
      GROUP BY r.course_id
      HAVING bit_or(r.bit) & (SELECT bit_or(b.bit) FROM bits b WHERE b.driving) <> 0),
    probed AS MATERIALIZED (SELECT coalesce(array_agg(o.term), '{}') AS terms FROM others o WHERE NOT o.whole),
    -- The lexemes probed, by primary key, for each course (none when every lexeme was read), and
    -- the bit of its first driving lexeme, whose posting brings its facet values.
    complete AS MATERIALIZED (
      SELECT m.course_id, m.mask | coalesce((
          SELECT bit_or(o.bit) FROM others o JOIN catalogue.catalogue_search_postings p
            ON p.tenant_id = p_tenant AND p.term = o.term AND p.course_id = m.course_id
          WHERE cardinality((SELECT y.terms FROM probed y)) > 0 AND NOT o.whole), 0) AS mask,
        m.mask & (SELECT bit_or(b.bit) FROM bits b WHERE b.driving) AS held
      FROM masks m),
    -- Each distinct set of lexemes matched once.
    verdicts AS MATERIALIZED (
      SELECT s.mask, p_narrow IS NULL OR array_to_tsvector(s.terms) @@ p_narrow AS narrow
      FROM (SELECT m.mask, ARRAY(SELECT b.term FROM bits b WHERE m.mask & b.bit <> 0) AS terms
            FROM (SELECT DISTINCT c.mask FROM complete c) m) s
      WHERE array_to_tsvector(s.terms) @@ p_query),
    matched AS MATERIALIZED (
      SELECT c.course_id, c.held & -c.held AS first, v.narrow FROM complete c JOIN verdicts v ON v.mask = c.mask)
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
