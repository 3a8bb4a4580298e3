import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { tenantScope } from '../../platform/db/database.ts'
import { quizAttempts } from './assessment.tables.ts'
import {
  choice,
  classroom,
  completionsOf,
  endAccess,
  forgedInstantCursors,
  type Classroom,
} from './assessment.testing.ts'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => t?.close())

/** Secrets planted in the answer keys and explanations: none may reach a learner before grading. */
const SECRET_TEXT = 'Zanzibarium'
const SECRET_NUMBER = 4242.4242
const SECRET_EXPLANATION = 'explained-only-after-grading'

async function bankOfEveryKind(c: Classroom): Promise<Record<string, string>> {
  const explanation = SECRET_EXPLANATION
  return {
    single: await c.question({ ...choice('b'), explanation, points: 2 }),
    multiple: await c.question({
      kind: 'multiple_choice',
      prompt: 'Pick two',
      options: [
        { id: 'x', text: 'X' },
        { id: 'y', text: 'Y' },
        { id: 'z', text: 'Z' },
      ],
      answerKey: { optionIds: ['x', 'z'] },
      explanation,
    }),
    trueFalse: await c.question({ kind: 'true_false', prompt: 'Is it?', answerKey: { value: false }, explanation }),
    short: await c.question({
      kind: 'short_answer',
      prompt: 'Name it',
      answerKey: { exact: [SECRET_TEXT], pattern: 'zanz[a-z]+' },
      explanation,
    }),
    numeric: await c.question({
      kind: 'numeric',
      prompt: 'How much?',
      answerKey: { value: SECRET_NUMBER, tolerance: 0.5 },
      explanation,
    }),
  }
}

async function configureQuiz(c: Classroom, body: Record<string, unknown>, lessonId = c.lessonIds[0]?.[0]) {
  const response = await c.call('PUT', `/v1/courses/${c.courseId}/lessons/${lessonId}/quiz`, c.owner, body)
  expect(response.statusCode, response.body).toBe(200)
  await c.publish()
  return response.json()
}

/** Every key of every object in a JSON value. */
function keysOf(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) keysOf(item, into)
  else if (value && typeof value === 'object')
    for (const [key, inner] of Object.entries(value)) {
      into.add(key)
      keysOf(inner, into)
    }
  return into
}

