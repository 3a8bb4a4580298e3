import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf, type QueryCounter } from '../../platform/db/database.ts'
import { ASSESSMENT_SUBMISSION_GRADED } from './assessment.events.ts'
const GRADED_SUBJECT = 'Your assignment was graded'
import {
  choice,
  classroom,
  completionsOf,
  endAccess,
  forgedCursor,
  forgedInstantCursors,
  outbox,
  verifiedMember,
  type Classroom,
} from './assessment.testing.ts'

/** Query counters of finished staff list requests, read from request.ctx by the test's own hook. */
const counters: Array<QueryCounter & { url: string }> = []

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp({
    instrument: (app) =>
      app.addHook('onResponse', async (request) => {
        if (/\/(gradebook|submissions)\?/.test(request.url) && request.ctx)
          counters.push({ ...request.ctx.counter, url: request.url })
      }),
  })
})
afterAll(async () => t?.close())

const rubric = [
  {
    id: 'content',
    title: 'Content',
    levels: [
      { points: 0, description: 'Missing' },
      { points: 5, description: 'Adequate' },
      { points: 10, description: 'Excellent' },
    ],
  },
  {
    id: 'style',
    title: 'Style',
    levels: [
      { points: 0, description: 'Poor' },
      { points: 5, description: 'Good' },
    ],
  },
]

async function withAssignment(settings: Record<string, unknown> = {}): Promise<Classroom & { lessonId: string }> {
  const c = await classroom(t)
  const lessonId = c.lessonIds[0]?.[1] as string
  const response = await c.call('PUT', `/v1/courses/${c.courseId}/lessons/${lessonId}/assignment`, c.owner, {
    instructions: 'Write an essay',
    rubric,
    passingPoints: 10,
    ...settings,
  })
  expect(response.statusCode, response.body).toBe(200)
  await c.publish()
  return { ...c, lessonId }
}

const submit = (
  c: Classroom & { lessonId: string },
  token: string,
  body: Record<string, unknown> = { text: 'My essay' },
) => c.call('POST', `/v1/learn/assignments/${c.lessonId}/submissions`, token, body)

async function grade(c: Classroom, submissionId: string, rubricScores: Record<string, number>, token = c.owner) {
  const etag = (await c.call('GET', `/v1/submissions/${submissionId}`, token)).headers.etag as string
  return c.call(
    'POST',
    `/v1/submissions/${submissionId}/grade`,
    token,
    { rubricScores, feedback: 'See comments' },
    { 'if-match': etag },
  )
}

const HOUR = 3_600_000

describe('assignment settings', () => {
  it('validates the due date rule, late penalty, rubric and lesson kind', async () => {
    const c = await classroom(t)
    const [quizLesson, lessonId] = c.lessonIds[0] as string[]
    const put = (lesson: string | undefined, body: Record<string, unknown>) =>
      c.call('PUT', `/v1/courses/${c.courseId}/lessons/${lesson}/assignment`, c.owner, {
        instructions: 'x',
        rubric,
        passingPoints: 5,
        ...body,
      })
    expect((await put(lessonId, { dueAt: new Date().toISOString(), dueOffsetDays: 3 })).json().code).toBe(
      'INVALID_SETTINGS',
    )
    expect((await put(lessonId, { latePenaltyPercent: 10 })).json().errors[0].path).toBe('body.latePenaltyPercent')
    expect((await put(lessonId, { passingPoints: 16 })).json().errors[0]).toMatchObject({
      path: 'body.passingPoints',
      code: 'maximum',
    })
    expect((await put(lessonId, { rubric: [rubric[0], { ...rubric[0], title: 'Again' }] })).json().errors[0].code).toBe(
      'unique',
    )
    expect((await put(quizLesson, {})).statusCode).toBe(422)
    const saved = await put(lessonId, { latePolicy: 'penalty', latePenaltyPercent: 20, dueOffsetDays: 7 })
    expect(saved.statusCode).toBe(200)
    expect(saved.json()).toMatchObject({
      maxPoints: 15,
      passingPoints: 5,
      latePolicy: 'penalty',
      dueOffsetDays: 7,
      dueAt: null,
      allowResubmission: true,
      version: 1,
    })
    const learner = await c.learner()
    expect(
      (
        await c.call('PUT', `/v1/courses/${c.courseId}/lessons/${lessonId}/assignment`, learner.token, {
          instructions: 'x',
          rubric,
          passingPoints: 5,
        })
      ).statusCode,
    ).toBe(403)
  })
})

