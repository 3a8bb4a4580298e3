import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { authoringClient } from '../catalogue/testing.ts'
import { choice, classroom } from './assessment.testing.ts'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => t?.close())

describe('quizzes and assignments per published version', () => {
  it('keeps learners on the published quiz while its authors edit the draft, until they publish again', async () => {
    const c = await classroom(t)
    const quizLesson = c.lessonIds[0]?.[0] as string
    const first = await c.question(choice('a', { prompt: 'First version' }))
    const put = (body: Record<string, unknown>, etag?: string) =>
      c.call(
        'PUT',
        `/v1/courses/${c.courseId}/lessons/${quizLesson}/quiz`,
        c.owner,
        body,
        etag ? { 'if-match': etag } : {},
      )
    expect((await put({ questionIds: [first], passingPercent: 100 })).statusCode).toBe(200)
    // Configured, but not published yet: learners have no quiz.
    const learner = await c.learner()
    expect((await c.call('GET', `/v1/learn/quizzes/${quizLesson}`, learner.token)).json()).toMatchObject({
      status: 404,
      code: 'QUIZ_NOT_FOUND',
    })
    await c.publish()
    const started = await c.call('POST', `/v1/learn/quizzes/${quizLesson}/attempts`, learner.token)
    expect(started.statusCode, started.body).toBe(201)
    const attempt = started.json()
    expect(attempt.questions.map((q: { prompt: string }) => q.prompt)).toEqual(['First version'])

    // The author changes the draft: a second question, a lower pass mark, and the first question's key.
    const second = await c.question(choice('b', { prompt: 'Second version' }))
    expect((await put({ questionIds: [first, second], passingPercent: 50 }, '"v1"')).statusCode).toBe(200)
    expect(
      (
        await c.call(
          'PUT',
          `/v1/courses/${c.courseId}/questions/${first}`,
          c.owner,
          choice('c', { prompt: 'Rewritten' }),
          { 'if-match': '"v1"' },
        )
      ).statusCode,
    ).toBe(200)
    const draft = await authoringClient(t).call('GET', `/v1/courses/${c.courseId}`, c.owner)
    expect(draft.json()).toMatchObject({ hasUnpublishedChanges: true })

    // Learners still see and are graded on the published quiz: one question, key 'a', pass at 100%.
    expect((await c.call('GET', `/v1/learn/quizzes/${quizLesson}`, learner.token)).json()).toMatchObject({
      questionCount: 1,
      passingPercent: 100,
    })
    await c.call('PUT', `/v1/learn/quiz-attempts/${attempt.id}/answers`, learner.token, { answers: { [first]: 'a' } })
    expect(
      (await c.call('POST', `/v1/learn/quiz-attempts/${attempt.id}/submit`, learner.token)).json().result,
    ).toMatchObject({ score: 1, maxScore: 1, passed: true })

    // Publishing again moves new attempts to the new version; the graded attempt keeps its own.
    await c.publish()
    const newcomer = await c.learner()
    const next = (await c.call('POST', `/v1/learn/quizzes/${quizLesson}/attempts`, newcomer.token)).json()
    expect(next.questions.map((q: { prompt: string }) => q.prompt).sort()).toEqual(['Rewritten', 'Second version'])
    expect((await c.call('GET', `/v1/learn/quizzes/${quizLesson}`, newcomer.token)).json()).toMatchObject({
      questionCount: 2,
      passingPercent: 50,
    })
    const old = await c.call('GET', `/v1/learn/quiz-attempts/${attempt.id}`, learner.token)
    expect(old.json().questions.map((q: { prompt: string }) => q.prompt)).toEqual(['First version'])
    expect(old.json().result).toMatchObject({ passed: true })
  })

  it('grades a submission against the rubric of the version it was submitted to', async () => {
    const c = await classroom(t)
    const lessonId = c.lessonIds[0]?.[1] as string
    const rubric = (best: number) => [
      {
        id: 'content',
        title: 'Content',
        levels: [
          { points: 0, description: 'Missing' },
          { points: best, description: 'Complete' },
        ],
      },
    ]
    const put = (body: Record<string, unknown>, etag?: string) =>
      c.call(
        'PUT',
        `/v1/courses/${c.courseId}/lessons/${lessonId}/assignment`,
        c.owner,
        body,
        etag ? { 'if-match': etag } : {},
      )
    expect((await put({ instructions: 'Version one', rubric: rubric(10), passingPoints: 10 })).statusCode).toBe(200)
    await c.publish()
    const learner = await c.learner()
    const submission = (
      await c.call('POST', `/v1/learn/assignments/${lessonId}/submissions`, learner.token, { text: 'Essay' })
    ).json()

    expect((await put({ instructions: 'Version two', rubric: rubric(4), passingPoints: 4 }, '"v1"')).statusCode).toBe(
      200,
    )
    expect((await c.call('GET', `/v1/learn/assignments/${lessonId}`, learner.token)).json()).toMatchObject({
      instructions: 'Version one',
      maxPoints: 10,
    })
    const etag = (await c.call('GET', `/v1/submissions/${submission.id}`, c.owner)).headers.etag as string
    const graded = await c.call(
      'POST',
      `/v1/submissions/${submission.id}/grade`,
      c.owner,
      { rubricScores: { content: 10 } },
      { 'if-match': etag },
    )
    expect(graded.statusCode, graded.body).toBe(200)
    expect(graded.json()).toMatchObject({ points: 10, passed: true })
  })

  it('counts an assignment due offset from the cohort start in a cohort course', async () => {
    const start = new Date(Date.now() - 10 * 86_400_000)
    const c = await classroom(t, {
      delivery: 'cohort',
      cohortStartsAt: start,
      capacity: 5,
      modules: [{ lessons: [{ kind: 'assignment' }] }],
    })
    const lessonId = c.lessonIds[0]?.[0] as string
    const rubric = [
      {
        id: 'content',
        title: 'Content',
        levels: [
          { points: 0, description: 'Missing' },
          { points: 2, description: 'Complete' },
        ],
      },
    ]
    const put = await c.call('PUT', `/v1/courses/${c.courseId}/lessons/${lessonId}/assignment`, c.owner, {
      instructions: 'Essay',
      rubric,
      passingPoints: 2,
      dueOffsetDays: 3,
      latePolicy: 'refuse',
    })
    expect(put.statusCode, put.body).toBe(200)
    await c.publish()
    const learner = await c.learner()
    const dueAt = new Date(start.getTime() + 3 * 86_400_000).toISOString()
    expect((await c.call('GET', `/v1/learn/assignments/${lessonId}`, learner.token)).json()).toMatchObject({ dueAt })
    // Joining late does not move the cohort's deadline: it has passed.
    expect(
      (await c.call('POST', `/v1/learn/assignments/${lessonId}/submissions`, learner.token, { text: 'Essay' })).json(),
    ).toMatchObject({ status: 409, code: 'SUBMISSION_LATE' })
  })

  it('refuses to submit, approve or publish a course whose quiz or assignment lessons are not set up', async () => {
    const api = authoringClient(t)
    const tenant = await t.createTenant()
    const instructor = await api.realInstructor(tenant)
    const admin = await t.tokenFor(tenant.id, ['tenant_admin'])
    const course = await api.createCourse(instructor.token)
    const module = await api.call('POST', `/v1/courses/${course.id}/modules`, instructor.token, {
      etag: course.etag,
      payload: { title: 'Only' },
    })
    const quiz = await api.call(
      'POST',
      `/v1/courses/${course.id}/modules/${module.json().id}/lessons`,
      instructor.token,
      { etag: module.headers.etag as string, payload: { kind: 'quiz', title: 'Check' } },
    )
    const assignment = await api.call(
      'POST',
      `/v1/courses/${course.id}/modules/${module.json().id}/lessons`,
      instructor.token,
      { etag: quiz.headers.etag as string, payload: { kind: 'assignment', title: 'Essay' } },
    )
    expect(assignment.statusCode).toBe(201)

    for (const [token, step] of [
      [instructor.token, 'submit'],
      [admin, 'publish'],
    ] as const) {
      const refused = await api.call('POST', `/v1/courses/${course.id}/${step}`, token)
      expect(refused.statusCode, refused.body).toBe(409)
      expect(refused.json()).toMatchObject({
        code: 'ASSESSMENT_INCOMPLETE',
        lessons: [
          { lessonId: quiz.json().id, problem: 'has no quiz questions' },
          { lessonId: assignment.json().id, problem: 'has no assignment settings' },
        ],
      })
    }
  })
})