describe('a full quiz flow', () => {
  it('never shows a learner answer keys, correctness or explanations before grading, then grades every kind', async () => {
    const c = await classroom(t)
    const lessonId = c.lessonIds[0]?.[0] as string
    const q = await bankOfEveryKind(c)
    await configureQuiz(c, { questionIds: Object.values(q), passingPercent: 80 })
    const learner = await c.learner()
    const bodies: string[] = []
    const keep = (response: Awaited<ReturnType<Classroom['call']>>) => {
      bodies.push(response.body)
      return response
    }

    const rules = keep(await c.call('GET', `/v1/learn/quizzes/${lessonId}`, learner.token))
    expect(rules.statusCode, rules.body).toBe(200)
    expect(rules.json()).toEqual({
      lessonId,
      courseId: c.courseId,
      questionCount: 5,
      totalPoints: 6,
      attemptLimit: null,
      attemptsUsed: 0,
      attemptsRemaining: null,
      openAttempt: null,
      timeLimitSeconds: null,
      passingPercent: 80,
      randomiseOrder: false,
    })
    const started = keep(await c.call('POST', `/v1/learn/quizzes/${lessonId}/attempts`, learner.token))
    expect(started.statusCode, started.body).toBe(201)
    const attempt = started.json()
    expect(attempt).toMatchObject({ status: 'in_progress', number: 1, deadlineAt: null, result: null })
    expect(attempt.questions.map((x: { id: string }) => x.id)).toEqual(Object.values(q))
    expect(attempt.questions[0]).toEqual({
      id: q.single,
      kind: 'single_choice',
      prompt: 'Pick one',
      options: [
        { id: 'a', text: 'A' },
        { id: 'b', text: 'B' },
        { id: 'c', text: 'C' },
      ],
      points: 2,
    })

    keep(await c.call('GET', `/v1/learn/quiz-attempts/${attempt.id}`, learner.token))
    expect(keep(await c.call('GET', `/v1/learn/quizzes/${lessonId}`, learner.token)).json()).toMatchObject({
      attemptsUsed: 1,
      openAttempt: { id: attempt.id, deadlineAt: null },
    })
    const answers = {
      [q.single as string]: 'b',
      [q.multiple as string]: ['z', 'x'],
      [q.trueFalse as string]: true,
      [q.short as string]: ' ZANZIBAR ',
      [q.numeric as string]: 4242.1,
    }
    const saved = keep(await c.call('PUT', `/v1/learn/quiz-attempts/${attempt.id}/answers`, learner.token, { answers }))
    expect(saved.statusCode, saved.body).toBe(200)
    expect(saved.json().answers).toEqual(answers)
    const wrongShape = keep(
      await c.call('PUT', `/v1/learn/quiz-attempts/${attempt.id}/answers`, learner.token, {
        answers: { [q.numeric as string]: 'many' },
      }),
    )
    expect(wrongShape.statusCode).toBe(400)
    expect(wrongShape.json().code).toBe('INVALID_ANSWER')
    keep(await c.call('GET', `/v1/learn/courses/${c.courseId}/progress`, learner.token))

    for (const body of bodies) {
      const keys = keysOf(JSON.parse(body))
      for (const forbidden of [
        'answerKey',
        'correct',
        'correctAnswer',
        'explanation',
        'optionIds',
        'exact',
        'pattern',
        'tolerance',
        'pointsAwarded',
        'score',
        'passed',
      ])
        expect(keys.has(forbidden), `${forbidden} in ${body}`).toBe(false)
      expect(body).not.toContain(SECRET_TEXT)
      expect(body).not.toContain(String(SECRET_NUMBER))
      expect(body).not.toContain(SECRET_EXPLANATION)
    }

    const submitted = await c.call('POST', `/v1/learn/quiz-attempts/${attempt.id}/submit`, learner.token)
    expect(submitted.statusCode, submitted.body).toBe(200)
    const result = submitted.json().result
    // single 2 + multiple 1 + short 1 + numeric 1 right, true/false wrong: 5 of 6 = 83% ≥ 80%.
    expect(result).toMatchObject({ score: 5, maxScore: 6, passed: true })
    const byId = new Map(result.questions.map((r: { questionId: string }) => [r.questionId, r]))
    expect(byId.get(q.trueFalse)).toMatchObject({
      correct: false,
      pointsAwarded: 0,
      correctAnswer: { kind: 'true_false', value: false },
      explanation: SECRET_EXPLANATION,
    })
    expect(byId.get(q.numeric)).toMatchObject({
      correct: true,
      correctAnswer: { value: SECRET_NUMBER, tolerance: 0.5 },
    })
    expect(byId.get(q.short)).toMatchObject({
      correct: true,
      correctAnswer: { exact: [SECRET_TEXT], pattern: 'zanz[a-z]+' },
    })

    // Idempotent: the same result again, and answers can no longer change.
    const again = await c.call('POST', `/v1/learn/quiz-attempts/${attempt.id}/submit`, learner.token)
    expect(again.json()).toEqual(submitted.json())
    const late = await c.call('PUT', `/v1/learn/quiz-attempts/${attempt.id}/answers`, learner.token, {
      answers: { [q.trueFalse as string]: false },
    })
    expect(late.statusCode).toBe(409)
    expect(late.json().code).toBe('ATTEMPT_SUBMITTED')

    // Passing completed the lesson.
    const progress = await c.call('GET', `/v1/learn/courses/${c.courseId}/progress`, learner.token)
    expect(progress.json().lessons.find((l: { lessonId: string }) => l.lessonId === lessonId)).toMatchObject({
      status: 'completed',
    })
  })

  it('a failing attempt does not complete the lesson', async () => {
    const c = await classroom(t)
    const lessonId = c.lessonIds[0]?.[0] as string
    await configureQuiz(c, { questionIds: [await c.question(choice('a'))] })
    const learner = await c.learner()
    const attempt = (await c.call('POST', `/v1/learn/quizzes/${lessonId}/attempts`, learner.token)).json()
    await c.call('PUT', `/v1/learn/quiz-attempts/${attempt.id}/answers`, learner.token, {
      answers: { [attempt.questions[0].id]: 'c' },
    })
    const submitted = await c.call('POST', `/v1/learn/quiz-attempts/${attempt.id}/submit`, learner.token)
    expect(submitted.json().result).toMatchObject({ score: 0, maxScore: 1, passed: false })
    const progress = await c.call('GET', `/v1/learn/courses/${c.courseId}/progress`, learner.token)
    expect(progress.json().lessons.find((l: { lessonId: string }) => l.lessonId === lessonId).status).not.toBe(
      'completed',
    )
  })
})