describe('submitting', () => {
  it('takes text and file references, and refuses empty or oversized submissions', async () => {
    const c = await withAssignment()
    const learner = await c.learner()
    expect((await submit(c, learner.token, { text: '   ' })).json().code).toBe('SUBMISSION_EMPTY')
    expect((await submit(c, learner.token, { text: 'x'.repeat(50_001) })).statusCode).toBe(400)
    expect(
      (await submit(c, learner.token, { fileRefs: Array.from({ length: 11 }, (_, i) => `file-${i}`) })).statusCode,
    ).toBe(400)
    const created = await submit(c, learner.token, { text: 'Essay', fileRefs: ['uploads/essay.pdf'] })
    expect(created.statusCode, created.body).toBe(201)
    expect(created.json()).toMatchObject({
      number: 1,
      status: 'submitted',
      late: false,
      points: null,
      maxPoints: 15,
      fileRefs: ['uploads/essay.pdf'],
      dueAt: null,
    })
    const outsider = await t.tokenFor(c.tenant.id, ['learner'])
    expect((await submit(c, outsider)).json()).toMatchObject({
      status: 403,
      code: 'LESSON_LOCKED',
      reason: 'not_enrolled',
    })
  })

  it('refuses late work under refuse, flags it under accept, and deducts the penalty at grading under penalty', async () => {
    const past = new Date(Date.now() - HOUR).toISOString()
    const refusing = await withAssignment({ dueAt: past, latePolicy: 'refuse' })
    const refused = await submit(refusing, (await refusing.learner()).token)
    expect(refused.statusCode).toBe(409)
    expect(refused.json()).toMatchObject({ code: 'SUBMISSION_LATE', dueAt: past })

    const accepting = await withAssignment({ dueAt: past })
    const accepted = (await submit(accepting, (await accepting.learner()).token)).json()
    expect(accepted.late).toBe(true)
    expect((await grade(accepting, accepted.id, { content: 10, style: 0 })).json()).toMatchObject({
      points: 10,
      passed: true,
    })

    // Due the day the learner enrolled: late at once.
    const penalising = await withAssignment({ dueOffsetDays: 0, latePolicy: 'penalty', latePenaltyPercent: 20 })
    const late = (await submit(penalising, (await penalising.learner()).token)).json()
    expect(late.late).toBe(true)
    const graded = await grade(penalising, late.id, { content: 10, style: 0 })
    expect(graded.json()).toMatchObject({
      status: 'graded',
      rubricScores: { content: 10, style: 0 },
      points: 8,
      passed: false,
      feedback: 'See comments',
    })

    const onTime = await withAssignment({ dueOffsetDays: 3, latePolicy: 'refuse' })
    expect((await submit(onTime, (await onTime.learner()).token)).json()).toMatchObject({ late: false })
  })

  it('allows resubmission after a failing grade only, and never after a pass or when the assignment forbids it', async () => {
    const c = await withAssignment()
    const learner = await c.learner()
    const first = (await submit(c, learner.token)).json()
    const waiting = await submit(c, learner.token)
    expect(waiting.json()).toMatchObject({ code: 'SUBMISSION_AWAITING_GRADE', submissionId: first.id })
    await grade(c, first.id, { content: 5, style: 0 })
    const second = await submit(c, learner.token, { text: 'Better essay' })
    expect(second.statusCode).toBe(201)
    expect(second.json().number).toBe(2)
    await grade(c, second.json().id, { content: 10, style: 5 })
    expect((await submit(c, learner.token)).json().code).toBe('ASSIGNMENT_ALREADY_PASSED')
    const mine = (await c.call('GET', `/v1/learn/assignments/${c.lessonId}/submissions?limit=1`, learner.token)).json()
    expect(mine.data.map((s: { number: number }) => s.number)).toEqual([2])
    const older = (
      await c.call(
        'GET',
        `/v1/learn/assignments/${c.lessonId}/submissions?limit=1&cursor=${mine.nextCursor}`,
        learner.token,
      )
    ).json()
    expect(older).toMatchObject({ data: [{ number: 1, points: 5, passed: false }], nextCursor: null })
    // The pass completed the lesson.
    const progress = (await c.call('GET', `/v1/learn/courses/${c.courseId}/progress`, learner.token)).json()
    expect(progress.lessons.find((l: { lessonId: string }) => l.lessonId === c.lessonId).status).toBe('completed')

    const once = await withAssignment({ allowResubmission: false })
    const other = await once.learner()
    const only = (await submit(once, other.token)).json()
    await grade(once, only.id, { content: 0, style: 0 })
    expect((await submit(once, other.token)).json().code).toBe('RESUBMISSION_NOT_ALLOWED')
  })
})

