/**
 * GET /v1/me/courses: a learner with DASHBOARD_COURSES enrolments reads the first page of "my
 * courses" (progress with each enrolment's standing, then the catalogue's cards for the page:
 * dashboard.service.ts, two statements whatever the number of enrolments), with a session-bound
 * access token.
 */
import { Type } from 'typebox'
import { MyCourse } from '../../../src/modules/progress/progress.schemas.ts'
import { instantOrMinusInfinity, keysetCursor, uuid } from '../../../src/platform/http/pagination.ts'
import type { BenchScenario } from '../scenario.ts'
import { DASHBOARD_COURSE_IDS, DASHBOARD_LEARNER, seedLearner } from './learner-seed.ts'

const LIMIT = 20

// Copied from progressReadModel.myCourses (progress.read-model.ts) and courseCards
// (catalogue/course-facts.ts); the harness fails when the route's statements differ.
const MY_COURSES_SQL =
  `select "progress"."course_progress"."enrolment_id", "progress"."course_progress"."tenant_id", ` +
  `"progress"."course_progress"."user_id", "progress"."course_progress"."course_id", ` +
  `"progress"."course_progress"."completed_lessons", "progress"."course_progress"."total_lessons", ` +
  `"progress"."course_progress"."percent", "progress"."course_progress"."last_lesson_id", ` +
  `"progress"."course_progress"."last_activity_at", "progress"."course_progress"."completed_at", ` +
  `"enrolment"."enrolments"."status", "enrolment"."enrolments"."expires_at", ` +
  `coalesce(to_char("progress"."course_progress"."last_activity_at" at time zone 'UTC', ` +
  `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), '-infinity') from "progress"."course_progress" inner join ` +
  `"enrolment"."enrolments" on "enrolment"."enrolments"."id" = "progress"."course_progress"."enrolment_id" ` +
  `where ("progress"."course_progress"."user_id" = $1 and "enrolment"."enrolments"."status" <> $2) order by ` +
  `coalesce("progress"."course_progress"."last_activity_at", '-infinity'::timestamptz) desc, ` +
  `"progress"."course_progress"."enrolment_id" desc limit $3`
const CARDS_SQL =
  `select "catalogue"."courses"."id", "catalogue"."courses"."slug", coalesce("catalogue"."catalogue_entries"."title", ` +
  `"catalogue"."courses"."title"), coalesce("catalogue"."catalogue_entries"."cover_image_ref", ` +
  `"catalogue"."courses"."cover_image_ref"), "catalogue"."courses"."status" from "catalogue"."courses" left join ` +
  `"catalogue"."catalogue_entries" on "catalogue"."catalogue_entries"."course_id" = "catalogue"."courses"."id" ` +
  `where "catalogue"."courses"."id" in (${DASHBOARD_COURSE_IDS.map((_, i) => `$${i + 1}`).join(', ')})`
// The plain reference's: the same with the tenant as a filter (no RLS scope there).
const PLAIN_MY_COURSES_SQL = MY_COURSES_SQL.replace(
  '"enrolment"."enrolments"."status" <> $2)',
  '"enrolment"."enrolments"."status" <> $2 and "progress"."course_progress"."tenant_id" = $4)',
)
const PLAIN_CARDS_SQL = `${CARDS_SQL} and "catalogue"."courses"."tenant_id" = $${DASHBOARD_COURSE_IDS.length + 1}`

type ProgressRow = [
  string,
  string,
  string,
  string,
  number,
  number,
  number,
  string | null,
  Date | null,
  Date | null,
  string,
  Date | null,
  string,
]
type CardRow = [string, string, string, string | null, string]

const iso = (value: Date | null) => value?.toISOString() ?? null
/** The page's course ids from the progress rows, or (for the harness's check) the seeded ones in order. */
const pageCourseIds = (earlier?: unknown[][][]) =>
  earlier ? (earlier[0] as ProgressRow[]).slice(0, LIMIT).map((row) => row[3]) : DASHBOARD_COURSE_IDS
const cursor = keysetCursor(instantOrMinusInfinity, uuid)

function dashboardBody(rows: unknown[][], before: unknown[][][]) {
  const cards = new Map((rows as CardRow[]).map((card) => [card[0], card]))
  const page = cursor.page(before[0] as ProgressRow[], LIMIT, (row) => [row[12], row[0]])
  const now = Date.now()
  return {
    nextCursor: page.nextCursor,
    data: page.data.map((row) => {
      const card = cards.get(row[3])
      const expired = row[10] === 'active' && row[11] !== null && row[11].getTime() <= now
      return {
        enrolmentId: row[0],
        courseId: row[3],
        title: card?.[2] ?? '',
        slug: card?.[1] ?? null,
        coverImageRef: card?.[3] ?? null,
        archived: card?.[4] === 'archived',
        enrolmentStatus: expired ? 'expired' : row[10],
        expiresAt: iso(row[11]),
        completedLessons: row[4],
        totalLessons: row[5],
        percent: row[6],
        completedAt: iso(row[9]),
        completed: row[9] !== null,
        lastLessonId: row[7],
        lastActivityAt: iso(row[8]),
      }
    }),
  }
}

export const learnerDashboardScenario: BenchScenario = {
  name: 'learner-dashboard',
  path: `/v1/me/courses?limit=${LIMIT}`,
  async headers({ tokenFor }) {
    return { authorization: `Bearer ${await tokenFor(['learner'], DASHBOARD_LEARNER)}` }
  },
  seed: seedLearner,
  bare: {
    before: [{ sql: MY_COURSES_SQL, params: () => [DASHBOARD_LEARNER, 'cancelled', LIMIT + 1] }],
    sql: CARDS_SQL,
    params: (_tenants, earlier) => pageCourseIds(earlier),
    body: dashboardBody,
    response: {
      200: Type.Object({
        data: Type.Array(Type.Object(MyCourse.properties)),
        nextCursor: Type.Union([Type.String(), Type.Null()]),
      }),
    },
    plain: {
      before: [
        { sql: PLAIN_MY_COURSES_SQL, params: (tenants) => [DASHBOARD_LEARNER, 'cancelled', LIMIT + 1, tenants.target] },
      ],
      sql: PLAIN_CARDS_SQL,
      params: (tenants, earlier) => [...pageCourseIds(earlier), tenants.target],
    },
  },
}
