/**
 * Helpers for the assessment tests: a published course with quiz and assignment lessons taught
 * by its owner, learners enrolled through the enrolment API, and authenticated HTTP calls.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import type { TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../platform/db/database.ts'
import { buildPublishedCourse, type CourseInput } from '../catalogue/testing.ts'

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'

/** An authenticated HTTP call (the payload as JSON, extra headers such as If-Match). */
function caller(t: TestApp) {
  return (method: Method, url: string, token: string, payload?: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method, url, headers: { ...t.auth(token), ...headers }, ...(payload === undefined ? {} : { payload: payload as object }) })
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
}

export async function classroom(t: TestApp, input: CourseInput = { modules: [{ lessons: [{ kind: 'quiz' }, { kind: 'assignment' }] }] }, tenant?: { id: string; slug: string }): Promise<Classroom> {
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
export async function verifiedMember(t: TestApp, tenant: { id: string; slug: string }, displayName: string): Promise<{ userId: string; email: string }> {
  const email = `learner.${Math.random().toString(36).slice(2, 10)}@example.org`
  const host = { host: `${tenant.slug}.localhost` }
  const registered = await t.app.inject({ method: 'POST', url: '/v1/auth/register', headers: host, payload: { email, password: 'violet-harbour-7-lantern', displayName } })
  if (registered.statusCode !== 202) throw new Error(`register failed: ${registered.statusCode} ${registered.body}`)
  const mails = (await t.app.inject({ method: 'GET', url: `/v1/ops/mail?limit=10&to=${encodeURIComponent(email)}`, headers: t.auth(t.operatorToken) })).json().data as Array<{ text: string }>
  const token = mails.map((m) => /verify-email\?token=([A-Za-z0-9_-]+)/.exec(m.text)?.[1]).find(Boolean)
  if (!token) throw new Error(`no verification email to ${email}`)
  const verified = await t.app.inject({ method: 'POST', url: '/v1/auth/verify-email', headers: host, payload: { token } })
  if (verified.statusCode !== 200) throw new Error(`verify failed: ${verified.statusCode} ${verified.body}`)
  const [user] = await t.platform.database.transaction(platformScope, (tx) => rowsOf<{ id: string }>(tx, sql`SELECT id FROM identity.users WHERE tenant_id = ${tenant.id} AND email = ${email}`))
  if (!user) throw new Error('registered user not found')
  return { userId: user.id, email }
}

/** Mail of the captured outbox sent to `to` (operator mail API). */
export async function outbox(t: TestApp, to: string): Promise<Array<{ subject: string; text: string }>> {
  const response = await t.app.inject({ method: 'GET', url: `/v1/ops/mail?limit=100&to=${encodeURIComponent(to)}`, headers: t.auth(t.operatorToken) })
  return response.json().data
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