describe('grading', () => {
  it('needs If-Match and a level of every criterion', async () => {
    const c = await withAssignment()
    const submission = (await submit(c, (await c.learner()).token)).json()
    const url = `/v1/submissions/${submission.id}/grade`
    expect((await c.call('POST', url, c.owner, { rubricScores: { content: 10, style: 5 } })).statusCode).toBe(428)
    expect(
      (await c.call('POST', url, c.owner, { rubricScores: { content: 10, style: 5 } }, { 'if-match': '"v9"' }))
        .statusCode,
    ).toBe(412)
    const invalid = await c.call('POST', url, c.owner, { rubricScores: { content: 7 } }, { 'if-match': '"v1"' })
    expect(invalid.statusCode).toBe(422)
    expect(invalid.json()).toMatchObject({ code: 'RUBRIC_SCORE_INVALID' })
    expect(invalid.json().errors.map((e: { path: string }) => e.path)).toEqual([
      'body.rubricScores.content',
      'body.rubricScores.style',
    ])
    const graded = await c.call(
      'POST',
      url,
      c.owner,
      { rubricScores: { content: 10, style: 5 } },
      { 'if-match': '"v1"' },
    )
    expect(graded.statusCode).toBe(200)
    expect(graded.headers.etag).toBe('"v2"')
    expect(graded.json()).toMatchObject({ points: 15, maxPoints: 15, passed: true, version: 2 })
    // A stale grader cannot overwrite.
    expect(
      (await c.call('POST', url, c.owner, { rubricScores: { content: 0, style: 0 } }, { 'if-match': '"v1"' }))
        .statusCode,
    ).toBe(412)
  })

  it('emails the learner from the graded event', async () => {
    const c = await withAssignment()
    const { userId, email } = await verifiedMember(t, c.tenant, 'Ada')
    const learner = await c.learner(userId)
    const submission = (await submit(c, learner.token)).json()
    expect((await grade(c, submission.id, { content: 5, style: 5 })).statusCode).toBe(200)
    const [event] = await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ id: string }>(
        tx,
        sql`SELECT id FROM platform.domain_events WHERE type = ${ASSESSMENT_SUBMISSION_GRADED} AND payload->>'submissionId' = ${submission.id}`,
      ),
    )
    expect(event).toBeDefined()
    // What the worker's events.dispatch job does; a second delivery sends nothing more.
    await t.platform.events.dispatch({ eventId: event?.id as string, tenantId: c.tenant.id })
    await t.platform.events.dispatch({ eventId: event?.id as string, tenantId: c.tenant.id })
    const mails = (await outbox(t, email)).filter((m) => m.subject === GRADED_SUBJECT)
    expect(mails).toHaveLength(1)
    expect(mails[0]?.text).toContain('Hello Ada')
    expect(mails[0]?.text).toContain('10 of 15 points')
  })
})

