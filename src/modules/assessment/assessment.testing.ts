/**
 * Helpers for the assessment tests: a published course with quiz and assignment lessons taught
 * by its owner, learners enrolled through the enrolment API, and authenticated HTTP calls.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import type { TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf, tenantScope } from '../../platform/db/database.ts'
import { publishCourse } from '../catalogue/index.ts'
import { buildPublishedCourse, type CourseInput } from '../catalogue/testing.ts'

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'

/** An authenticated HTTP call (the payload as JSON, extra headers such as If-Match). */
function caller(t: TestApp) {
  return (method: Method, url: string, token: string, payload?: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({
      method,
      url,
      headers: { ...t.auth(token), ...headers },
      ...(payload === undefined ? {} : { payload: payload as object }),
    })
}

export interface Classroom {
  tenant: { id: string; slug: string }
  courseId: string
  /** Lesson ids per module, in order. */
  lessonIds: string[][]
  ownerId: string
  owner: string
  call: ReturnType<typeof caller>
  /** A learner enrolled in the course (self-enrolment over HTTP): their id and token. */
  learner(userId?: string): Promise<{ userId: string; token: string }>
  /** Adds a question over HTTP and returns its id. */
  question(body: Record<string, unknown>): Promise<string>
  /** Publishes the draft again, so learners get the quiz and assignment settings configured since. */
  publish(): Promise<void>
}

export async function classroom(
  t: TestApp,
  input: CourseInput = { modules: [{ lessons: [{ kind: 'quiz' }, { kind: 'assignment' }] }] },
  tenant?: { id: string; slug: string },
): Promise<Classroom> {
  const site = tenant ?? (await t.createTenant())
  const ownerId = randomUUID()
  const built = await buildPublishedCourse(t.platform.database, site.id, ownerId, input)
  const owner = await t.tokenFor(site.id, ['instructor'], ownerId)
  const call = caller(t)
  return {
    tenant: site,
    courseId: built.courseId,
    lessonIds: built.lessonIds,
    ownerId,
    owner,
    call,
    async learner(userId = randomUUID()) {
      const token = await t.tokenFor(site.id, ['learner'], userId)
      const enrolled = await call('POST', `/v1/courses/${built.courseId}/enrolments/self`, token)
      if (enrolled.statusCode !== 201) throw new Error(`enrolment failed: ${enrolled.statusCode} ${enrolled.body}`)
      return { userId, token }
    },
    async publish() {
      await t.platform.database.transaction(tenantScope(site.id), (tx) => publishCourse(tx, built.courseId, ownerId))
    },
    async question(body) {
      const created = await call('POST', `/v1/courses/${built.courseId}/questions`, owner, body)
      if (created.statusCode !== 201) throw new Error(`question failed: ${created.statusCode} ${created.body}`)
      return created.json().id as string
    },
  }
}

/**
 * A member who registered and verified their address over the identity API (so they have an
 * active account with an email): their id. The verification link is read from the captured outbox.
 */
export async function verifiedMember(
  t: TestApp,
  tenant: { id: string; slug: string },
  displayName: string,
): Promise<{ userId: string; email: string }> {
  const email = `learner.${Math.random().toString(36).slice(2, 10)}@example.org`
  const host = { host: `${tenant.slug}.localhost` }
  const registered = await t.app.inject({
    method: 'POST',
    url: '/v1/auth/register',
    headers: host,
    payload: { email, password: 'violet-harbour-7-lantern', displayName },
  })
  if (registered.statusCode !== 202) throw new Error(`register failed: ${registered.statusCode} ${registered.body}`)
  const mails = (
    await t.app.inject({
      method: 'GET',
      url: `/v1/ops/mail?limit=10&to=${encodeURIComponent(email)}`,
      headers: t.auth(t.operatorToken),
    })
  ).json().data as Array<{ text: string }>
  const token = mails.map((m) => /verify-email\?token=([A-Za-z0-9_-]+)/.exec(m.text)?.[1]).find(Boolean)
  if (!token) throw new Error(`no verification email to ${email}`)
  const verified = await t.app.inject({
    method: 'POST',
    url: '/v1/auth/verify-email',
    headers: host,
    payload: { token },
  })
  if (verified.statusCode !== 200) throw new Error(`verify failed: ${verified.statusCode} ${verified.body}`)
  const [user] = await t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ id: string }>(tx, sql`SELECT id FROM identity.users WHERE tenant_id = ${tenant.id} AND email = ${email}`),
  )
  if (!user) throw new Error('registered user not found')
  return { userId: user.id, email }
}

