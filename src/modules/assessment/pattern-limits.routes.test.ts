/**
 * The limits around pattern work, in an app whose pattern tasks get a 1 ms deadline (no compile
 * of \pL{8}, nor loading the engine, fits in it) and whose compute rate-limit class allows three
 * requests a minute per caller.
 */
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { rowsOf, tenantScope } from '../../platform/db/database.ts'
import { choice, classroom } from './assessment.testing.ts'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp({ env: { PATTERN_TASK_DEADLINE_MS: '1', RATE_LIMITS: 'compute=3' } })
})
afterAll(async () => t?.close())

const heavy = { kind: 'short_answer', prompt: 'Eight letters', answerKey: { pattern: '\\pL{8}' } }

describe('a pattern task past its deadline', () => {
  it('refuses the question with 422 PATTERN_TOO_COMPLEX and saves nothing', async () => {
    const c = await classroom(t)
    const refused = await c.call('POST', `/v1/courses/${c.courseId}/questions`, c.owner, heavy)
    expect(refused.statusCode, refused.body).toBe(422)
    expect(refused.json()).toMatchObject({
      code: 'PATTERN_TOO_COMPLEX',
      deadlineMs: 1,
      errors: [{ path: 'body.answerKey.pattern', code: 'complexity' }],
    })
    expect((await c.call('GET', `/v1/courses/${c.courseId}/questions`, c.owner)).json().data).toEqual([])
  })

  it('fails the submission with 503 GRADING_UNAVAILABLE and Retry-After, recording nothing: the attempt stays open', async () => {
    const c = await classroom(t)
    const lessonId = c.lessonIds[0]?.[0] as string
    // Saved before this deadline applied (authoring would refuse it here).
    const [question] = await t.platform.database.transaction(tenantScope(c.tenant.id), (tx) =>
      rowsOf<{ id: string }>(
        tx,
        sql`INSERT INTO assessment.questions (tenant_id, course_id, kind, prompt, answer_key)
            VALUES (${c.tenant.id}, ${c.courseId}, 'short_answer', 'Eight letters',
                    ${JSON.stringify({ exact: [], pattern: '\\pL{8}', caseSensitive: false })}::jsonb)
            RETURNING id`,
      ),
    )
    const questionId = question?.id as string
    const configured = await c.call('PUT', `/v1/courses/${c.courseId}/lessons/${lessonId}/quiz`, c.owner, {
      questionIds: [questionId],
    })
    expect(configured.statusCode, configured.body).toBe(200)
    await c.publish()
    const learner = await c.learner()
    const attempt = (await c.call('POST', `/v1/learn/quizzes/${lessonId}/attempts`, learner.token)).json()
    await c.call('PUT', `/v1/learn/quiz-attempts/${attempt.id}/answers`, learner.token, {
      answers: { [questionId]: 'abcdefgh' },
    })
    const submitted = await c.call('POST', `/v1/learn/quiz-attempts/${attempt.id}/submit`, learner.token)
    expect(submitted.statusCode, submitted.body).toBe(503)
    expect(submitted.json()).toMatchObject({ code: 'GRADING_UNAVAILABLE' })
    expect(submitted.headers['retry-after']).toBe('2')
    const kept = (await c.call('GET', `/v1/learn/quiz-attempts/${attempt.id}`, learner.token)).json()
    expect(kept).toMatchObject({ status: 'in_progress', submittedAt: null, result: null })
    expect(kept.answers).toEqual({ [questionId]: 'abcdefgh' })
    // The learner can keep working on it.
    const saved = await c.call('PUT', `/v1/learn/quiz-attempts/${attempt.id}/answers`, learner.token, {
      answers: { [questionId]: 'abcdefgi' },
    })
    expect(saved.statusCode, saved.body).toBe(200)
  })
})

describe('the compute rate-limit class', () => {
  it('limits question writes (which compile patterns) separately from other writes', async () => {
    const c = await classroom(t)
    const lessonId = c.lessonIds[0]?.[0] as string
    const statuses: number[] = []
    let last
    for (let i = 0; i < 4; i++) {
      last = await c.call('POST', `/v1/courses/${c.courseId}/questions`, c.owner, choice('a'))
      statuses.push(last.statusCode)
    }
    expect(statuses).toEqual([201, 201, 201, 429])
    expect(last?.json()).toMatchObject({ code: 'RATE_LIMITED' })
    expect(last?.headers['ratelimit-policy']).toContain('"compute";q=3;w=60')
    expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0)
    // Other writes spend the write class.
    const questionId = (await c.call('GET', `/v1/courses/${c.courseId}/questions`, c.owner)).json().data[0].id
    const quiz = await c.call('PUT', `/v1/courses/${c.courseId}/lessons/${lessonId}/quiz`, c.owner, {
      questionIds: [questionId],
    })
    expect(quiz.statusCode, quiz.body).toBe(200)
    expect(quiz.headers['ratelimit-policy']).toContain('"write"')
  })
})