describe('privacy of submissions and grades', () => {
  it('hides other learners’ submissions, the queue and the gradebook from learners', async () => {
    const c = await withAssignment()
    const learner = await c.learner()
    const other = await c.learner()
    const submission = (await submit(c, learner.token)).json()
    expect((await c.call('GET', `/v1/learn/submissions/${submission.id}`, learner.token)).statusCode).toBe(200)
    expect((await c.call('GET', `/v1/learn/submissions/${submission.id}`, other.token)).statusCode).toBe(404)
    expect((await c.call('GET', `/v1/submissions/${submission.id}`, other.token)).statusCode).toBe(403)
    expect((await c.call('GET', `/v1/learn/assignments/${c.lessonId}/submissions`, other.token)).json().data).toEqual(
      [],
    )
    expect((await c.call('GET', `/v1/courses/${c.courseId}/submissions`, learner.token)).statusCode).toBe(403)
    expect((await c.call('GET', `/v1/courses/${c.courseId}/gradebook`, learner.token)).statusCode).toBe(403)
    expect(
      (
        await c.call(
          'POST',
          `/v1/submissions/${submission.id}/grade`,
          learner.token,
          { rubricScores: { content: 10, style: 5 } },
          { 'if-match': '"v1"' },
        )
      ).statusCode,
    ).toBe(403)
    const stranger = await t.tokenFor(c.tenant.id, ['instructor'])
    expect((await c.call('GET', `/v1/submissions/${submission.id}`, stranger)).statusCode).toBe(404)
    expect((await c.call('GET', `/v1/courses/${c.courseId}/gradebook`, stranger)).statusCode).toBe(404)
    expect(
      (
        await c.call(
          'POST',
          `/v1/submissions/${submission.id}/grade`,
          stranger,
          { rubricScores: { content: 10, style: 5 } },
          { 'if-match': '"v1"' },
        )
      ).statusCode,
    ).toBe(404)
  })
})