/** Mail of the captured outbox sent to `to` (operator mail API). */
export async function outbox(t: TestApp, to: string): Promise<Array<{ subject: string; text: string }>> {
  const response = await t.app.inject({
    method: 'GET',
    url: `/v1/ops/mail?limit=100&to=${encodeURIComponent(to)}`,
    headers: t.auth(t.operatorToken),
  })
  return response.json().data
}

/**
 * Ends a learner's access to the classroom's course the two ways it ends: a tenant administrator
 * cancels the enrolment over HTTP, or its access period runs out. Returns the enrolment id.
 */
export async function endAccess(
  t: TestApp,
  c: Classroom,
  learner: { token: string },
  how: 'cancelled' | 'expired',
): Promise<string> {
  const mine = (await c.call('GET', '/v1/me/enrolments', learner.token)).json().data as Array<{
    id: string
    courseId: string
  }>
  const enrolmentId = mine.find((e) => e.courseId === c.courseId)?.id
  if (!enrolmentId) throw new Error('the learner is not enrolled in the classroom course')
  if (how === 'cancelled') {
    const cancelled = await c.call(
      'DELETE',
      `/v1/enrolments/${enrolmentId}`,
      await t.tokenFor(c.tenant.id, ['tenant_admin']),
    )
    if (cancelled.statusCode !== 204) throw new Error(`cancel failed: ${cancelled.statusCode} ${cancelled.body}`)
  } else {
    // What the expiry job finds: an access period that has ended (the entitlement service reads expiresAt itself).
    await t.platform.database.transaction(tenantScope(c.tenant.id), (tx) =>
      rowsOf(
        tx,
        sql`UPDATE enrolment.enrolments SET expires_at = now() - interval '1 second' WHERE id = ${enrolmentId} RETURNING id`,
      ),
    )
  }
  return enrolmentId
}

/** What the progress module recorded as completed under an enrolment: its lessons, and whether the course is. */
export async function completionsOf(
  t: TestApp,
  enrolmentId: string,
): Promise<{ lessonIds: string[]; courseCompleted: boolean }> {
  return t.platform.database.transaction(platformScope, async (tx) => {
    const lessons = await rowsOf<{ lesson_id: string }>(
      tx,
      sql`SELECT lesson_id FROM progress.lesson_progress WHERE enrolment_id = ${enrolmentId} AND completed_at IS NOT NULL`,
    )
    const [course] = await rowsOf<{ completed: boolean }>(
      tx,
      sql`SELECT completed_at IS NOT NULL AS completed FROM progress.course_progress WHERE enrolment_id = ${enrolmentId}`,
    )
    return { lessonIds: lessons.map((l) => l.lesson_id), courseCompleted: course?.completed ?? false }
  })
}

/** A cursor as a client can forge one: base64url of any JSON (src/platform/http/pagination.ts). */
export const forgedCursor = (position: unknown) => Buffer.from(JSON.stringify(position)).toString('base64url')

/** Forged [instant, id] cursors: each part wrong in turn, including values PostgreSQL would fail to cast. */
export function forgedInstantCursors(): string[] {
  const id = randomUUID()
  const at = '2024-01-01T00:00:00.000Z'
  return [
    forgedCursor([at, 'not-a-uuid']),
    forgedCursor([at, `${id}'`]),
    forgedCursor([at, 42]),
    forgedCursor(['not-a-date', id]),
    forgedCursor([0, id]),
    forgedCursor(['2024-02-30T00:00:00.000Z', id]),
    forgedCursor(['0000-01-01T00:00:00.000Z', id]),
    forgedCursor(['+275760-09-13T00:00:00.000Z', id]),
    forgedCursor(['2024-01-01', id]),
    forgedCursor([at]),
    forgedCursor({ at, id }),
    'not-base64-json',
  ]
}

export const choice = (correct: string, extra: Record<string, unknown> = {}) => ({
  kind: 'single_choice',
  prompt: 'Pick one',
  options: [
    { id: 'a', text: 'A' },
    { id: 'b', text: 'B' },
    { id: 'c', text: 'C' },
  ],
  answerKey: { optionIds: [correct] },
  explanation: 'Because the key says so',
  ...extra,
})
