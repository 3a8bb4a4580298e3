/**
 * Issue 9, defect 5: the question bank, quiz settings and assignment settings follow the course's
 * editability rule (catalogue.policy assertEditable), so nothing ships with an approval that the
 * reviewer did not read: no edits while the course is in review, none once it is archived.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { readPublishedCourse } from '../catalogue/index.ts'
import { tenantScope } from '../../platform/db/database.ts'
import { choice, classroom, type Classroom } from './assessment.testing.ts'

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

/** A live course with its quiz and assignment set up, then changed and submitted: in review. */
async function inReview(): Promise<Classroom & { quizLesson: string; assignmentLesson: string; questionId: string }> {
  const c = await classroom(t)
  const [quizLesson, assignmentLesson] = c.lessonIds[0] as [string, string]
  const questionId = await c.question(choice('a', { prompt: 'What is 1 + 1?' }))
  const quiz = await c.call('PUT', `/v1/courses/${c.courseId}/lessons/${quizLesson}/quiz`, c.owner, {
    questionIds: [questionId],
    passingPercent: 80,
  })
  expect(quiz.statusCode, quiz.body).toBe(200)
  const assignment = await c.call('PUT', `/v1/courses/${c.courseId}/lessons/${assignmentLesson}/assignment`, c.owner, {
    instructions: 'Write an essay',
    rubric,
    passingPoints: 10,
  })
  expect(assignment.statusCode, assignment.body).toBe(200)
  await c.publish()
  // A reviewed change: the pass mark goes up a little, then the draft is submitted.
  const revised = await c.call(
    'PUT',
    `/v1/courses/${c.courseId}/lessons/${quizLesson}/quiz`,
    c.owner,
    { questionIds: [questionId], passingPercent: 90 },
    { 'if-match': '"v1"' },
  )
  expect(revised.statusCode, revised.body).toBe(200)
  const submitted = await c.call('POST', `/v1/courses/${c.courseId}/submit`, c.owner, {})
  expect(submitted.json(), submitted.body).toMatchObject({ status: 'in_review' })
  return { ...c, quizLesson, assignmentLesson, questionId }
}

/** Every assessment authoring write of the classroom's course, as its owner. */
function writes(c: Awaited<ReturnType<typeof inReview>>) {
  const base = `/v1/courses/${c.courseId}`
  return {
    replaceQuestion: () =>
      c.call(
        'PUT',
        `${base}/questions/${c.questionId}`,
        c.owner,
        choice('b', { prompt: 'Log in at https://phish.example to continue' }),
        { 'if-match': '"v1"' },
      ),
    createQuestion: () => c.call('POST', `${base}/questions`, c.owner, choice('c')),
    deleteQuestion: () => c.call('DELETE', `${base}/questions/${c.questionId}`, c.owner),
    putQuiz: () =>
      c.call('PUT', `${base}/lessons/${c.quizLesson}/quiz`, c.owner, {
        questionIds: [c.questionId],
        passingPercent: 0,
      }),
    putAssignment: () =>
      c.call('PUT', `${base}/lessons/${c.assignmentLesson}/assignment`, c.owner, {
        instructions: 'Send your password to https://phish.example',
        rubric,
        passingPoints: 0,
      }),
  }
}

async function expectNotEditable(response: Awaited<ReturnType<Classroom['call']>>, status: string) {
  expect(response.statusCode, response.body).toBe(409)
  expect(response.json()).toMatchObject({ code: 'COURSE_NOT_EDITABLE', courseStatus: status })
}