describe('the grading queue and the gradebook', () => {
  it('pages the queue at one data query per page and fills the gradebook without N+1', async () => {
    const c = await withAssignment()
    const quizLesson = c.lessonIds[0]?.[0] as string
    const questionId = await c.question(choice('a'))
    await c.call('PUT', `/v1/courses/${c.courseId}/lessons/${quizLesson}/quiz`, c.owner, {
      questionIds: [questionId],
      passingPercent: 100,
    })
    await c.publish()
    const learners = [await c.learner(), await c.learner(), await c.learner()]
    const submissions: string[] = []
    for (const learner of learners) submissions.push((await submit(c, learner.token)).json().id)

    counters.length = 0
    const first = (
      await c.call('GET', `/v1/courses/${c.courseId}/submissions?status=submitted&limit=2`, c.owner)
    ).json()
    const second = (
      await c.call(
        'GET',
        `/v1/courses/${c.courseId}/submissions?status=submitted&limit=2&cursor=${first.nextCursor}`,
        c.owner,
      )
    ).json()
    expect([...first.data, ...second.data].map((s: { id: string }) => s.id)).toEqual(submissions)
    expect(second.nextCursor).toBeNull()
    expect(counters.map((x) => x.queries)).toEqual([counters[0]?.queries, counters[0]?.queries])

    const gradebook = async () => {
      counters.length = 0
      const response = await c.call('GET', `/v1/courses/${c.courseId}/gradebook`, c.owner)
      expect(response.statusCode).toBe(200)
      return { body: response.json(), queries: counters[0]?.queries ?? -1 }
    }
    const empty = await gradebook()
    expect(empty.body.data).toEqual([])

    // Learner 0: two quiz attempts (wrong, then right) and a graded essay; learner 1: a graded essay only.
    const [a, b] = learners as [{ userId: string; token: string }, { userId: string; token: string }]
    for (const answer of ['b', 'a']) {
      const attempt = (await c.call('POST', `/v1/learn/quizzes/${quizLesson}/attempts`, a.token)).json()
      await c.call('PUT', `/v1/learn/quiz-attempts/${attempt.id}/answers`, a.token, {
        answers: { [questionId]: answer },
      })
      await c.call('POST', `/v1/learn/quiz-attempts/${attempt.id}/submit`, a.token)
    }
    await grade(c, submissions[0] as string, { content: 10, style: 5 })
    await grade(c, submissions[1] as string, { content: 5, style: 0 })
    const one = await c.learner()
    const unanswered = (await c.call('POST', `/v1/learn/quizzes/${quizLesson}/attempts`, one.token)).json()
    await c.call('POST', `/v1/learn/quiz-attempts/${unanswered.id}/submit`, one.token)

    const full = await gradebook()
    const rows = new Map(full.body.data.map((r: { userId: string; grades: unknown[] }) => [r.userId, r.grades]))
    expect(rows.get(a.userId)).toEqual(
      expect.arrayContaining([
        { lessonId: quizLesson, kind: 'quiz', bestScore: 1, maxScore: 1, passed: true },
        { lessonId: c.lessonId, kind: 'assignment', bestScore: 15, maxScore: 15, passed: true },
      ]),
    )
    expect(rows.get(b.userId)).toEqual([
      { lessonId: c.lessonId, kind: 'assignment', bestScore: 5, maxScore: 15, passed: false },
    ])
    expect(rows.get(one.userId)).toEqual([
      { lessonId: quizLesson, kind: 'quiz', bestScore: 0, maxScore: 1, passed: false },
    ])
    expect(full.body.data).toHaveLength(3)
    // The same queries with no learners and with three: nothing per learner or per lesson.
    expect(full.queries).toBe(empty.queries)
    expect(full.queries).toBeLessThanOrEqual(2)

    const paged = (await c.call('GET', `/v1/courses/${c.courseId}/gradebook?limit=2`, c.owner)).json()
    const rest = (
      await c.call('GET', `/v1/courses/${c.courseId}/gradebook?limit=2&cursor=${paged.nextCursor}`, c.owner)
    ).json()
    expect([...paged.data, ...rest.data].map((r: { userId: string }) => r.userId)).toEqual(
      full.body.data.map((r: { userId: string }) => r.userId),
    )
    expect(rest.nextCursor).toBeNull()
  })
})

describe('what an assignment asks of a learner', () => {
  it('shows the brief, the rubric, their own due date, the late policy and the resubmission rule', async () => {
    const c = await withAssignment({
      dueOffsetDays: 7,
      latePolicy: 'penalty',
      latePenaltyPercent: 20,
      allowResubmission: false,
    })
    const learner = await c.learner()
    const enrolledAt = (await c.call('GET', '/v1/me/enrolments', learner.token)).json().data[0].enrolledAt as string
    const url = `/v1/learn/assignments/${c.lessonId}`
    const brief = await c.call('GET', url, learner.token)
    expect(brief.statusCode, brief.body).toBe(200)
    expect(brief.json()).toEqual({
      lessonId: c.lessonId,
      courseId: c.courseId,
      instructions: 'Write an essay',
      rubric,
      maxPoints: 15,
      passingPoints: 10,
      dueAt: new Date(Date.parse(enrolledAt) + 7 * 24 * HOUR).toISOString(),
      dueOffsetDays: 7,
      latePolicy: 'penalty',
      latePenaltyPercent: 20,
      allowResubmission: false,
      submissionCount: 0,
    })
    await submit(c, learner.token)
    expect((await c.call('GET', url, learner.token)).json().submissionCount).toBe(1)

    const fixed = new Date(Date.now() + 48 * HOUR).toISOString()
    const dated = await withAssignment({ dueAt: fixed })
    expect(
      (await dated.call('GET', `/v1/learn/assignments/${dated.lessonId}`, (await dated.learner()).token)).json(),
    ).toMatchObject({ dueAt: fixed, dueOffsetDays: null, latePolicy: 'accept', allowResubmission: true })
    const open = await withAssignment()
    expect(
      (await open.call('GET', `/v1/learn/assignments/${open.lessonId}`, (await open.learner()).token)).json(),
    ).toMatchObject({ dueAt: null, dueOffsetDays: null })
  })

  it('goes through the entitlement service and tells other tenants nothing', async () => {
    const c = await withAssignment()
    const url = `/v1/learn/assignments/${c.lessonId}`
    expect((await c.call('GET', url, await t.tokenFor(c.tenant.id, ['learner']))).json()).toMatchObject({
      status: 403,
      code: 'LESSON_LOCKED',
      reason: 'not_enrolled',
    })
    const learner = await c.learner()
    expect((await c.call('GET', `/v1/learn/assignments/${c.lessonIds[0]?.[0]}`, learner.token)).json()).toMatchObject({
      status: 404,
      code: 'ASSIGNMENT_NOT_FOUND',
    })
    const elsewhere = await t.createTenant()
    expect((await c.call('GET', url, await t.tokenFor(elsewhere.id, ['learner']))).json()).toMatchObject({
      status: 404,
      code: 'ASSIGNMENT_NOT_FOUND',
    })
    expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(401)
    await endAccess(t, c, learner, 'expired')
    expect((await c.call('GET', url, learner.token)).json()).toMatchObject({
      status: 403,
      code: 'LESSON_LOCKED',
      reason: 'expired',
    })
  })
})

