/**
 * Quizzes are graded once: submitting grades and stores each question's result, and nothing
 * that reads an attempt afterwards compiles or matches a pattern again. Pattern work is counted
 * through the worker pool's metric (lyceum_worker_tasks_total), the only way the app matches.
 */
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, testDatabaseUrl, type TestApp } from '../../../test/build-test-app.ts'
import { rowsOf, tenantScope } from '../../platform/db/database.ts'
import { pgliteOwner, postgresOwner } from '../../platform/db/owner-connection.ts'
import { choice, classroom, type Classroom } from './assessment.testing.ts'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => t?.close())

/** Pattern tasks the worker threads have completed so far in this app. */
async function patternTasks(): Promise<number> {
  const metric = await t.platform.metrics.workerTasks.get()
  return metric.values.find((v) => v.labels.pool === 'patterns' && v.labels.outcome === 'completed')?.value ?? 0
}

async function storedResults(c: Classroom, attemptId: string): Promise<unknown> {
  const [row] = await t.platform.database.transaction(tenantScope(c.tenant.id), (tx) =>
    rowsOf<{ results: unknown }>(tx, sql`SELECT results FROM assessment.quiz_attempts WHERE id = ${attemptId}`),
  )
  return row?.results
}

/** A published quiz of a pattern question and a choice question, and a learner's submitted attempt answering both right. */
async function submittedAttempt() {
  const c = await classroom(t)
  const lessonId = c.lessonIds[0]?.[0] as string
  const short = await c.question({
    kind: 'short_answer',
    prompt: 'Spell the colour',
    answerKey: { exact: ['grey'], pattern: 'colou?r' },
    explanation: 'Either spelling',
  })
  const single = await c.question(choice('b'))
  const quiz = await c.call('PUT', `/v1/courses/${c.courseId}/lessons/${lessonId}/quiz`, c.owner, {
    questionIds: [short, single],
  })
  expect(quiz.statusCode, quiz.body).toBe(200)
  await c.publish()
  const learner = await c.learner()
  const attempt = (await c.call('POST', `/v1/learn/quizzes/${lessonId}/attempts`, learner.token)).json()
  await c.call('PUT', `/v1/learn/quiz-attempts/${attempt.id}/answers`, learner.token, {
    answers: { [short]: 'Color', [single]: 'b' },
  })
  const before = await patternTasks()
  const submitted = await c.call('POST', `/v1/learn/quiz-attempts/${attempt.id}/submit`, learner.token)
  expect(submitted.statusCode, submitted.body).toBe(200)
  return { c, lessonId, short, learner, attemptId: attempt.id as string, submitted: submitted.json(), before }
}

describe('grading once', () => {
  it('grades at submission (one pattern task) and stores every question’s result with the attempt', async () => {
    const { c, short, attemptId, submitted, before } = await submittedAttempt()
    expect(await patternTasks()).toBe(before + 1)
    expect(submitted.result).toMatchObject({ score: 2, maxScore: 2, passed: true })
    expect(submitted.result.questions[0]).toEqual({
      questionId: short,
      correct: true,
      pointsAwarded: 1,
      points: 1,
      correctAnswer: { kind: 'short_answer', exact: ['grey'], pattern: 'colou?r', caseSensitive: false },
      explanation: 'Either spelling',
    })
    expect(await storedResults(c, attemptId)).toEqual(submitted.result.questions)
  })

  it('reads a submitted attempt three times, submits it again and reads the gradebook without matching anything', async () => {
    const { c, learner, attemptId, submitted } = await submittedAttempt()
    const after = await patternTasks()
    // Were reads to grade again, they would grade against this key, which accepts nothing. The app
    // role may not change a published version, so the owner does.
    const owner = t.platform.pglite ? pgliteOwner(t.platform.pglite) : await postgresOwner(testDatabaseUrl())
    try {
      await owner.query(
        `UPDATE assessment.published_assessments
            SET questions = (SELECT jsonb_agg(jsonb_set(q, '{answerKey,pattern}', '"nothing-matches"') ORDER BY n)
                               FROM jsonb_array_elements(questions) WITH ORDINALITY AS e(q, n))
          WHERE course_id = $1`,
        [c.courseId],
      )
    } finally {
      await owner.close()
    }
    for (let read = 0; read < 3; read++) {
      const again = await c.call('GET', `/v1/learn/quiz-attempts/${attemptId}`, learner.token)
      expect(again.statusCode, again.body).toBe(200)
      expect(again.json().result).toEqual(submitted.result)
    }
    const resubmitted = await c.call('POST', `/v1/learn/quiz-attempts/${attemptId}/submit`, learner.token)
    expect(resubmitted.json().result).toEqual(submitted.result)
    const gradebook = await c.call('GET', `/v1/courses/${c.courseId}/gradebook`, c.owner)
    expect(gradebook.statusCode, gradebook.body).toBe(200)
    expect(JSON.stringify(gradebook.json())).toContain('"bestScore":2')
    expect(await patternTasks()).toBe(after)
  })

  it('grades an attempt submitted before results were stored once, on its first read, and stores the results', async () => {
    const { c, learner, attemptId, submitted } = await submittedAttempt()
    // As a row written before the results column existed.
    await t.platform.database.transaction(tenantScope(c.tenant.id), (tx) =>
      rowsOf(tx, sql`UPDATE assessment.quiz_attempts SET results = NULL WHERE id = ${attemptId} RETURNING id`),
    )
    const before = await patternTasks()
    const first = await c.call('GET', `/v1/learn/quiz-attempts/${attemptId}`, learner.token)
    expect(first.statusCode, first.body).toBe(200)
    expect(first.json().result).toEqual(submitted.result)
    expect(await patternTasks()).toBe(before + 1)
    expect(await storedResults(c, attemptId)).toEqual(submitted.result.questions)
    for (let read = 0; read < 2; read++)
      expect((await c.call('GET', `/v1/learn/quiz-attempts/${attemptId}`, learner.token)).json().result).toEqual(
        submitted.result,
      )
    expect(await patternTasks()).toBe(before + 1)
  })

  it('grades a quiz without patterns without any pattern task', async () => {
    const c = await classroom(t)
    const lessonId = c.lessonIds[0]?.[0] as string
    const exact = await c.question({ kind: 'short_answer', prompt: 'Capital?', answerKey: { exact: ['Paris'] } })
    await c.call('PUT', `/v1/courses/${c.courseId}/lessons/${lessonId}/quiz`, c.owner, { questionIds: [exact] })
    await c.publish()
    const learner = await c.learner()
    const attempt = (await c.call('POST', `/v1/learn/quizzes/${lessonId}/attempts`, learner.token)).json()
    await c.call('PUT', `/v1/learn/quiz-attempts/${attempt.id}/answers`, learner.token, {
      answers: { [exact]: 'paris' },
    })
    const before = await patternTasks()
    const submitted = await c.call('POST', `/v1/learn/quiz-attempts/${attempt.id}/submit`, learner.token)
    expect(submitted.json().result).toMatchObject({ score: 1, passed: true })
    expect(await patternTasks()).toBe(before)
  })
})