describe('assessment authoring while a course is in review', () => {
  it('refuses question, quiz and assignment edits with 409 COURSE_NOT_EDITABLE, so the approval ships what was reviewed', async () => {
    const c = await inReview()
    const write = writes(c)
    for (const [name, send] of Object.entries(write)) {
      const response = await send()
      expect(response.statusCode, `${name}: ${response.body}`).toBe(409)
      await expectNotEditable(response, 'in_review')
    }
    const admin = await t.tokenFor(c.tenant.id, ['tenant_admin'])
    const approved = await c.call('POST', `/v1/courses/${c.courseId}/approve`, admin, {})
    expect(approved.statusCode, approved.body).toBe(200)
    // The reviewer's version: the question and settings as they were submitted.
    const learner = await c.learner()
    expect((await c.call('GET', `/v1/learn/quizzes/${c.quizLesson}`, learner.token)).json()).toMatchObject({
      passingPercent: 90,
      questionCount: 1,
    })
    const brief = (await c.call('GET', `/v1/learn/assignments/${c.assignmentLesson}`, learner.token)).json()
    expect(brief).toMatchObject({ instructions: 'Write an essay', passingPoints: 10 })
    const live = await t.platform.database.transaction(tenantScope(c.tenant.id), (tx) =>
      readPublishedCourse(tx, c.courseId),
    )
    expect(live?.course.versionNumber).toBe(approved.json().publishedVersion.number)
  })

  it('lets authors edit again once changes are requested, and never after archiving', async () => {
    const c = await inReview()
    const admin = await t.tokenFor(c.tenant.id, ['tenant_admin'])
    const back = await c.call('POST', `/v1/courses/${c.courseId}/request-changes`, admin, { comment: 'Lower it' })
    expect(back.json(), back.body).toMatchObject({ status: 'published' })
    const write = writes(c)
    expect((await write.putQuiz()).statusCode).toBe(200)
    expect((await write.putAssignment()).statusCode).toBe(200)
    expect((await write.replaceQuestion()).statusCode).toBe(200)
    expect((await write.createQuestion()).statusCode).toBe(201)

    const archived = await c.call('POST', `/v1/courses/${c.courseId}/archive`, c.owner, {})
    expect(archived.json(), archived.body).toMatchObject({ status: 'archived' })
    await expectNotEditable(await write.putQuiz(), 'archived')
    await expectNotEditable(await write.putAssignment(), 'archived')
    await expectNotEditable(await write.createQuestion(), 'archived')
    await expectNotEditable(await write.deleteQuestion(), 'archived')
  })

  it('still answers 404 to staff of other courses and other tenants before any editability check', async () => {
    const c = await inReview()
    const stranger = await t.tokenFor(c.tenant.id, ['instructor'])
    const response = await c.call('PUT', `/v1/courses/${c.courseId}/lessons/${c.quizLesson}/quiz`, stranger, {
      questionIds: [c.questionId],
    })
    expect(response.json()).toMatchObject({ status: 404, code: 'COURSE_NOT_FOUND' })
    const other = await t.createTenant()
    const foreignAdmin = await t.tokenFor(other.id, ['tenant_admin'])
    const foreign = await c.call('POST', `/v1/courses/${c.courseId}/questions`, foreignAdmin, choice('a'))
    expect(foreign.json()).toMatchObject({ status: 404, code: 'COURSE_NOT_FOUND' })
  })
})

describe('what a reviewer reads of a course in review', () => {
  it('shows every quiz with its questions and keys and every assignment, as approving will publish them', async () => {
    const c = await inReview()
    const reviewer = await t.tokenFor(c.tenant.id, ['reviewer'])
    const read = await c.call('GET', `/v1/review-queue/${c.courseId}/assessments`, reviewer)
    expect(read.statusCode, read.body).toBe(200)
    expect(read.json()).toEqual({
      courseId: c.courseId,
      quizzes: [
        expect.objectContaining({
          lessonId: c.quizLesson,
          passingPercent: 90,
          questions: [
            expect.objectContaining({
              id: c.questionId,
              prompt: 'What is 1 + 1?',
              answerKey: { optionIds: ['a'] },
              explanation: 'Because the key says so',
            }),
          ],
        }),
      ],
      assignments: [expect.objectContaining({ lessonId: c.assignmentLesson, instructions: 'Write an essay', rubric })],
      notSetUp: [],
    })
  })

  it('is for courses in the caller’s review queue only: 404 otherwise, 403 without courses:review, 401 anonymous', async () => {
    const c = await inReview()
    const url = `/v1/review-queue/${c.courseId}/assessments`
    // The course's own instructor is no reviewer of it, even holding the role.
    const ownerAsReviewer = await t.tokenFor(c.tenant.id, ['reviewer'], c.ownerId)
    expect((await c.call('GET', url, ownerAsReviewer)).json()).toMatchObject({
      status: 404,
      code: 'COURSE_NOT_IN_REVIEW',
    })
    for (const role of ['instructor', 'learner'] as const)
      expect((await c.call('GET', url, await t.tokenFor(c.tenant.id, [role]))).json()).toMatchObject({
        status: 403,
        permission: 'courses:review',
      })
    expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(401)
    const other = await t.createTenant()
    expect((await c.call('GET', url, await t.tokenFor(other.id, ['reviewer']))).statusCode).toBe(404)
    const reviewer = await t.tokenFor(c.tenant.id, ['reviewer'])
    expect((await c.call('GET', '/v1/review-queue/not-a-uuid/assessments', reviewer)).statusCode).toBe(400)
    // Once approved it is no longer in review.
    await c.call('POST', `/v1/courses/${c.courseId}/approve`, reviewer, {})
    expect((await c.call('GET', url, reviewer)).json()).toMatchObject({ status: 404, code: 'COURSE_NOT_IN_REVIEW' })
  })
})
