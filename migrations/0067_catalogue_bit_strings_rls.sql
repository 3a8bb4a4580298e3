-- Bit strings for exact facet counts at any size (ADR 0020, "Bit strings"): every course has an
-- ordinal in its tenant; each facet value (catalogue_facet_counts.bits) and each lexeme held by at
-- least 32 courses (catalogue_search_bitmaps) has the bits of its courses set. Facets of any
-- filter and of a search of plain words AND/OR these (catalogue.bitmap_facets): a few hundred
-- operations on bit strings of a bit per course instead of a row per match.
ALTER TABLE "catalogue"."catalogue_search_ordinals" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_search_bitmaps" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
-- Written by the triggers below, as the writer (lyceum_app when publishing, lyceum_platform for platform work).
GRANT SELECT, INSERT ON "catalogue"."catalogue_search_ordinals" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "catalogue"."catalogue_search_bitmaps" TO lyceum_app, lyceum_platform;--> statement-breakpoint
-- `b` with the bits at `ordinals` set to `v` (0 or 1), grown in steps of 8,192 bits to hold the
-- highest. A few bits: set_bit each (a copy of the string per bit); many (a bulk publication, the
-- backfill): a mask of them, written as text from the gaps between them, ORed in or ANDed out.
CREATE FUNCTION "catalogue"."with_bits"(b varbit, ordinals int[], v int) RETURNS varbit
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  needed int;
  o int;
  mask varbit;
BEGIN
  IF ordinals IS NULL OR cardinality(ordinals) = 0 THEN
    RETURN b;
  END IF;
  needed := ((SELECT max(x) FROM unnest(ordinals) AS x) / 8192 + 1) * 8192;
  IF length(b) < needed THEN
    b := b || repeat('0', needed - length(b))::varbit;
  END IF;
  IF cardinality(ordinals) <= 256 THEN
    FOREACH o IN ARRAY ordinals LOOP
      b := set_bit(b, o, v);
    END LOOP;
    RETURN b;
  END IF;
  SELECT (string_agg(repeat('0', g.o - g.previous - 1) || '1', '' ORDER BY g.o) || repeat('0', length(b) - 1 - max(g.o)))::varbit
  INTO mask
  FROM (SELECT d.o, coalesce(lag(d.o) OVER (ORDER BY d.o), -1) AS previous
        FROM (SELECT DISTINCT x AS o FROM unnest(ordinals) AS x) AS d) AS g;
  RETURN CASE WHEN v = 1 THEN b | mask ELSE b & ~mask END;
