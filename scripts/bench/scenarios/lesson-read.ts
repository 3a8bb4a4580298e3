/**
 * GET /v1/learn/courses/:courseId/lessons/:lessonId: an enrolled learner reads a 200 KB lesson of
 * a course of 12 such lessons (learner-seed.ts) through the entitlement check, with a session-bound
 * access token. The app reads the course outline with the lesson's own body, then the enrolment
 * (lesson-access.ts); the bare reference runs the same two statements in the tenant transaction
 * and applies the same entitlement decision (entitlement.ts) to their rows.
 */
import { Type } from 'typebox'
import { decideLessonAccess } from '../../../src/modules/enrolment/index.ts'
import { LearnerLesson } from '../../../src/modules/enrolment/enrolment.schemas.ts'
import type { PublishedCourseOutline } from '../../../src/modules/catalogue/index.ts'
import type { BenchScenario } from '../scenario.ts'
import { LEARN_COURSE, LESSON_LEARNER, readLessonId, seedLearner } from './learner-seed.ts'

const LESSON = readLessonId(1, 2)

// Copied from what readPublishedLesson (catalogue/publication.ts) and findEnrolment
// (enrolment.repository.ts) send; the harness fails when the route's statements differ.
const LESSON_SQL =
  `select "catalogue"."course_versions"."outline", "catalogue"."course_versions"."id", ` +
  `"catalogue"."course_versions"."number", "catalogue"."course_versions"."published_at", ` +
  `"catalogue"."courses"."status", "catalogue"."published_lesson_bodies"."body" from "catalogue"."courses" ` +
  `inner join "catalogue"."course_versions" on ("catalogue"."course_versions"."id" = ` +
  `"catalogue"."courses"."published_version_id" and "catalogue"."course_versions"."course_id" = ` +
  `"catalogue"."courses"."id") left join "catalogue"."published_lesson_bodies" on ` +
  `("catalogue"."published_lesson_bodies"."version_id" = "catalogue"."course_versions"."id" and ` +
  `"catalogue"."published_lesson_bodies"."lesson_id" = $1::uuid) where "catalogue"."courses"."id" = $2`
const ENROLMENT_SQL =
  `select "id", "tenant_id", "user_id", "course_id", "status", "source", "source_ref", "enrolled_by", ` +
  `"enrolled_at", "expires_at", "ended_at", "completed_at", "cancelled_by_staff", "version" from "enrolment"."enrolments" where ` +
  `("enrolment"."enrolments"."user_id" = $1 and "enrolment"."enrolments"."course_id" = $2)`
// The plain reference's: the same with the tenant as a filter (no RLS scope there).
const PLAIN_LESSON_SQL = `${LESSON_SQL} and "catalogue"."courses"."tenant_id" = $3`
const PLAIN_ENROLMENT_SQL = ENROLMENT_SQL.replace(/\)$/, ' and "enrolment"."enrolments"."tenant_id" = $3)')

type VersionRow = [Record<string, unknown>, string, number, Date, string, string | null]
type EnrolmentRow = [
  string,
  string,
  string,
  string,
  'active' | 'expired' | 'cancelled',
  string,
  string | null,
  string,
  Date,
  Date | null,
]

function lessonBody(rows: unknown[][], before: unknown[][][]) {
  const [outline, versionId, versionNumber, publishedAt, status, body] = before[0]![0] as VersionRow
  const enrolment = rows[0] as EnrolmentRow | undefined
  const course = {
    ...outline,
    versionId,
    versionNumber,
    publishedAt: publishedAt.toISOString(),
  } as unknown as PublishedCourseOutline
  const decision = decideLessonAccess({
    published: { course, status: status === 'archived' ? 'archived' : 'published' },
    lessonId: LESSON,
    enrolment: enrolment
      ? { id: enrolment[0], status: enrolment[4], enrolledAt: enrolment[8], expiresAt: enrolment[9] }
      : null,
    completedLessons: new Set(),
    now: new Date(),
  })
  if (!decision.allowed) throw new Error(`bare lesson read denied: ${decision.reason}`)
  const { lesson } = decision
  return {
    courseId: LEARN_COURSE,
    versionId,
    enrolmentId: decision.enrolmentId,
    lesson: {
      id: lesson.id,
      moduleId: lesson.moduleId,
      position: lesson.position,
      kind: lesson.kind,
      title: lesson.title,
      body: body ?? '',
      assetRef: lesson.assetRef,
      url: lesson.url,
      durationMinutes: lesson.durationMinutes,
      preview: lesson.preview,
    },
  }
}

export const lessonReadScenario: BenchScenario = {
  name: 'lesson-read',
  path: `/v1/learn/courses/${LEARN_COURSE}/lessons/${LESSON}`,
  async headers({ tokenFor }) {
    return { authorization: `Bearer ${await tokenFor(['learner'], LESSON_LEARNER)}` }
  },
  seed: seedLearner,
  bare: {
    before: [{ sql: LESSON_SQL, params: () => [LESSON, LEARN_COURSE] }],
    sql: ENROLMENT_SQL,
    params: () => [LESSON_LEARNER, LEARN_COURSE],
    body: lessonBody,
    response: { 200: Type.Object(LearnerLesson.properties) },
    plain: {
      before: [{ sql: PLAIN_LESSON_SQL, params: (tenants) => [LESSON, LEARN_COURSE, tenants.target] }],
      sql: PLAIN_ENROLMENT_SQL,
      params: (tenants) => [LESSON_LEARNER, LEARN_COURSE, tenants.target],
    },
  },
}
