/**
 * A large, varied catalogue for one tenant (scripts/measure-catalogue-scale.ts and the
 * catalogue-*-100k bench scenarios), inserted in bulk as the owner with generate_series in the
 * shapes publication.ts writes: the course, a version (a small snapshot without lessons, which is
 * also its outline: these reads never open it) and the catalogue entry with its weighted vector in the course language's configuration.
 *
 * Course n draws its title subject, summary subject and description subject from one vocabulary
 * with different strides, so a word like "python" is in about 1 title in 24 and also in other
 * courses' summaries and descriptions (relevance has three tiers to order), and "data" is in
 * more (three subjects plus a title suffix). Levels, languages (five, four of them stemmed),
 * categories (one in 13 empty), 1–3 of 40 tags, and prices vary on co-prime periods so facet
 * combinations are uneven, as in a real catalogue.
 */
import type { OwnerConnection } from '../../../src/platform/db/owner-connection.ts'

export const SCALE_OWNER = '00000000-0000-4000-8000-00000000b0b1'

const SUBJECTS = [
  'Python',
  'JavaScript',
  'Data Science',
  'Machine Learning',
  'Graphic Design',
  'Photography',
  'Creative Writing',
  'Digital Marketing',
  'Personal Finance',
  'Leadership',
  'SQL Databases',
  'Spreadsheets',
  'Statistics',
  'Spanish',
  'Guitar',
  'Cooking',
  'Project Management',
  'Cloud Computing',
  'Cyber Security',
  'Networking',
  'Drawing',
  'Public Speaking',
  'Accounting',
  'Data Engineering',
]
const PREFIXES = ['Introduction to', 'Mastering', 'Practical', 'Hands-on', 'Advanced', 'The Complete', 'Modern']
const SUFFIXES = [
  'for Beginners',
  'Fundamentals',
  'in Practice',
  'Bootcamp',
  'for Data Analysis',
  'Projects',
  'Essentials',
]
const CATEGORIES = ['programming', 'data', 'design', 'business', 'languages', 'music', 'lifestyle', 'it', 'art']

const sqlArray = (values: string[]) => `ARRAY[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')}]`

/**
 * Courses numbered `from`..`to` (inclusive) for the tenant: call again with the next range to
 * grow the same catalogue. Slugs carry the number, so ranges must not overlap.
 */
export async function seedScaleCatalogue(
  owner: OwnerConnection,
  tenantId: string,
  from: number,
  to: number,
): Promise<void> {
  if (to < from) return
  await owner.query(
    `INSERT INTO catalogue.courses (tenant_id, slug, title, summary, description, level, language, category, tags, status, owner_id, created_at)
     SELECT $1::uuid, 'scale-' || n,
            p[1 + n % ${PREFIXES.length}] || ' ' || s[1 + n % ${SUBJECTS.length}] || ' ' || x[1 + (n / 7) % ${SUFFIXES.length}] || ' ' || n,
            'Learn ' || lower(s[1 + (n * 7 + 3) % ${SUBJECTS.length}]) || ' step by step with weekly exercises and feedback.',
            'A longer description: we cover ' || lower(s[1 + (n * 11 + 5) % ${SUBJECTS.length}])
              || ' from first principles, with projects, quizzes and a final assignment. Course number ' || n || '.',
            (ARRAY['beginner', 'intermediate', 'advanced', 'all'])[1 + n % 4],
            (ARRAY['en', 'en', 'en', 'en', 'de', 'de', 'fr', 'es', 'es', 'pt', 'en', 'ja'])[1 + n % 12],
            CASE WHEN n % 13 = 0 THEN NULL ELSE c[1 + n % ${CATEGORIES.length}] END,
            (SELECT jsonb_agg(DISTINCT 'tag-' || ((n * k * 17 + k) % 40)) FROM generate_series(1, 1 + n % 3) AS k),
            'published', $2::uuid, now() - make_interval(mins => n)
     FROM generate_series($3::int, $4::int) AS n,
          (SELECT ${sqlArray(SUBJECTS)} AS s, ${sqlArray(PREFIXES)} AS p, ${sqlArray(SUFFIXES)} AS x,
                  ${sqlArray(CATEGORIES)} AS c) AS vocabulary`,
    [tenantId, SCALE_OWNER, from, to],
  )
  const range = `c.tenant_id = $1::uuid AND c.slug LIKE 'scale-%' AND substr(c.slug, 7)::int BETWEEN $2::int AND $3::int`
  await owner.query(
    `INSERT INTO catalogue.course_versions (tenant_id, course_id, number, snapshot, outline, published_by, published_at)
     SELECT c.tenant_id, c.id, 1, s.snapshot, s.snapshot, c.owner_id, c.created_at
     FROM catalogue.courses c,
          LATERAL (SELECT jsonb_build_object('courseId', c.id, 'slug', c.slug, 'title', c.title, 'modules', '[]'::jsonb) AS snapshot) AS s
     WHERE ${range}`,
    [tenantId, from, to],
  )
  await owner.query(
    `UPDATE catalogue.courses c SET published_version_id = v.id FROM catalogue.course_versions v
     WHERE v.course_id = c.id AND ${range}`,
    [tenantId, from, to],
  )
  // The vector exactly as writeCatalogueEntry builds it, with searchConfigFor's mapping.
  await owner.query(
    `INSERT INTO catalogue.catalogue_entries (course_id, tenant_id, version_id, slug, title, summary, level, language, category, tags,
       instructor_ids, delivery, free, lesson_count, duration_minutes, search, published_at)
     SELECT c.id, c.tenant_id, c.published_version_id, c.slug, c.title, c.summary, c.level, c.language, c.category, c.tags,
            jsonb_build_array(c.owner_id), c.delivery, substr(c.slug, 7)::int % 10 < 7, 12, 120,
            setweight(to_tsvector(cfg, c.title), 'A') || setweight(to_tsvector(cfg, c.summary), 'B')
              || setweight(to_tsvector(cfg, c.description), 'C') || setweight(to_tsvector('simple', c.title), 'A'),
            c.created_at
     FROM catalogue.courses c,
          LATERAL (SELECT (CASE c.language WHEN 'en' THEN 'english' WHEN 'de' THEN 'german' WHEN 'fr' THEN 'french'
                      WHEN 'es' THEN 'spanish' WHEN 'pt' THEN 'portuguese' ELSE 'simple' END)::regconfig AS cfg) AS config
     WHERE ${range}`,
    [tenantId, from, to],
  )
}
