/**
 * A learner's data for the learner scenarios, inserted as the owner in the shapes the app writes:
 * - a published course of 3 modules x 4 lessons whose bodies are 200 KB each (the lesson read's
 *   worst case, issue 10 point 3), with its outline and per-lesson body rows, and an active
 *   enrolment of LESSON_LEARNER in it;
 * - DASHBOARD_LEARNER enrolled in DASHBOARD_COURSES courses of known ids with a progress row each,
 *   their activity an hour apart (so "my courses" lists them in DASHBOARD_COURSE_IDS order).
 * Bodies are hex digests joined by spaces: text that compresses about as badly as prose, so the
 * TOAST storage is not flattered by repeated text.
 */
import type { OwnerConnection } from '../../../src/platform/db/owner-connection.ts'
import type { BenchTenants } from '../scenario.ts'
import { BENCH_OWNER, bodiesOf, outlineOf, seedCatalogue } from './catalogue-seed.ts'

export const LEARN_COURSE = '00000000-0000-4000-8000-00000000c0de'
export const LESSON_LEARNER = '00000000-0000-4000-8000-0000000000a1'
export const DASHBOARD_LEARNER = '00000000-0000-4000-8000-0000000000a2'
export const DASHBOARD_COURSES = 20
export const LESSON_BYTES = 200_000
/** The lesson the lesson-read scenario reads: module 1, lesson 2 (not a preview, no drip, no prerequisite). */
export const readLessonId = (module: number, lesson: number) =>
  `00000000-0000-4000-8000-${String(100 + module * 10 + lesson).padStart(12, '0')}`

async function seedLearnCourse(owner: OwnerConnection, tenantId: string): Promise<void> {
  await owner.query(
    `INSERT INTO catalogue.courses (id, tenant_id, slug, title, summary, description, level, language, status, owner_id)
     VALUES ($1::uuid, $2::uuid, 'learn-course', 'Learning at length', 'Twelve long lessons', 'Long lessons', 'all', 'en', 'published', $3::uuid)`,
    [LEARN_COURSE, tenantId, BENCH_OWNER],
  )
  await owner.query(
    `INSERT INTO catalogue.course_instructors (tenant_id, course_id, user_id, role) VALUES ($1::uuid, $2::uuid, $3::uuid, 'owner')`,
    [tenantId, LEARN_COURSE, BENCH_OWNER],
  )
  await owner.query(
    `INSERT INTO catalogue.course_versions (tenant_id, course_id, number, snapshot, outline, published_by)
     SELECT $1::uuid, $2::uuid, 1, snapshot, ${outlineOf('snapshot')}, $3::uuid FROM (
       SELECT jsonb_build_object('courseId', $2::text, 'slug', 'learn-course', 'title', 'Learning at length',
         'summary', 'Twelve long lessons', 'description', 'Long lessons', 'level', 'all', 'language', 'en',
         'category', null, 'tags', '[]'::jsonb, 'coverImageRef', null, 'delivery', 'self_paced', 'cohortStartsAt', null,
         'cohortEndsAt', null, 'capacity', null, 'accessDays', null, 'instructorIds', jsonb_build_array($3::text),
         'modules', (SELECT jsonb_agg(jsonb_build_object('id', gen_random_uuid(), 'position', m, 'title', 'Module ' || m,
             'releaseAt', null, 'releaseOffsetDays', null, 'lessons', (
               SELECT jsonb_agg(jsonb_build_object('id', '00000000-0000-4000-8000-' || lpad((100 + m * 10 + l)::text, 12, '0'),
                 'moduleId', null, 'position', l, 'kind', 'text', 'title', 'Lesson ' || m || '.' || l,
                 'body', (SELECT left(string_agg(md5(m::text || l::text || g::text), ' '), $4::int) FROM generate_series(1, $4::int / 32) AS g),
                 'assetRef', null, 'url', null, 'durationMinutes', 20, 'preview', m = 0 AND l = 0, 'releaseAt', null,
                 'releaseOffsetDays', null, 'prerequisites', '[]'::jsonb) ORDER BY l)
               FROM generate_series(0, 3) AS l)) ORDER BY m)
           FROM generate_series(0, 2) AS m)) AS snapshot) AS s`,
    [tenantId, LEARN_COURSE, BENCH_OWNER, LESSON_BYTES],
  )
  await owner.query(
    `UPDATE catalogue.courses c SET published_version_id = v.id FROM catalogue.course_versions v WHERE v.course_id = c.id AND c.id = $1::uuid`,
    [LEARN_COURSE],
  )
  await owner.query(bodiesOf('v.course_id = $1::uuid'), [LEARN_COURSE])
  await owner.query(
    `INSERT INTO enrolment.enrolments (tenant_id, user_id, course_id, status, source, enrolled_by, enrolled_at)
     VALUES ($1::uuid, $2::uuid, $3::uuid, 'active', 'self', $2::text, now() - interval '1 day')`,
    [tenantId, LESSON_LEARNER, LEARN_COURSE],
  )
}

/** The dashboard's courses, most recent activity first (the order "my courses" lists them in). */
export const DASHBOARD_COURSE_IDS = Array.from(
  { length: DASHBOARD_COURSES },
  (_, i) => `00000000-0000-4000-8000-${String(901 + i).padStart(12, '0')}`,
)

async function seedDashboard(owner: OwnerConnection, tenantId: string): Promise<void> {
  await owner.query(
    `INSERT INTO catalogue.courses (id, tenant_id, slug, title, summary, description, level, language, status, owner_id)
     SELECT ('00000000-0000-4000-8000-' || lpad((900 + n)::text, 12, '0'))::uuid, $1::uuid, 'dashboard-' || n,
            'Dashboard course ' || n, 'Summary', 'Description', 'all', 'en', 'published', $2::uuid
       FROM generate_series(1, $3::int) AS n`,
    [tenantId, BENCH_OWNER, DASHBOARD_COURSES],
  )
  await owner.query(
    `WITH enrolled AS (
       INSERT INTO enrolment.enrolments (tenant_id, user_id, course_id, status, source, enrolled_by, enrolled_at)
       SELECT $1::uuid, $2::uuid, ('00000000-0000-4000-8000-' || lpad((900 + n)::text, 12, '0'))::uuid, 'active', 'self',
              $2::text, now() - make_interval(days => n)
         FROM generate_series(1, $3::int) AS n
       RETURNING id, course_id
     )
     INSERT INTO progress.course_progress (enrolment_id, tenant_id, user_id, course_id, completed_lessons, total_lessons, percent, last_activity_at)
     SELECT e.id, $1::uuid, $2::uuid, e.course_id, n % 12, 12, (n % 12) * 100 / 12, now() - make_interval(hours => n)
       FROM enrolled e, LATERAL (SELECT right(e.course_id::text, 3)::int - 900 AS n) AS x`,
    [tenantId, DASHBOARD_LEARNER, DASHBOARD_COURSES],
  )
}

/** Both learner datasets (and the catalogue they build on); the second call finds them and returns. */
export async function seedLearner(owner: OwnerConnection, tenants: BenchTenants): Promise<void> {
  await seedCatalogue(owner, tenants)
  const existing = await owner.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM catalogue.courses WHERE id = $1::uuid',
    [LEARN_COURSE],
  )
  if ((existing[0]?.n ?? 0) > 0) return
  await seedLearnCourse(owner, tenants.target)
  await seedDashboard(owner, tenants.target)
  await owner.exec(
    'ANALYZE catalogue.courses, catalogue.course_versions, catalogue.published_lesson_bodies, enrolment.enrolments, progress.course_progress',
  )
}
