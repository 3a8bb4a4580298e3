/**
 * Journey 4 (a learner progresses to a certificate) walked over HTTP against the real app with
 * its job worker: an instructor builds and publishes a course (a text lesson, a module released
 * one day after enrolment, a quiz and a rubric-graded assignment) → a registered learner enrols
 * (confirmation email) → completes the text lesson → the drip lesson is locked → a day passes →
 * the unlock job releases it ("lesson unlocked" email) → quiz passed without ever seeing the
 * answer key → assignment submitted and graded with the rubric (graded email) → course completed
 * (the enrolment records it) → the certificate job issues the certificate (email) → PDF and Open
 * Badges credential, checked with an independent verifier → public verification → revocation.
 *
 * Media (signed video URLs) is out of scope until the media issue; the lessons here are text.
 * The steps share state and run in order.
 */
import type { LightMyRequestResponse } from 'fastify'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { tenantScope } from '../../platform/db/database.ts'
import { waitUntil } from '../../platform/jobs/testing.ts'
import { createLogger } from '../../platform/observability/logger.ts'
import { enrolments } from '../enrolment/testing.ts'
import { releaseDueUnlocks } from '../progress/index.ts'
import { lessonUnlocks } from '../progress/testing.ts'
import { independentVerifier } from './testing.ts'

/** The subject of credentials.certificate_issued in English (notifications' templates). */
const CERTIFICATE_READY = 'Your certificate is ready'

const PASSWORD = 'saffron-quarry-64-beacon'
const CONFIRMATION_SUBJECT = 'Welcome to “Analytical Engines”'
const GRADED_SUBJECT = 'Your assignment was graded'
const DAY_MS = 86_400_000
const MAIL_WAIT_MS = 30_000
/** The short-answer key and an explanation: neither may reach the learner before grading. */
const SECRET_ANSWER = 'Jacquard'
const SECRET_EXPLANATION = 'revealed-only-after-grading'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp({ worker: true })
})
afterAll(async () => t?.close())

