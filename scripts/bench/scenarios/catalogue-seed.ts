/**
 * Published courses for the catalogue scenarios, inserted in bulk as the owner in the shapes
 * publication.ts writes: the course row, a version whose snapshot follows PublishedCourse
 * (3 modules of 4 lessons, the first lesson a free preview) with its outline and lesson bodies,
 * and the catalogue entry with its weighted search vector. Both catalogue scenarios call it; the
 * second call finds the rows and returns.
 */
import type { OwnerConnection } from '../../../src/platform/db/owner-connection.ts'
import type { BenchTenants } from '../scenario.ts'

export const TARGET_COURSES = 200
const NEIGHBOUR_COURSES = 50
export const BENCH_OWNER = '00000000-0000-4000-8000-00000000b0b0'
/** The host the harness's target tenant (slug bench-target) is served at under the default BASE_DOMAIN. */
export const TARGET_HOST = 'bench-target.localhost'

/** The outline of a snapshot column in SQL: the snapshot without lesson bodies (as migration 0025 fills it). */
export const outlineOf = (column: string) => `jsonb_set(${column}, '{modules}', COALESCE((
  SELECT jsonb_agg(jsonb_set(m.value, '{lessons}', COALESCE((
    SELECT jsonb_agg(l.value - 'body' ORDER BY l.ordinality) FROM jsonb_array_elements(m.value -> 'lessons') WITH ORDINALITY AS l
  ), '[]'::jsonb)) ORDER BY m.ordinality)
  FROM jsonb_array_elements(${column} -> 'modules') WITH ORDINALITY AS m), '[]'::jsonb))`

/** Inserts the published_lesson_bodies rows of the versions `v` matching `where`, from their snapshots. */
export const bodiesOf = (where: string) =>
  `INSERT INTO catalogue.published_lesson_bodies (tenant_id, version_id, lesson_id, body)
   SELECT v.tenant_id, v.id, (l.value ->> 'id')::uuid, l.value ->> 'body'
     FROM catalogue.course_versions v
    CROSS JOIN LATERAL jsonb_array_elements(v.snapshot -> 'modules') AS m
    CROSS JOIN LATERAL jsonb_array_elements(m.value -> 'lessons') AS l
    WHERE ${where}`

async function seedTenant(owner: OwnerConnection, tenantId: string, count: number): Promise<void> {
  await owner.query(
    `INSERT INTO catalogue.courses (tenant_id, slug, title, summary, description, level, language, category, tags, status, owner_id, created_at)
     SELECT $1::uuid, 'course-' || n,
            (ARRAY['Python', 'Design', 'Data', 'Writing', 'Marketing'])[1 + n % 5] || ' course ' || n,
            'A practical summary of topic ' || n, 'A longer description of course ' || n || ' with exercises and projects.',
            (ARRAY['beginner', 'intermediate', 'advanced', 'all'])[1 + n % 4], (ARRAY['en', 'en', 'de', 'fr'])[1 + n % 4],
            (ARRAY['programming', 'art', 'business'])[1 + n % 3], jsonb_build_array('tag-' || (n % 7), 'tag-' || (n % 11)),
            'published', $2::uuid, now() - make_interval(hours => n)
     FROM generate_series(1, $3::int) AS n`,
    [tenantId, BENCH_OWNER, count],
  )
  await owner.query(
    `INSERT INTO catalogue.course_instructors (tenant_id, course_id, user_id, role)
     SELECT tenant_id, id, owner_id, 'owner' FROM catalogue.courses WHERE tenant_id = $1::uuid`,
    [tenantId],
  )
  await owner.query(
    `INSERT INTO catalogue.course_versions (tenant_id, course_id, number, snapshot, outline, published_by, published_at)
     SELECT tenant_id, course_id, 1, snapshot, ${outlineOf('snapshot')}, published_by, published_at FROM (
     SELECT c.tenant_id, c.id AS course_id, jsonb_build_object(
              'courseId', c.id, 'slug', c.slug, 'title', c.title, 'summary', c.summary, 'description', c.description,
              'level', c.level, 'language', c.language, 'category', c.category, 'tags', c.tags, 'coverImageRef', null,
              'delivery', c.delivery, 'cohortStartsAt', null, 'cohortEndsAt', null, 'capacity', null, 'accessDays', null,
              'instructorIds', jsonb_build_array(c.owner_id),
              'modules', (SELECT jsonb_agg(jsonb_build_object('id', m.id, 'position', m.p, 'title', 'Module ' || (m.p + 1), 'releaseAt', null,
                  'releaseOffsetDays', null, 'lessons', (
                    SELECT jsonb_agg(jsonb_build_object('id', gen_random_uuid(), 'moduleId', m.id, 'position', l, 'kind', 'text',
                      'title', 'Lesson ' || (m.p + 1) || '.' || (l + 1), 'body', repeat('Lesson text. ', 40), 'assetRef', null, 'url', null,
                      'durationMinutes', 10, 'preview', m.p = 0 AND l = 0, 'releaseAt', null, 'releaseOffsetDays', null,
                      'prerequisites', '[]'::jsonb) ORDER BY l)
                    FROM generate_series(0, 3) AS l)) ORDER BY m.p)
                FROM (SELECT gen_random_uuid() AS id, p FROM generate_series(0, 2) AS p) AS m)) AS snapshot,
            c.owner_id AS published_by, c.created_at AS published_at
     FROM catalogue.courses c WHERE c.tenant_id = $1::uuid) AS v`,
    [tenantId],
  )
  await owner.query(bodiesOf('v.tenant_id = $1::uuid'), [tenantId])
  await owner.query(
    `UPDATE catalogue.courses c SET published_version_id = v.id FROM catalogue.course_versions v WHERE v.course_id = c.id AND c.tenant_id = $1::uuid`,
    [tenantId],
  )
  await owner.query(
    `INSERT INTO catalogue.catalogue_entries (course_id, tenant_id, version_id, slug, title, summary, level, language, category, tags,
       instructor_ids, delivery, lesson_count, duration_minutes, search, published_at)
     SELECT c.id, c.tenant_id, c.published_version_id, c.slug, c.title, c.summary, c.level, c.language, c.category, c.tags,
            jsonb_build_array(c.owner_id), c.delivery, 12, 120,
            setweight(to_tsvector('english', c.title), 'A') || setweight(to_tsvector('english', c.summary), 'B')
              || setweight(to_tsvector('english', c.description), 'C') || setweight(to_tsvector('simple', c.title), 'A'),
            c.created_at
     FROM catalogue.courses c WHERE c.tenant_id = $1::uuid`,
    [tenantId],
  )
}

export async function seedCatalogue(owner: OwnerConnection, tenants: BenchTenants): Promise<void> {
  const existing = await owner.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM catalogue.catalogue_entries WHERE tenant_id = $1::uuid',
    [tenants.target],
  )
  if ((existing[0]?.n ?? 0) > 0) return
  await seedTenant(owner, tenants.target, TARGET_COURSES)
  for (const tenant of tenants.others) await seedTenant(owner, tenant, NEIGHBOUR_COURSES)
  await owner.exec('ANALYZE catalogue.courses, catalogue.course_versions, catalogue.catalogue_entries')
}