describe('pattern budgets over HTTP', () => {
  const shortAnswer = (pattern: string) => ({ kind: 'short_answer', prompt: 'Type it', answerKey: { pattern } })

  it('refuses a question whose pattern alone is over the per-pattern budget, saving nothing', async () => {
    const c = await classroom(t)
    const refused = await c.call('POST', `/v1/courses/${c.courseId}/questions`, c.owner, shortAnswer('\\pL{16}'))
    expect(refused.statusCode, refused.body).toBe(422)
    expect(refused.json()).toMatchObject({
      code: 'PATTERN_BUDGET_EXCEEDED',
      cost: 4000,
      limit: 2000,
      errors: [{ path: 'body.answerKey.pattern', code: 'budget' }],
    })
    expect((await c.call('GET', `/v1/courses/${c.courseId}/questions`, c.owner)).json().data).toEqual([])
  })

  it('refuses a quiz, or a question change, that takes a quiz’s patterns over the per-quiz budget, naming each question', async () => {
    const c = await classroom(t)
    const lessonId = c.lessonIds[0]?.[0] as string
    const url = `/v1/courses/${c.courseId}/lessons/${lessonId}/quiz`
    const first = await c.question(shortAnswer('\\pL{8}'))
    const second = await c.question(shortAnswer('\\pL{4}'))
    const third = await c.question(shortAnswer('\\pL{4}x'))
    const refused = await c.call('PUT', url, c.owner, { questionIds: [first, second, third] })
    expect(refused.statusCode, refused.body).toBe(422)
    expect(refused.json()).toMatchObject({
      code: 'PATTERN_BUDGET_EXCEEDED',
      lessonId,
      cost: 4002,
      limit: 4000,
      questions: [
        { questionId: first, cost: 2000 },
        { questionId: third, cost: 1002 },
        { questionId: second, cost: 1000 },
      ],
      errors: [{ path: 'body.questionIds.0' }, { path: 'body.questionIds.2' }, { path: 'body.questionIds.1' }],
    })
    expect(refused.json().detail).toContain(`question ${first} costs 2000`)
    expect((await c.call('GET', url, c.owner)).statusCode).toBe(404)

    // The same pattern in two questions is compiled (and counted) once.
    const same = await c.question(shortAnswer('\\pL{4}'))
    const shared = await c.call('PUT', url, c.owner, { questionIds: [first, second, same] })
    expect(shared.statusCode, shared.body).toBe(200)
    const question = `/v1/courses/${c.courseId}/questions/${second}`
    const grown = await c.call('PUT', question, c.owner, shortAnswer('\\pL{7}xy'), { 'if-match': '"v1"' })
    expect(grown.statusCode, grown.body).toBe(422)
    expect(grown.json()).toMatchObject({
      code: 'PATTERN_BUDGET_EXCEEDED',
      lessonId,
      errors: [{ path: 'body.answerKey.pattern', code: 'budget' }],
    })
    expect((await c.call('GET', question, c.owner)).json()).toMatchObject({
      version: 1,
      answerKey: { pattern: '\\pL{4}' },
    })
  })
})