describe('after a learner’s access ends', () => {
  it('refuses new work, keeps their own submissions readable, and lets staff grade without completing anything', async () => {
    const c = await withAssignment()
    const learner = await c.learner()
    const submission = (await submit(c, learner.token)).json()
    const enrolmentId = await endAccess(t, c, learner, 'cancelled')

    expect((await submit(c, learner.token)).json()).toMatchObject({
      status: 403,
      code: 'LESSON_LOCKED',
      reason: 'not_enrolled',
    })
    expect((await c.call('GET', `/v1/learn/assignments/${c.lessonId}`, learner.token)).json()).toMatchObject({
      status: 403,
      code: 'LESSON_LOCKED',
    })

    const graded = await grade(c, submission.id, { content: 10, style: 5 })
    expect(graded.statusCode, graded.body).toBe(200)
    expect(graded.json()).toMatchObject({ status: 'graded', points: 15, passed: true })
    // The grade stands, and the learner can still read it ...
    expect((await c.call('GET', `/v1/learn/submissions/${submission.id}`, learner.token)).json()).toMatchObject({
      id: submission.id,
      points: 15,
      passed: true,
      feedback: 'See comments',
    })
    expect(
      (await c.call('GET', `/v1/learn/assignments/${c.lessonId}/submissions`, learner.token)).json().data,
    ).toMatchObject([{ id: submission.id, passed: true }])
    // ... but a cancelled enrolment completes nothing (progress ignores inactive enrolments).
    expect(await completionsOf(t, enrolmentId)).toEqual({ lessonIds: [], courseCompleted: false })
  })
})

describe('forged page cursors', () => {
  it('are 400 INVALID_CURSOR on the grading queue, the gradebook and the learner’s submissions, never a database error', async () => {
    const c = await withAssignment()
    const learner = await c.learner()
    await submit(c, learner.token)
    const refused = async (url: string, token: string) => {
      const response = await c.call('GET', url, token)
      expect(response.statusCode, `${url}: ${response.body}`).toBe(400)
      expect(response.json()).toMatchObject({ code: 'INVALID_CURSOR', errors: [{ path: 'querystring.cursor' }] })
    }
    for (const cursor of forgedInstantCursors())
      await refused(`/v1/courses/${c.courseId}/submissions?cursor=${cursor}`, c.owner)
    for (const position of [['not-a-uuid'], [42], ["00000000-0000-0000-0000-000000000000' OR 1=1"]])
      await refused(`/v1/courses/${c.courseId}/gradebook?cursor=${forgedCursor(position)}`, c.owner)
    for (const position of [['2'], [0], [-1], [1.5], [1e300], [null]])
      await refused(`/v1/learn/assignments/${c.lessonId}/submissions?cursor=${forgedCursor(position)}`, learner.token)
  })
})