describe('attempt rules', () => {
  it('refuses a second open attempt and attempts beyond the limit', async () => {
    const c = await classroom(t)
    const lessonId = c.lessonIds[0]?.[0] as string
    await configureQuiz(c, { questionIds: [await c.question(choice('a'))], attemptLimit: 2 })
    const learner = await c.learner()
    const start = () => c.call('POST', `/v1/learn/quizzes/${lessonId}/attempts`, learner.token)
    const first = (await start()).json()
    const open = await start()
    expect(open.statusCode).toBe(409)
    expect(open.json()).toMatchObject({ code: 'ATTEMPT_IN_PROGRESS', attemptId: first.id })
    await c.call('POST', `/v1/learn/quiz-attempts/${first.id}/submit`, learner.token)
    const second = await start()
    expect(second.statusCode).toBe(201)
    expect(second.json()).toMatchObject({ number: 2, attemptLimit: 2 })
    await c.call('POST', `/v1/learn/quiz-attempts/${second.json().id}/submit`, learner.token)
    const third = await start()
    expect(third.statusCode).toBe(409)
    expect(third.json()).toMatchObject({ code: 'ATTEMPT_LIMIT_REACHED', attemptLimit: 2 })
  })

  it('after the time limit refuses answers and grades what was saved in time', async () => {
    const c = await classroom(t)
    const lessonId = c.lessonIds[0]?.[0] as string
    const one = await c.question(choice('a'))
    const two = await c.question(choice('b'))
    await configureQuiz(c, { questionIds: [one, two], timeLimitSeconds: 60, passingPercent: 50 })
    const learner = await c.learner()
    const attempt = (await c.call('POST', `/v1/learn/quizzes/${lessonId}/attempts`, learner.token)).json()
    expect(Date.parse(attempt.deadlineAt) - Date.parse(attempt.startedAt)).toBe(60_000)
    await c.call('PUT', `/v1/learn/quiz-attempts/${attempt.id}/answers`, learner.token, { answers: { [one]: 'a' } })
    await t.platform.database.transaction(tenantScope(c.tenant.id), (tx) =>
      tx
        .update(quizAttempts)
        .set({ deadlineAt: sql`now() - interval '1 second'` })
        .where(eq(quizAttempts.id, attempt.id)),
    )
    const late = await c.call('PUT', `/v1/learn/quiz-attempts/${attempt.id}/answers`, learner.token, {
      answers: { [two]: 'b' },
    })
    expect(late.statusCode).toBe(409)
    expect(late.json().code).toBe('TIME_LIMIT_EXCEEDED')
    const submitted = await c.call('POST', `/v1/learn/quiz-attempts/${attempt.id}/submit`, learner.token)
    expect(submitted.statusCode).toBe(200)
    expect(submitted.json().answers).toEqual({ [one]: 'a' })
    expect(submitted.json().result).toMatchObject({ score: 1, maxScore: 2, passed: true })
  })

  it('an expired unsubmitted attempt is graded when the next one starts', async () => {
    const c = await classroom(t)
    const lessonId = c.lessonIds[0]?.[0] as string
    const one = await c.question(choice('a'))
    await configureQuiz(c, { questionIds: [one], timeLimitSeconds: 60 })
    const learner = await c.learner()
    const first = (await c.call('POST', `/v1/learn/quizzes/${lessonId}/attempts`, learner.token)).json()
    await c.call('PUT', `/v1/learn/quiz-attempts/${first.id}/answers`, learner.token, { answers: { [one]: 'a' } })
    await t.platform.database.transaction(tenantScope(c.tenant.id), (tx) =>
      tx
        .update(quizAttempts)
        .set({ deadlineAt: sql`now() - interval '1 second'` })
        .where(eq(quizAttempts.id, first.id)),
    )
    const second = await c.call('POST', `/v1/learn/quizzes/${lessonId}/attempts`, learner.token)
    expect(second.statusCode).toBe(201)
    expect((await c.call('GET', `/v1/learn/quiz-attempts/${first.id}`, learner.token)).json()).toMatchObject({
      status: 'submitted',
      result: { score: 1, passed: true },
    })
  })

  it('randomises the question order per attempt', async () => {
    const c = await classroom(t)
    const lessonId = c.lessonIds[0]?.[0] as string
    const ids: string[] = []
    for (let i = 0; i < 8; i++) ids.push(await c.question(choice('a', { prompt: `Question ${i}` })))
    await configureQuiz(c, { questionIds: ids, randomiseOrder: true })
    const learner = await c.learner()
    const orders: string[][] = []
    // 8! orders: five further attempts all repeating the first has probability (1/40320)^5.
    for (let i = 0; i < 6; i++) {
      const attempt = (await c.call('POST', `/v1/learn/quizzes/${lessonId}/attempts`, learner.token)).json()
      orders.push(attempt.questions.map((x: { id: string }) => x.id))
      await c.call('POST', `/v1/learn/quiz-attempts/${attempt.id}/submit`, learner.token)
    }
    for (const order of orders) expect([...order].sort()).toEqual([...ids].sort())
    expect(orders.some((order) => order.join() !== orders[0]?.join())).toBe(true)
  })
})