const journey = {
  tenant: { id: '', slug: '' },
  admin: '',
  instructor: '',
  learner: { email: `ada.${Math.random().toString(36).slice(2, 10)}@example.org`, userId: '', token: '' },
  courseId: '',
  lessons: { reading: '', quiz: '', assignment: '', drip: '' },
  questionIds: [] as string[],
  enrolmentId: '',
  submissionId: '',
  certificate: { id: '', verificationUrl: '' },
  credential: {} as Record<string, unknown>,
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH'

async function call(
  method: Method,
  url: string,
  token: string | null,
  options: { payload?: object; ifMatch?: string } = {},
): Promise<LightMyRequestResponse> {
  const response = await t.app.inject({
    method,
    url,
    headers: {
      host: `${journey.tenant.slug}.${t.config.http.baseDomain}`,
      ...(token ? t.auth(token) : {}),
      ...(options.ifMatch ? { 'if-match': options.ifMatch } : {}),
    },
    ...(options.payload ? { payload: options.payload } : {}),
  })
  if (response.statusCode >= 400) expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
  return response
}

const asLearner = (method: Method, url: string, payload?: object) =>
  call(method, url, journey.learner.token, payload ? { payload } : {})
const lessonUrl = (lessonId: string) => `/v1/learn/courses/${journey.courseId}/lessons/${lessonId}`
const complete = (lessonId: string) =>
  asLearner('POST', `/v1/learn/lessons/${lessonId}/complete`, { courseId: journey.courseId })

/** Polls the operator mail API until an email whose subject satisfies `match` has reached the learner. */
async function mailTo(match: (subject: string) => boolean, what: string): Promise<{ subject: string; text: string }> {
  const deadline = Date.now() + MAIL_WAIT_MS
  for (;;) {
    const response = await t.app.inject({
      method: 'GET',
      url: `/v1/ops/mail?limit=100&tenantId=${journey.tenant.id}&to=${encodeURIComponent(journey.learner.email)}`,
      headers: t.auth(t.operatorToken),
    })
    expect(response.statusCode).toBe(200)
    const found = (response.json() as { data: Array<{ subject: string; text: string }> }).data.find((m) =>
      match(m.subject),
    )
    if (found) return found
    if (Date.now() > deadline) throw new Error(`no ${what} email to the learner within ${MAIL_WAIT_MS} ms`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
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

// ---- an independent verifier (credentials/testing.ts): its own loader, the library's checks ----

const { verify: independentlyVerify } = independentVerifier((url) =>
  t.app.inject({ method: 'GET', url: url.pathname, headers: { host: url.host } }),
)

// ---- the journey -------------------------------------------------------------------------

describe('journey 4: a learner progresses to a certificate, over HTTP', { timeout: 180_000 }, () => {
  it('an instructor builds a course with a text lesson, a drip module, a quiz and an assignment; an administrator publishes it', async () => {
    journey.tenant = await t.createTenant({ name: 'Harbour Academy' })
    journey.admin = await t.tokenFor(journey.tenant.id, ['tenant_admin'])
    journey.instructor = await t.tokenFor(journey.tenant.id, ['instructor'])
    const teach = (method: Method, url: string, options: { payload?: object; ifMatch?: string } = {}) =>
      call(method, url, journey.instructor, options)

    const created = await teach('POST', '/v1/courses', {
      payload: {
        slug: `engines-${Math.random().toString(36).slice(2, 8)}`,
        title: 'Analytical Engines',
        summary: 'Machines that compute',
      },
    })
    expect(created.statusCode).toBe(201)
    journey.courseId = (created.json() as { id: string }).id
    let etag = String(created.headers.etag)
    const addModule = async (payload: object) => {
      const response = await teach('POST', `/v1/courses/${journey.courseId}/modules`, { ifMatch: etag, payload })
      expect(response.statusCode).toBe(201)
      etag = String(response.headers.etag)
      return (response.json() as { id: string }).id
    }
    const addLesson = async (moduleId: string, payload: object) => {
      const response = await teach('POST', `/v1/courses/${journey.courseId}/modules/${moduleId}/lessons`, {
        ifMatch: etag,
        payload,
      })
      expect(response.statusCode).toBe(201)
      etag = String(response.headers.etag)
      return (response.json() as { id: string }).id
    }
    const basics = await addModule({ title: 'Basics' })
    journey.lessons.reading = await addLesson(basics, {
      kind: 'text',
      title: 'The Difference Engine',
      body: 'Gears and columns.',
    })
    journey.lessons.quiz = await addLesson(basics, { kind: 'quiz', title: 'Check yourself' })
    journey.lessons.assignment = await addLesson(basics, { kind: 'assignment', title: 'Write a program' })
    const later = await addModule({ title: 'The Analytical Engine', releaseOffsetDays: 1 })
    journey.lessons.drip = await addLesson(later, { kind: 'text', title: 'Notes by the translator', body: 'Note G.' })

    for (const question of [
      {
        kind: 'single_choice',
        prompt: 'Who designed the engine?',
        options: [
          { id: 'a', text: 'Babbage' },
          { id: 'b', text: 'Pascal' },
        ],
        answerKey: { optionIds: ['a'] },
        explanation: SECRET_EXPLANATION,
      },
      {
        kind: 'short_answer',
        prompt: 'Whose looms inspired the punched cards?',
        answerKey: { exact: [SECRET_ANSWER] },
        explanation: SECRET_EXPLANATION,
      },
    ]) {
      const response = await teach('POST', `/v1/courses/${journey.courseId}/questions`, { payload: question })
      expect(response.statusCode).toBe(201)
      journey.questionIds.push((response.json() as { id: string }).id)
    }
    const quiz = await teach('PUT', `/v1/courses/${journey.courseId}/lessons/${journey.lessons.quiz}/quiz`, {
      payload: { questionIds: journey.questionIds, passingPercent: 100, attemptLimit: 3 },
    })
    expect(quiz.statusCode).toBe(200)
    const rubric = [
      {
        id: 'correctness',
        title: 'Correctness',
        levels: [
          { points: 0, description: 'Wrong' },
          { points: 10, description: 'Right' },
        ],
      },
      {
        id: 'clarity',
        title: 'Clarity',
        levels: [
          { points: 0, description: 'Murky' },
          { points: 5, description: 'Clear' },
        ],
      },
    ]
    const assignment = await teach(
      'PUT',
      `/v1/courses/${journey.courseId}/lessons/${journey.lessons.assignment}/assignment`,
      { payload: { instructions: 'Compute the Bernoulli numbers.', rubric, passingPoints: 10 } },
    )
    expect(assignment.statusCode).toBe(200)

    expect(
      (await teach('POST', `/v1/courses/${journey.courseId}/submit`, { ifMatch: etag, payload: {} })).statusCode,
    ).toBe(200)
    const approved = await call('POST', `/v1/courses/${journey.courseId}/approve`, journey.admin, { payload: {} })
    expect(approved.statusCode).toBe(200)
    expect(approved.json()).toMatchObject({ status: 'published' })
  })

  it('a registered learner enrols and gets the confirmation email', async () => {
    const { email } = journey.learner
    expect(
      (
        await call('POST', '/v1/auth/register', null, {
          payload: { email, password: PASSWORD, displayName: 'Ada Lovelace' },
        })
      ).statusCode,
    ).toBe(202)
    const token = /\/verify-email\?token=([A-Za-z0-9_-]+)/.exec(
      (await mailTo((s) => s === 'Confirm your email address', 'verification')).text,
    )?.[1]
    expect((await call('POST', '/v1/auth/verify-email', null, { payload: { token } })).statusCode).toBe(200)
    const login = await call('POST', '/v1/auth/login', null, { payload: { email, password: PASSWORD } })
    expect(login.statusCode).toBe(200)
    journey.learner.token = (login.json() as { accessToken: string }).accessToken
    journey.learner.userId = ((await asLearner('GET', '/v1/me')).json() as { id: string }).id

    // Not enrolled yet: no lesson.
    expect((await asLearner('GET', lessonUrl(journey.lessons.reading))).json()).toMatchObject({
      status: 403,
      code: 'LESSON_LOCKED',
      reason: 'not_enrolled',
    })
    const enrolled = await asLearner('POST', `/v1/courses/${journey.courseId}/enrolments/self`)
    expect(enrolled.statusCode).toBe(201)
    expect(enrolled.json()).toMatchObject({
      userId: journey.learner.userId,
      courseId: journey.courseId,
      status: 'active',
      source: 'self',
      completedAt: null,
    })
    journey.enrolmentId = (enrolled.json() as { id: string }).id
    const mail = await mailTo((s) => s === CONFIRMATION_SUBJECT, 'enrolment confirmation')
    expect(mail.text).toContain('Analytical Engines')
  })

  it('reads and completes the text lesson; the drip lesson is locked until a day after enrolment', async () => {
    const reading = await asLearner('GET', lessonUrl(journey.lessons.reading))
    expect(reading.statusCode).toBe(200)
    expect(reading.json()).toMatchObject({
      enrolmentId: journey.enrolmentId,
      lesson: { id: journey.lessons.reading, body: 'Gears and columns.' },
    })
    expect((await complete(journey.lessons.reading)).statusCode).toBe(200)

    const locked = await asLearner('GET', lessonUrl(journey.lessons.drip))
    expect(locked.statusCode).toBe(403)
    const enrolledAt = (
      (await asLearner('GET', '/v1/me/enrolments')).json() as { data: Array<{ id: string; enrolledAt: string }> }
    ).data.find((e) => e.id === journey.enrolmentId)?.enrolledAt
    expect(locked.json()).toMatchObject({
      code: 'LESSON_LOCKED',
      reason: 'drip_locked',
      until: new Date(Date.parse(enrolledAt!) + DAY_MS).toISOString(),
    })
    expect(locked.body).not.toContain('Note G.')
    expect((await complete(journey.lessons.drip)).statusCode).toBe(403)
  })

  it('a day passes: the unlock job releases the lesson, emails the learner, and the lesson can be read and completed', async () => {
    const scope = tenantScope(journey.tenant.id)
    // The progress module writes the drip schedule when it handles the enrolment event (worker).
    await waitUntil('the drip schedule', async () => {
      const rows = await t.platform.database.transaction(scope, (tx) =>
        tx.select().from(lessonUnlocks).where(eq(lessonUnlocks.enrolmentId, journey.enrolmentId)),
      )
      return rows.length === 1 && rows
    })
    // Time passing, which HTTP cannot do: the enrolment moves a day (and a minute) into the past, and
    // so does its scheduled unlock. This is the one direct write of the journey, in a tenant-scoped
    // transaction like the application's own.
    const dayAgo = new Date(Date.now() - DAY_MS - 60_000)
    await t.platform.database.transaction(scope, async (tx) => {
      await tx.update(enrolments).set({ enrolledAt: dayAgo }).where(eq(enrolments.id, journey.enrolmentId))
      await tx
        .update(lessonUnlocks)
        .set({ unlockAt: new Date(dayAgo.getTime() + DAY_MS) })
        .where(eq(lessonUnlocks.enrolmentId, journey.enrolmentId))
    })
    // What the scheduled RELEASE_UNLOCKS job runs (its cron run may also get there first: the mail is sent once either way).
    await releaseDueUnlocks({
      database: t.platform.database,
      notify: t.modules.notifications.notify,
      logger: createLogger('silent'),
    })
    const mail = await mailTo((s) => s === 'New lesson unlocked: Notes by the translator', 'lesson unlocked')
    expect(mail.text).toContain('Notes by the translator')

    const drip = await asLearner('GET', lessonUrl(journey.lessons.drip))
    expect(drip.statusCode).toBe(200)
    expect(drip.json()).toMatchObject({ lesson: { id: journey.lessons.drip, body: 'Note G.' } })
    expect((await complete(journey.lessons.drip)).statusCode).toBe(200)
  })

  it('passes the quiz without any response carrying the answer key before it is graded', async () => {
    const bodies: string[] = []
    const keep = (response: LightMyRequestResponse) => {
      bodies.push(response.body)
      return response
    }
    expect(keep(await asLearner('GET', lessonUrl(journey.lessons.quiz))).statusCode).toBe(200)
    const started = keep(await asLearner('POST', `/v1/learn/quizzes/${journey.lessons.quiz}/attempts`))
    expect(started.statusCode).toBe(201)
    const attempt = started.json() as { id: string; questions: Array<{ id: string }> }
    expect(attempt.questions.map((q) => q.id)).toEqual(journey.questionIds)
    keep(await asLearner('GET', `/v1/learn/quiz-attempts/${attempt.id}`))
    const answers = { [journey.questionIds[0]!]: 'a', [journey.questionIds[1]!]: SECRET_ANSWER }
    expect(keep(await asLearner('PUT', `/v1/learn/quiz-attempts/${attempt.id}/answers`, { answers })).statusCode).toBe(
      200,
    )
    keep(await asLearner('GET', `/v1/learn/courses/${journey.courseId}/progress`))
    for (const [index, body] of bodies.entries()) {
      const keys = keysOf(JSON.parse(body))
      for (const forbidden of [
        'answerKey',
        'correct',
        'correctAnswer',
        'explanation',
        'optionIds',
        'exact',
        'score',
        'passed',
      ])
        expect(keys.has(forbidden), `${forbidden} in ${body}`).toBe(false)
      expect(body).not.toContain(SECRET_EXPLANATION)
      // The saved answers echo the learner's own text; no other response may carry the key.
      if (index !== 3) expect(body).not.toContain(SECRET_ANSWER)
    }

    const submitted = await asLearner('POST', `/v1/learn/quiz-attempts/${attempt.id}/submit`)
    expect(submitted.statusCode).toBe(200)
    expect(submitted.json().result).toMatchObject({ score: 2, maxScore: 2, passed: true })
    // Graded: now the key and the explanation are shown.
    expect(submitted.body).toContain(SECRET_EXPLANATION)
  })

  it('submits the assignment; the instructor grades it with the rubric under If-Match and the learner is emailed', async () => {
    const submitted = await asLearner('POST', `/v1/learn/assignments/${journey.lessons.assignment}/submissions`, {
      text: 'A table of operations for B7.',
    })
    expect(submitted.statusCode).toBe(201)
    journey.submissionId = (submitted.json() as { id: string }).id
    // Not complete before grading.
    const before = (await asLearner('GET', `/v1/learn/courses/${journey.courseId}/progress`)).json() as {
      percent: number
      completedAt: string | null
    }
    expect(before).toMatchObject({ percent: 75, completedAt: null })

    const url = `/v1/submissions/${journey.submissionId}`
    const read = await call('GET', url, journey.instructor)
    expect(read.statusCode).toBe(200)
    const grade = { rubricScores: { correctness: 10, clarity: 5 }, feedback: 'Elegant.' }
    expect((await call('POST', `${url}/grade`, journey.instructor, { payload: grade })).statusCode).toBe(428)
    const graded = await call('POST', `${url}/grade`, journey.instructor, {
      payload: grade,
      ifMatch: String(read.headers.etag),
    })
    expect(graded.statusCode).toBe(200)
    expect(graded.json()).toMatchObject({ status: 'graded', points: 15, passed: true, feedback: 'Elegant.' })
    await mailTo((s) => s === GRADED_SUBJECT, 'assignment graded')
  })

  it('completes the course, and the enrolment records the completion', async () => {
    const progress = (await asLearner('GET', `/v1/learn/courses/${journey.courseId}/progress`)).json() as {
      percent: number
      completedAt: string | null
      completedLessons: number
    }
    expect(progress).toMatchObject({ percent: 100, completedLessons: 4, completedAt: expect.any(String) })
    // The enrolment module records it from the progress.course_completed event (worker).
    const enrolment = await waitUntil('the enrolment to be completed', async () => {
      const mine = (await asLearner('GET', '/v1/me/enrolments')).json() as {
        data: Array<{ id: string; completedAt: string | null; status: string }>
      }
      const found = mine.data.find((e) => e.id === journey.enrolmentId)
      return found?.completedAt ? found : undefined
    })
    expect(enrolment).toMatchObject({ status: 'active', completedAt: progress.completedAt })
  })

  it('the job issues the certificate: emailed, listed, a PDF and a credential the independent verifier accepts', async () => {
    const [certificate] = await waitUntil(
      'the certificate to be issued',
      async () => {
        const response = await asLearner('GET', '/v1/me/certificates')
        expect(response.statusCode).toBe(200)
        const data = (
          response.json() as {
            data: Array<{
              id: string
              status: string
              verificationUrl: string
              courseTitle: string
              recipientName: string
              enrolmentId: string
            }>
          }
        ).data
        return data.length > 0 && data
      },
      30_000,
    )
    expect(certificate).toMatchObject({
      status: 'active',
      courseTitle: 'Analytical Engines',
      recipientName: 'Ada Lovelace',
      enrolmentId: journey.enrolmentId,
    })
    journey.certificate = { id: certificate!.id, verificationUrl: certificate!.verificationUrl }
    const mail = await mailTo((s) => s === CERTIFICATE_READY, 'certificate issued')
    expect(mail.text).toContain(certificate!.verificationUrl)

    const pdf = await asLearner('GET', `/v1/me/certificates/${certificate!.id}/pdf`)
    expect(pdf.statusCode).toBe(200)
    expect(pdf.headers['content-type']).toBe('application/pdf')
    expect(pdf.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-')

    const response = await asLearner('GET', `/v1/me/certificates/${certificate!.id}/credential`)
    expect(response.statusCode).toBe(200)
    journey.credential = response.json() as Record<string, unknown>
    expect(journey.credential).toMatchObject({
      type: ['VerifiableCredential', 'OpenBadgeCredential'],
      credentialSubject: { achievement: { name: 'Analytical Engines' } },
    })
    const result = await independentlyVerify(journey.credential)
    expect(result.error).toBeUndefined()
    expect(result.verified).toBe(true)
  })

  it('verifies publicly by code; after an administrator revokes it, every verifier says revoked', async () => {
    const verifyUrl = new URL(journey.certificate.verificationUrl)
    const publicCheck = () =>
      t.app.inject({ method: 'GET', url: verifyUrl.pathname, headers: { host: verifyUrl.host } })
    const before = await publicCheck()
    expect(before.statusCode).toBe(200)
    expect(before.json()).toMatchObject({
      valid: true,
      status: 'active',
      recipientName: 'Ada Lovelace',
      courseTitle: 'Analytical Engines',
      issuer: { name: 'Harbour Academy' },
    })

    const revoked = await call('POST', `/v1/certificates/${journey.certificate.id}/revoke`, journey.admin, {
      payload: { reason: 'Issued in error' },
    })
    expect(revoked.statusCode).toBe(200)
    expect(revoked.json()).toMatchObject({ status: 'revoked', revocationReason: 'Issued in error' })

    expect((await publicCheck()).json()).toMatchObject({
      valid: false,
      status: 'revoked',
      revokedAt: expect.any(String),
    })
    const result = await independentlyVerify(journey.credential)
    expect(result.verified).toBe(false)
    expect(result.statusResult?.verified).toBe(false)
  })
})
