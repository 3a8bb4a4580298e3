/**
 * Issue 9, defect 4 (grading side) and the silent completion: nobody grades their own
 * submission, whatever their role, and the refused attempt is audited; a grade says whether it
 * completed the lesson, and why not.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../platform/db/database.ts'
import { classroom, completionsOf, endAccess, type Classroom } from './assessment.testing.ts'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => t?.close())

const rubric = [
  {
    id: 'content',
    title: 'Content',
    levels: [
      { points: 0, description: 'Missing' },
      { points: 10, description: 'Complete' },
    ],
  },
]

type AssignmentRoom = Classroom & { lessonId: string; admin: string }

async function withAssignment(): Promise<AssignmentRoom> {
  const c = await classroom(t)
  const lessonId = c.lessonIds[0]?.[1] as string
  const put = await c.call('PUT', `/v1/courses/${c.courseId}/lessons/${lessonId}/assignment`, c.owner, {
    instructions: 'Write an essay',
    rubric,
    passingPoints: 10,
  })
  expect(put.statusCode, put.body).toBe(200)
  await c.publish()
  return { ...c, lessonId, admin: await t.tokenFor(c.tenant.id, ['tenant_admin']) }
}

const submit = (c: AssignmentRoom, token: string) =>
  c.call('POST', `/v1/learn/assignments/${c.lessonId}/submissions`, token, { text: 'My essay' })

async function grade(c: Classroom, submissionId: string, token: string, content = 10) {
  const read = await c.call('GET', `/v1/submissions/${submissionId}`, token)
  const etag = (read.headers.etag as string | undefined) ?? '"v1"'
  return c.call(
    'POST',
    `/v1/submissions/${submissionId}/grade`,
    token,
    { rubricScores: { content }, feedback: 'Fine' },
    { 'if-match': etag },
  )
}

const auditOf = (submissionId: string) =>
  t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ action: string; outcome: string; actor_id: string; details: Record<string, unknown> }>(
      tx,
      sql`SELECT action, outcome, actor_id, details FROM platform.audit_log WHERE target_id = ${submissionId} ORDER BY occurred_at, id`,
    ),
  )

const enrolmentIdOf = async (c: Classroom, token: string) =>
  ((await c.call('GET', '/v1/me/enrolments', token)).json().data as Array<{ id: string; courseId: string }>).find(
    (e) => e.courseId === c.courseId,
  )?.id as string

describe('grading your own submission', () => {
  it('is refused to an instructor of the course (403 SELF_GRADING), audited, and completes nothing; a co-instructor may grade it', async () => {
    const c = await withAssignment()
    // The reported path: the instructor holds an enrolment in the course he teaches (here an administrator's doing).
    const enrolled = await c.call('POST', `/v1/courses/${c.courseId}/enrolments`, c.admin, { userId: c.ownerId })
    expect(enrolled.statusCode, enrolled.body).toBe(201)
    const submission = (await submit(c, c.owner)).json()
    expect(submission.userId).toBe(c.ownerId)

    const refused = await grade(c, submission.id, c.owner)
    expect(refused.statusCode, refused.body).toBe(403)
    expect(refused.json()).toMatchObject({ code: 'SELF_GRADING' })
    expect((await c.call('GET', `/v1/learn/submissions/${submission.id}`, c.owner)).json()).toMatchObject({
      status: 'submitted',
      passed: null,
    })
    expect(await completionsOf(t, await enrolmentIdOf(c, c.owner))).toEqual({ lessonIds: [], courseCompleted: false })
    expect(await auditOf(submission.id)).toEqual([
      {
        action: 'assessment.self_grading_refused',
        outcome: 'denied',
        actor_id: c.ownerId,
        details: { courseId: c.courseId, lessonId: c.lessonId, learnerId: c.ownerId },
      },
    ])

    // Someone else on the course's staff grades it.
    const coId = randomUUID()
    const co = await t.tokenFor(c.tenant.id, ['instructor'], coId)
    expect((await c.call('PUT', `/v1/courses/${c.courseId}/instructors/${coId}`, c.owner)).statusCode).toBe(200)
    const graded = await grade(c, submission.id, co)
    expect(graded.statusCode, graded.body).toBe(200)
    expect(graded.json()).toMatchObject({ passed: true, lessonCompletion: { recorded: true, reason: null } })
  })

  it('is refused to a tenant administrator too, even in a course they do not teach', async () => {
    const c = await withAssignment()
    const adminId = randomUUID()
    const admin = await t.tokenFor(c.tenant.id, ['tenant_admin'], adminId)
    expect((await c.call('POST', `/v1/courses/${c.courseId}/enrolments/self`, admin)).statusCode).toBe(201)
    const submission = (await submit(c, admin)).json()
    const refused = await grade(c, submission.id, admin)
    expect(refused.json()).toMatchObject({ status: 403, code: 'SELF_GRADING' })
    expect((await auditOf(submission.id)).map((a) => [a.action, a.outcome, a.actor_id])).toEqual([
      ['assessment.self_grading_refused', 'denied', adminId],
    ])
    // A regrade of one's own graded work is refused the same way.
    expect((await grade(c, submission.id, c.owner, 0)).statusCode).toBe(200)
    expect((await grade(c, submission.id, admin)).json()).toMatchObject({ status: 403, code: 'SELF_GRADING' })
  })
})

describe('what a grade completed', () => {
  it('is refused under another name: an administrator impersonating the instructor may not grade (403 IMPERSONATION_FORBIDDEN)', async () => {
    const c = await withAssignment()
    // The administrator's own work, graded as the instructor: separation of duties would see only the instructor.
    const adminEnrolled = await c.call('POST', `/v1/courses/${c.courseId}/enrolments/self`, c.admin)
    expect(adminEnrolled.statusCode, adminEnrolled.body).toBe(201)
    const own = (await submit(c, c.admin)).json()
    const learner = await c.learner()
    const theirs = (await submit(c, learner.token)).json()
    const started = await c.call('POST', '/v1/impersonations', c.admin, {
      userId: c.ownerId,
      reason: 'Checking the gradebook the instructor reported',
    })
    expect(started.statusCode, started.body).toBe(201)
    const asInstructor = started.json().accessToken as string
    for (const submission of [own, theirs]) {
      const refused = await grade(c, submission.id, asInstructor)
      expect(refused.statusCode, refused.body).toBe(403)
      expect(refused.json().code).toBe('IMPERSONATION_FORBIDDEN')
    }
    // The instructor in person still grades the learner.
    expect((await grade(c, theirs.id, c.owner)).statusCode).toBe(200)
  })

  it('says the lesson completion was recorded, or that a failing grade completes nothing', async () => {
    const c = await withAssignment()
    const learner = await c.learner()
    const submission = (await submit(c, learner.token)).json()
    const failed = await grade(c, submission.id, c.owner, 0)
    expect(failed.json()).toMatchObject({ passed: false, lessonCompletion: { recorded: false, reason: 'not_passed' } })
    const again = (await submit(c, learner.token)).json()
    const passed = await grade(c, again.id, c.owner)
    expect(passed.json()).toMatchObject({ passed: true, lessonCompletion: { recorded: true, reason: null } })
    // Only the grade response carries it; the submission as read later does not.
    expect((await c.call('GET', `/v1/submissions/${again.id}`, c.owner)).json()).not.toHaveProperty('lessonCompletion')
  })

  it.each(['expired', 'cancelled'] as const)(
    'says a pass on an enrolment that %s did not complete the lesson, and why',
    async (how) => {
      const c = await withAssignment()
      const learner = await c.learner()
      const submission = (await submit(c, learner.token)).json()
      const enrolmentId = await endAccess(t, c, learner, how)
      const graded = await grade(c, submission.id, c.owner)
      expect(graded.statusCode, graded.body).toBe(200)
      expect(graded.json()).toMatchObject({
        passed: true,
        lessonCompletion: { recorded: false, reason: how === 'expired' ? 'expired' : 'not_enrolled' },
      })
      expect(await completionsOf(t, enrolmentId)).toEqual({ lessonIds: [], courseCompleted: false })
      const [audit] = (await auditOf(submission.id)).filter((a) => a.action === 'assessment.submission_graded')
      expect(audit?.details).toMatchObject({
        passed: true,
        lessonCompletion: how === 'expired' ? 'expired' : 'not_enrolled',
      })
    },
  )
})