describe('who may do what', () => {
  it('keeps attempts private and authoring to the course staff', async () => {
    const c = await classroom(t)
    const lessonId = c.lessonIds[0]?.[0] as string
    const questionId = await c.question(choice('a'))
    await configureQuiz(c, { questionIds: [questionId] })
    const learner = await c.learner()
    const other = await c.learner()
    const attempt = (await c.call('POST', `/v1/learn/quizzes/${lessonId}/attempts`, learner.token)).json()
    expect((await c.call('GET', `/v1/learn/quiz-attempts/${attempt.id}`, other.token)).statusCode).toBe(404)
    expect((await c.call('POST', `/v1/learn/quiz-attempts/${attempt.id}/submit`, other.token)).statusCode).toBe(404)
    expect(
      (await c.call('PUT', `/v1/learn/quiz-attempts/${attempt.id}/answers`, other.token, { answers: {} })).statusCode,
    ).toBe(404)
    // Learners hold no authoring permission.
    expect((await c.call('GET', `/v1/courses/${c.courseId}/questions`, learner.token)).statusCode).toBe(403)
    expect((await c.call('GET', `/v1/courses/${c.courseId}/questions/${questionId}`, learner.token)).statusCode).toBe(
      403,
    )
    expect(
      (
        await c.call('PUT', `/v1/courses/${c.courseId}/lessons/${lessonId}/quiz`, learner.token, {
          questionIds: [questionId],
        })
      ).statusCode,
    ).toBe(403)
    // An instructor who does not teach the course sees nothing of it.
    const stranger = await t.tokenFor(c.tenant.id, ['instructor'])
    const hidden = await c.call('GET', `/v1/courses/${c.courseId}/questions`, stranger)
    expect(hidden.statusCode).toBe(404)
    expect(hidden.json().code).toBe('COURSE_NOT_FOUND')
    // Another tenant's administrator neither.
    const elsewhere = await t.createTenant()
    expect(
      (
        await c.call(
          'GET',
          `/v1/courses/${c.courseId}/questions/${questionId}`,
          await t.tokenFor(elsewhere.id, ['tenant_admin']),
        )
      ).statusCode,
    ).toBe(404)
    // This tenant's administrator may.
    expect(
      (
        await c.call('GET', `/v1/courses/${c.courseId}/questions`, await t.tokenFor(c.tenant.id, ['tenant_admin']))
      ).json().data,
    ).toHaveLength(1)
  })

  it('lets only enrolled learners start', async () => {
    const c = await classroom(t)
    const lessonId = c.lessonIds[0]?.[0] as string
    await configureQuiz(c, { questionIds: [await c.question(choice('a'))] })
    const outsider = await t.tokenFor(c.tenant.id, ['learner'])
    const refused = await c.call('POST', `/v1/learn/quizzes/${lessonId}/attempts`, outsider)
    expect(refused.statusCode).toBe(403)
    expect(refused.json()).toMatchObject({ code: 'LESSON_LOCKED', reason: 'not_enrolled' })
    expect((await c.call('POST', `/v1/learn/quizzes/${c.lessonIds[0]?.[1]}/attempts`, outsider)).json().code).toBe(
      'QUIZ_NOT_FOUND',
    )
  })
})