END
$$;--> statement-breakpoint
-- `b` grown with zeros to `len` bits (bit strings must have equal lengths to be combined).
CREATE FUNCTION "catalogue"."padded_bits"(b varbit, len int) RETURNS varbit
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN length(b) >= len THEN b ELSE b || repeat('0', len - length(b))::varbit END
$$;--> statement-breakpoint
-- Keeps ordinals and bit strings equal to the entries, after the facet counts (which hold the
-- tenant's 'total' row until commit, so a tenant's publishers queue and ordinals are assigned one
-- statement at a time) and the postings and rank levels (which say how many courses hold a lexeme).
-- Removed rows' bits are cleared before added rows' are set, so an update keeps what it still has.
CREATE FUNCTION "catalogue"."mark_catalogue_bits"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO catalogue.catalogue_search_ordinals (tenant_id, course_id, ordinal)
    SELECT n.tenant_id, n.course_id,
      coalesce((SELECT max(o.ordinal) FROM catalogue.catalogue_search_ordinals o WHERE o.tenant_id = n.tenant_id), -1)
        + row_number() OVER (PARTITION BY n.tenant_id ORDER BY n.course_id)
    FROM (SELECT DISTINCT a.tenant_id, a.course_id FROM added a
          WHERE NOT EXISTS (SELECT FROM catalogue.catalogue_search_ordinals o
                            WHERE o.tenant_id = a.tenant_id AND o.course_id = a.course_id)) AS n;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE catalogue.catalogue_facet_counts c SET bits = catalogue.with_bits(c.bits, x.ordinals, 0)
    FROM (SELECT r.tenant_id, f.facet, f.value, array_agg(o.ordinal) AS ordinals
          FROM removed r JOIN catalogue.catalogue_search_ordinals o ON o.tenant_id = r.tenant_id AND o.course_id = r.course_id
          CROSS JOIN LATERAL catalogue.catalogue_facet_values(r.category, r.level, r.language, r.free, r.tags) f
          GROUP BY 1, 2, 3) x
    WHERE c.tenant_id = x.tenant_id AND c.facet = x.facet AND c.value = x.value;
    UPDATE catalogue.catalogue_search_bitmaps b SET bits = catalogue.with_bits(b.bits, x.ordinals, 0)
    FROM (SELECT r.tenant_id, t.term, array_agg(o.ordinal) AS ordinals
          FROM removed r JOIN catalogue.catalogue_search_ordinals o ON o.tenant_id = r.tenant_id AND o.course_id = r.course_id
          CROSS JOIN LATERAL unnest(tsvector_to_array(r.search)) AS t(term)
          GROUP BY 1, 2) x
    WHERE b.tenant_id = x.tenant_id AND b.term = x.term;
    -- A lexeme no course holds any more has no rank level left (the postings trigger deleted it).
    DELETE FROM catalogue.catalogue_search_bitmaps b USING removed r
    WHERE b.tenant_id = r.tenant_id AND b.term = ANY (tsvector_to_array(r.search))
      AND NOT EXISTS (SELECT FROM catalogue.catalogue_search_levels v WHERE v.tenant_id = b.tenant_id AND v.term = b.term);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE catalogue.catalogue_facet_counts c SET bits = catalogue.with_bits(c.bits, x.ordinals, 1)
    FROM (SELECT a.tenant_id, f.facet, f.value, array_agg(o.ordinal) AS ordinals
          FROM added a JOIN catalogue.catalogue_search_ordinals o ON o.tenant_id = a.tenant_id AND o.course_id = a.course_id
          CROSS JOIN LATERAL catalogue.catalogue_facet_values(a.category, a.level, a.language, a.free, a.tags) f
          GROUP BY 1, 2, 3) x
    WHERE c.tenant_id = x.tenant_id AND c.facet = x.facet AND c.value = x.value;
    UPDATE catalogue.catalogue_search_bitmaps b SET bits = catalogue.with_bits(b.bits, x.ordinals, 1)
    FROM (SELECT a.tenant_id, t.term, array_agg(o.ordinal) AS ordinals
          FROM added a JOIN catalogue.catalogue_search_ordinals o ON o.tenant_id = a.tenant_id AND o.course_id = a.course_id
          CROSS JOIN LATERAL unnest(tsvector_to_array(a.search)) AS t(term)
          GROUP BY 1, 2) x
    WHERE b.tenant_id = x.tenant_id AND b.term = x.term;
    -- A lexeme reaching 32 courses gets its bit string, built from its postings.
    INSERT INTO catalogue.catalogue_search_bitmaps (tenant_id, term, bits)
    SELECT h.tenant_id, h.term, catalogue.with_bits(''::varbit, ARRAY(
      SELECT o.ordinal FROM catalogue.catalogue_search_postings p
      JOIN catalogue.catalogue_search_ordinals o ON o.tenant_id = p.tenant_id AND o.course_id = p.course_id
      WHERE p.tenant_id = h.tenant_id AND p.term = h.term), 1)
    FROM (SELECT v.tenant_id, v.term FROM catalogue.catalogue_search_levels v
          WHERE (v.tenant_id, v.term) IN (SELECT DISTINCT a.tenant_id, t.term FROM added a
                                          CROSS JOIN LATERAL unnest(tsvector_to_array(a.search)) AS t(term))
          GROUP BY 1, 2 HAVING sum(v.course_count) >= 32) h
    WHERE NOT EXISTS (SELECT FROM catalogue.catalogue_search_bitmaps b WHERE b.tenant_id = h.tenant_id AND b.term = h.term);
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "catalogue_entries_mark_bits_inserts" AFTER INSERT ON "catalogue"."catalogue_entries"
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION "catalogue"."mark_catalogue_bits"();--> statement-breakpoint
CREATE TRIGGER "catalogue_entries_mark_bits_updates" AFTER UPDATE ON "catalogue"."catalogue_entries"
  REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION "catalogue"."mark_catalogue_bits"();--> statement-breakpoint