describe('authoring', () => {
  it('validates questions and quiz settings', async () => {
    const c = await classroom(t)
    const [quizLesson, assignmentLesson] = c.lessonIds[0] as string[]
    const invalid = await c.call('POST', `/v1/courses/${c.courseId}/questions`, c.owner, {
      ...choice('a'),
      answerKey: { optionIds: ['a', 'b'] },
    })
    expect(invalid.statusCode).toBe(400)
    expect(invalid.json()).toMatchObject({
      code: 'INVALID_QUESTION',
      errors: [{ path: 'body.answerKey.optionIds', code: 'count' }],
    })
    const backreference = await c.call('POST', `/v1/courses/${c.courseId}/questions`, c.owner, {
      kind: 'short_answer',
      prompt: 'p',
      answerKey: { pattern: '(a)\\1' },
    })
    expect(backreference.statusCode).toBe(400)
    expect(backreference.json()).toMatchObject({
      code: 'INVALID_QUESTION',
      errors: [{ path: 'body.answerKey.pattern', code: 'pattern' }],
    })
    expect(backreference.json().errors[0].message).toMatch(/RE2/)
    const lookahead = await c.call('POST', `/v1/courses/${c.courseId}/questions`, c.owner, {
      kind: 'short_answer',
      prompt: 'p',
      answerKey: { pattern: '(?=a)a' },
    })
    expect(lookahead.json().code).toBe('INVALID_QUESTION')
    // JSON types stay as sent (no coercion of 0 to false or of true to 1).
    const zero = await c.call('POST', `/v1/courses/${c.courseId}/questions`, c.owner, {
      kind: 'numeric',
      prompt: 'Zero?',
      answerKey: { value: 0 },
    })
    expect(zero.json().answerKey).toEqual({ value: 0, tolerance: 0 })
    const notBoolean = await c.call('POST', `/v1/courses/${c.courseId}/questions`, c.owner, {
      kind: 'true_false',
      prompt: 'p',
      answerKey: { value: 1 },
    })
    expect(notBoolean.statusCode).toBe(400)
    const questionId = await c.question(choice('a'))
    const other = await classroom(t, undefined, c.tenant)
    const foreign = await other.question(choice('a'))
    const unknown = await c.call('PUT', `/v1/courses/${c.courseId}/lessons/${quizLesson}/quiz`, c.owner, {
      questionIds: [questionId, foreign],
    })
    expect(unknown.statusCode).toBe(422)
    expect(unknown.json().code).toBe('QUESTION_UNKNOWN')
    const wrongKind = await c.call('PUT', `/v1/courses/${c.courseId}/lessons/${assignmentLesson}/quiz`, c.owner, {
      questionIds: [questionId],
    })
    expect(wrongKind.statusCode).toBe(422)
    expect(wrongKind.json().code).toBe('LESSON_KIND_MISMATCH')
    const quiz = await c.call('PUT', `/v1/courses/${c.courseId}/lessons/${quizLesson}/quiz`, c.owner, {
      questionIds: [questionId],
      attemptLimit: 3,
    })
    expect(quiz.headers.etag).toBe('"v1"')
    const stale = await c.call(
      'PUT',
      `/v1/courses/${c.courseId}/lessons/${quizLesson}/quiz`,
      c.owner,
      { questionIds: [questionId] },
      { 'if-match': '"v7"' },
    )
    expect(stale.statusCode).toBe(412)
    const updated = await c.call(
      'PUT',
      `/v1/courses/${c.courseId}/lessons/${quizLesson}/quiz`,
      c.owner,
      { questionIds: [questionId] },
      { 'if-match': '"v1"' },
    )
    expect(updated.json()).toMatchObject({ version: 2, attemptLimit: null })
    const inUse = await c.call('DELETE', `/v1/courses/${c.courseId}/questions/${questionId}`, c.owner)
    expect(inUse.statusCode).toBe(409)
    expect(inUse.json().code).toBe('QUESTION_IN_USE')
  })

  it('replaces questions under If-Match and lists the bank page by page', async () => {
    const c = await classroom(t)
    const ids = [await c.question(choice('a')), await c.question(choice('b')), await c.question(choice('c'))]
    const url = `/v1/courses/${c.courseId}/questions/${ids[0]}`
    expect((await c.call('PUT', url, c.owner, choice('b'))).statusCode).toBe(428)
    expect((await c.call('PUT', url, c.owner, choice('b'), { 'if-match': '"v2"' })).statusCode).toBe(412)
    const replaced = await c.call('PUT', url, c.owner, choice('b'), { 'if-match': '"v1"' })
    expect(replaced.statusCode).toBe(200)
    expect(replaced.json()).toMatchObject({ version: 2, answerKey: { optionIds: ['b'] } })
    const first = (await c.call('GET', `/v1/courses/${c.courseId}/questions?limit=2`, c.owner)).json()
    const second = (
      await c.call('GET', `/v1/courses/${c.courseId}/questions?limit=2&cursor=${first.nextCursor}`, c.owner)
    ).json()
    expect([...first.data, ...second.data].map((x: { id: string }) => x.id).sort()).toEqual([...ids].sort())
    expect(second.nextCursor).toBeNull()
    expect((await c.call('DELETE', `/v1/courses/${c.courseId}/questions/${ids[2]}`, c.owner)).statusCode).toBe(204)
    expect((await c.call('GET', `/v1/courses/${c.courseId}/questions/${ids[2]}`, c.owner)).statusCode).toBe(404)
  })
})

describe('the entitlement service decides every use of an attempt', () => {
  for (const [how, reason] of [
    ['cancelled', 'not_enrolled'],
    ['expired', 'expired'],
  ] as const)
    it(`once the enrolment is ${how}, the attempt cannot be read, saved or submitted (403 LESSON_LOCKED ${reason}) and nothing is completed`, async () => {
      const c = await classroom(t)
      const lessonId = c.lessonIds[0]?.[0] as string
      const questionId = await c.question(choice('a'))
      await configureQuiz(c, { questionIds: [questionId], passingPercent: 100 })
      const learner = await c.learner()
      const attempt = (await c.call('POST', `/v1/learn/quizzes/${lessonId}/attempts`, learner.token)).json()
      expect(
        (
          await c.call('PUT', `/v1/learn/quiz-attempts/${attempt.id}/answers`, learner.token, {
            answers: { [questionId]: 'a' },
          })
        ).statusCode,
      ).toBe(200)
      const enrolmentId = await endAccess(t, c, learner, how)

      const uses: Array<['GET' | 'PUT' | 'POST', string, unknown]> = [
        ['GET', `/v1/learn/quiz-attempts/${attempt.id}`, undefined],
        ['PUT', `/v1/learn/quiz-attempts/${attempt.id}/answers`, { answers: { [questionId]: 'a' } }],
        ['POST', `/v1/learn/quiz-attempts/${attempt.id}/submit`, undefined],
        ['GET', `/v1/learn/quizzes/${lessonId}`, undefined],
        ['POST', `/v1/learn/quizzes/${lessonId}/attempts`, undefined],
      ]
      for (const [method, url, body] of uses) {
        const refused = await c.call(method, url, learner.token, body)
        expect(refused.statusCode, `${method} ${url}: ${refused.body}`).toBe(403)
        expect(refused.json()).toMatchObject({ code: 'LESSON_LOCKED', reason })
        expect(refused.body).not.toContain('Pick one')
      }
      const [row] = await t.platform.database.transaction(tenantScope(c.tenant.id), (tx) =>
        tx.select().from(quizAttempts).where(eq(quizAttempts.id, attempt.id)),
      )
      expect(row).toMatchObject({ submittedAt: null, passed: null })
      expect(await completionsOf(t, enrolmentId)).toEqual({ lessonIds: [], courseCompleted: false })
    })

  it('tells a stranger nothing: someone else’s attempt is 404 before any entitlement answer', async () => {
    const c = await classroom(t)
    const lessonId = c.lessonIds[0]?.[0] as string
    await configureQuiz(c, { questionIds: [await c.question(choice('a'))] })
    const learner = await c.learner()
    const attempt = (await c.call('POST', `/v1/learn/quizzes/${lessonId}/attempts`, learner.token)).json()
    const outsider = await t.tokenFor(c.tenant.id, ['learner'])
    for (const [method, url] of [
      ['GET', `/v1/learn/quiz-attempts/${attempt.id}`],
      ['POST', `/v1/learn/quiz-attempts/${attempt.id}/submit`],
    ] as const) {
      const hidden = await c.call(method, url, outsider)
      expect(hidden.statusCode).toBe(404)
      expect(hidden.json().code).toBe('ATTEMPT_NOT_FOUND')
    }
  })
})