CREATE TRIGGER "catalogue_entries_mark_bits_deletes" AFTER DELETE ON "catalogue"."catalogue_entries"
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION "catalogue"."mark_catalogue_bits"();--> statement-breakpoint
-- The bits of a query of plain lexemes (&, |, ! and parentheses) over the tenant's bit strings,
-- `len` bits long, or NULL when the bit strings cannot answer it exactly: a phrase, a prefix or a
-- weight (they depend on positions or weights), or a lexeme without a bit string that some course
-- holds (fewer than 32 courses: its postings answer faster; a lexeme no course holds matches none). `everything` is the tenant's published courses
-- (a negation is taken within them). The query's text is read as written by tsquery's output:
-- lexemes quoted (quotes doubled, backslashes doubled), operators ! & | and parentheses, ! binding
-- tightest and | loosest.
CREATE FUNCTION "catalogue"."query_bits"(p_tenant uuid, p_query tsquery, everything varbit) RETURNS varbit
LANGUAGE plpgsql STABLE AS $$
DECLARE
  len int := length(everything);
  tokens text[];
  token text;
  terms text[];
  found text[];
  bitmaps varbit[];
  output text[] := '{}';
  operators text[] := '{}';
  stack varbit[] := '{}';
  n int;
BEGIN
  tokens := ARRAY(SELECT m[1] FROM regexp_matches(p_query::text, '(''(?:[^'']|'''')*''(?::[*A-D]+)?|<[0-9-]+>|[&|!()])', 'g') AS m);
  IF cardinality(tokens) = 0 THEN
    RETURN NULL;
  END IF;
  -- Shunting-yard: the tokens in postfix order.
  FOREACH token IN ARRAY tokens LOOP
    IF token LIKE '''%' THEN
      IF token !~ '''$' THEN
        RETURN NULL;
      END IF;
      output := output || replace(replace(substr(token, 2, length(token) - 2), '''''', ''''), '\\', '\');
    ELSIF token LIKE '<%' THEN
      RETURN NULL;
    ELSIF token = '(' OR token = '!' THEN
      operators := operators || token;
    ELSIF token = ')' THEN
      WHILE operators[cardinality(operators)] <> '(' LOOP
        output := output || ('$' || operators[cardinality(operators)]);
        operators := operators[1:cardinality(operators) - 1];
      END LOOP;
      operators := operators[1:cardinality(operators) - 1];
    ELSE
      WHILE cardinality(operators) > 0 AND operators[cardinality(operators)] <> '('
        AND (operators[cardinality(operators)] = '!' OR (operators[cardinality(operators)] = '&' OR token = '|')) LOOP
        output := output || ('$' || operators[cardinality(operators)]);
        operators := operators[1:cardinality(operators) - 1];
      END LOOP;
      operators := operators || token;
    END IF;
  END LOOP;
  WHILE cardinality(operators) > 0 LOOP
    output := output || ('$' || operators[cardinality(operators)]);
    operators := operators[1:cardinality(operators) - 1];
  END LOOP;
  -- Lexemes start with a letter or digit, never '$', so '$&', '$|' and '$!' are operators.
  terms := ARRAY(SELECT DISTINCT t FROM unnest(output) AS t WHERE t NOT LIKE '$%');
  SELECT coalesce(array_agg(b.term), '{}'), coalesce(array_agg(catalogue.padded_bits(b.bits, len)), '{}')
  INTO found, bitmaps
  FROM catalogue.catalogue_search_bitmaps b WHERE b.tenant_id = p_tenant AND b.term = ANY (terms);
  -- A lexeme no course of the tenant holds (often a stem of another language) matches nothing.
  IF EXISTS (SELECT FROM catalogue.catalogue_search_levels v
             WHERE v.tenant_id = p_tenant AND v.term = ANY (terms) AND v.term <> ALL (found)) THEN
    RETURN NULL;
  END IF;
  found := found || ARRAY(SELECT t FROM unnest(terms) AS t WHERE t <> ALL (found));
  bitmaps := bitmaps || array_fill(repeat('0', len)::varbit, ARRAY[cardinality(terms) - cardinality(bitmaps)]);
  FOREACH token IN ARRAY output LOOP
    n := cardinality(stack);
    IF token = '$!' THEN
      stack[n] := everything & ~stack[n];
    ELSIF token = '$&' THEN
      stack := stack[1:n - 2] || (stack[n - 1] & stack[n]);
    ELSIF token = '$|' THEN
      stack := stack[1:n - 2] || (stack[n - 1] | stack[n]);
    ELSE
      stack := stack || bitmaps[array_position(found, token)];
    END IF;
  END LOOP;
  RETURN stack[1] & everything;
END
$$;--> statement-breakpoint
-- Facet counts from the bit strings, exactly as catalogue-facets.ts's per-facet statement counts
-- the entries: each facet under every filter but its own (the language facet also with the query
-- parsed in every language), the total and the tags under all of them; values counting 0 left
-- out, the total always there. `p_query_all` is the visitor's query in every configuration,
-- `p_query` in those of the chosen language (the same without one); both NULL without a search.
-- No rows when the bit strings cannot answer (see query_bits): the caller counts the entries.
CREATE FUNCTION "catalogue"."bitmap_facets"(
  p_tenant uuid, p_query_all tsquery, p_query tsquery,
  p_category text, p_level text, p_language text, p_free boolean, p_tags text[])
RETURNS TABLE (facet text, value text, count int)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
  everything varbit;
  len int;
  matches varbit;
  matches_any_language varbit;
  zeros varbit;
  by_category varbit;
  by_level varbit;
  by_language varbit;
  by_free varbit;
  by_tags varbit;
  tag text;
BEGIN
  SELECT c.bits INTO everything FROM catalogue.catalogue_facet_counts c
  WHERE c.tenant_id = p_tenant AND c.facet = 'total' AND c.value = '';
  IF everything IS NULL THEN
    facet := 'total'; value := NULL; count := 0;
    RETURN NEXT;
    RETURN;
  END IF;
  len := length(everything);
  zeros := repeat('0', len)::varbit;
  IF p_query IS NULL THEN
    matches := everything;
    matches_any_language := everything;
  ELSE
    matches := catalogue.query_bits(p_tenant, p_query, everything);
    matches_any_language := CASE WHEN p_query_all = p_query THEN matches ELSE catalogue.query_bits(p_tenant, p_query_all, everything) END;
    IF matches IS NULL OR matches_any_language IS NULL THEN
      RETURN;
    END IF;
  END IF;
  by_category := everything; by_level := everything; by_language := everything; by_free := everything; by_tags := everything;
  IF p_category IS NOT NULL THEN
    by_category := coalesce((SELECT catalogue.padded_bits(c.bits, len) FROM catalogue.catalogue_facet_counts c
      WHERE c.tenant_id = p_tenant AND c.facet = 'category' AND c.value = p_category), zeros);
  END IF;
  IF p_level IS NOT NULL THEN
    by_level := coalesce((SELECT catalogue.padded_bits(c.bits, len) FROM catalogue.catalogue_facet_counts c
      WHERE c.tenant_id = p_tenant AND c.facet = 'level' AND c.value = p_level), zeros);
  END IF;
  IF p_language IS NOT NULL THEN
    by_language := coalesce((SELECT catalogue.padded_bits(c.bits, len) FROM catalogue.catalogue_facet_counts c
      WHERE c.tenant_id = p_tenant AND c.facet = 'language' AND c.value = p_language), zeros);
  END IF;
  IF p_free IS NOT NULL THEN
    by_free := coalesce((SELECT catalogue.padded_bits(c.bits, len) FROM catalogue.catalogue_facet_counts c
      WHERE c.tenant_id = p_tenant AND c.facet = 'free' AND c.value = p_free::text), zeros);
  END IF;
  FOREACH tag IN ARRAY coalesce(p_tags, '{}') LOOP
    by_tags := by_tags & coalesce((SELECT catalogue.padded_bits(c.bits, len) FROM catalogue.catalogue_facet_counts c
      WHERE c.tenant_id = p_tenant AND c.facet = 'tag' AND c.value = tag), zeros);
  END LOOP;
  RETURN QUERY
  WITH shared AS MATERIALIZED (
    SELECT matches & by_tags AS searched, matches_any_language & by_tags AS searched_any_language),
  unders AS MATERIALIZED (
    SELECT s.searched & by_category & by_level & by_language & by_free AS everything_else,
      s.searched & by_level & by_language & by_free AS for_category,
      s.searched & by_category & by_language & by_free AS for_level,
      s.searched_any_language & by_category & by_level & by_free AS for_language,
      s.searched & by_category & by_level & by_language AS for_free
    FROM shared s)
  SELECT 'total'::text, NULL::text, bit_count(u.everything_else)::int FROM unders u
  UNION ALL
  SELECT x.facet, x.value, x.n FROM (
    SELECT c.facet, c.value, bit_count(catalogue.padded_bits(c.bits, len) & CASE c.facet
      WHEN 'category' THEN u.for_category WHEN 'level' THEN u.for_level WHEN 'language' THEN u.for_language
      WHEN 'free' THEN u.for_free ELSE u.everything_else END)::int AS n
    FROM catalogue.catalogue_facet_counts c, unders u
    WHERE c.tenant_id = p_tenant AND c.facet <> 'total' AND c.count > 0) AS x
  WHERE x.n > 0;
END
$$;--> statement-breakpoint
-- Ordinals and bit strings for what is already published (as the owner, across tenants: RLS
-- lifted for these statements only), ordinals in publication order.
ALTER TABLE "catalogue"."catalogue_entries" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_facet_counts" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_search_postings" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_search_levels" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_search_ordinals" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_search_bitmaps" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
INSERT INTO "catalogue"."catalogue_search_ordinals" (tenant_id, course_id, ordinal)
SELECT e.tenant_id, e.course_id, row_number() OVER (PARTITION BY e.tenant_id ORDER BY e.published_at, e.course_id) - 1
FROM "catalogue"."catalogue_entries" e;--> statement-breakpoint
UPDATE "catalogue"."catalogue_facet_counts" c SET bits = catalogue.with_bits(''::varbit, x.ordinals, 1)
FROM (SELECT e.tenant_id, f.facet, f.value, array_agg(o.ordinal) AS ordinals
      FROM "catalogue"."catalogue_entries" e
      JOIN "catalogue"."catalogue_search_ordinals" o ON o.tenant_id = e.tenant_id AND o.course_id = e.course_id
      CROSS JOIN LATERAL catalogue.catalogue_facet_values(e.category, e.level, e.language, e.free, e.tags) f
      GROUP BY 1, 2, 3) x
WHERE c.tenant_id = x.tenant_id AND c.facet = x.facet AND c.value = x.value;--> statement-breakpoint
INSERT INTO "catalogue"."catalogue_search_bitmaps" (tenant_id, term, bits)
SELECT p.tenant_id, p.term, catalogue.with_bits(''::varbit, array_agg(o.ordinal), 1)
FROM "catalogue"."catalogue_search_postings" p
JOIN "catalogue"."catalogue_search_ordinals" o ON o.tenant_id = p.tenant_id AND o.course_id = p.course_id
WHERE (p.tenant_id, p.term) IN (SELECT v.tenant_id, v.term FROM "catalogue"."catalogue_search_levels" v
                                GROUP BY 1, 2 HAVING sum(v.course_count) >= 32)
GROUP BY 1, 2;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_entries" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_facet_counts" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_search_postings" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_search_levels" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_search_ordinals" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_search_bitmaps" FORCE ROW LEVEL SECURITY;