describe('what a quiz asks of a learner', () => {
  it('shows its limits and the attempts used, never its questions, and only to learners who may use the lesson', async () => {
    const c = await classroom(t)
    const [quizLesson, assignmentLesson] = c.lessonIds[0] as string[]
    await configureQuiz(c, {
      questionIds: [await c.question(choice('a', { points: 2 })), await c.question(choice('b'))],
      attemptLimit: 2,
      timeLimitSeconds: 600,
      randomiseOrder: true,
      passingPercent: 50,
    })
    const learner = await c.learner()
    const url = `/v1/learn/quizzes/${quizLesson}`
    const first = (await c.call('POST', `/v1/learn/quizzes/${quizLesson}/attempts`, learner.token)).json()
    await c.call('POST', `/v1/learn/quiz-attempts/${first.id}/submit`, learner.token)
    const second = (await c.call('POST', `/v1/learn/quizzes/${quizLesson}/attempts`, learner.token)).json()
    const rules = await c.call('GET', url, learner.token)
    expect(rules.statusCode, rules.body).toBe(200)
    expect(rules.json()).toEqual({
      lessonId: quizLesson,
      courseId: c.courseId,
      questionCount: 2,
      totalPoints: 3,
      attemptLimit: 2,
      attemptsUsed: 2,
      attemptsRemaining: 0,
      openAttempt: { id: second.id, deadlineAt: second.deadlineAt },
      timeLimitSeconds: 600,
      passingPercent: 50,
      randomiseOrder: true,
    })
    expect(rules.body).not.toContain('Pick one')
    // Other learners' attempts are not counted.
    expect((await c.call('GET', url, (await c.learner()).token)).json()).toMatchObject({
      attemptsUsed: 0,
      attemptsRemaining: 2,
      openAttempt: null,
    })

    const outsider = await t.tokenFor(c.tenant.id, ['learner'])
    expect((await c.call('GET', url, outsider)).json()).toMatchObject({
      status: 403,
      code: 'LESSON_LOCKED',
      reason: 'not_enrolled',
    })
    expect((await c.call('GET', `/v1/learn/quizzes/${assignmentLesson}`, learner.token)).json()).toMatchObject({
      status: 404,
      code: 'QUIZ_NOT_FOUND',
    })
    const elsewhere = await t.createTenant()
    expect((await c.call('GET', url, await t.tokenFor(elsewhere.id, ['learner']))).json()).toMatchObject({
      status: 404,
      code: 'QUIZ_NOT_FOUND',
    })
    expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(401)
  })
})

describe('short-answer patterns over HTTP', () => {
  it('takes a pattern that backtracks catastrophically elsewhere and grades long answers with it correctly', async () => {
    const c = await classroom(t)
    const lessonId = c.lessonIds[0]?.[0] as string
    const questionId = await c.question({ kind: 'short_answer', prompt: 'Type it', answerKey: { pattern: '(a|a)*b' } })
    await configureQuiz(c, { questionIds: [questionId], passingPercent: 100 })
    const learner = await c.learner()
    const outcomes: boolean[] = []
    for (const answer of ['a'.repeat(28), `${'a'.repeat(400)}B`]) {
      const attempt = (await c.call('POST', `/v1/learn/quizzes/${lessonId}/attempts`, learner.token)).json()
      await c.call('PUT', `/v1/learn/quiz-attempts/${attempt.id}/answers`, learner.token, {
        answers: { [questionId]: answer },
      })
      const submitted = await c.call('POST', `/v1/learn/quiz-attempts/${attempt.id}/submit`, learner.token)
      expect(submitted.statusCode, submitted.body).toBe(200)
      outcomes.push(submitted.json().result.passed)
    }
    expect(outcomes).toEqual([false, true])
  })
})

describe('question bank pages', () => {
  it('answers forged cursors with 400 INVALID_CURSOR, never a database error', async () => {
    const c = await classroom(t)
    await c.question(choice('a'))
    for (const cursor of forgedInstantCursors()) {
      const response = await c.call('GET', `/v1/courses/${c.courseId}/questions?cursor=${cursor}`, c.owner)
      expect(response.statusCode, `${Buffer.from(cursor, 'base64url').toString()}: ${response.body}`).toBe(400)
      expect(response.json()).toMatchObject({ code: 'INVALID_CURSOR', errors: [{ path: 'querystring.cursor' }] })
    }
  })
})
