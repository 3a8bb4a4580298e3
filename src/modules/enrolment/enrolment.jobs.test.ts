/** The enrolment module's background work, run by a real worker: the welcome notification and the expiry job. */
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf, tenantScope } from '../../platform/db/database.ts'
import { waitUntil } from '../../platform/jobs/testing.ts'
import { buildPublishedCourse } from '../catalogue/testing.ts'
import { ENROLMENT_EXPIRED, EXPIRE_ENROLMENTS } from './index.ts'
import { createMember, enrolmentClient } from './testing.ts'

let t: TestApp
let client: ReturnType<typeof enrolmentClient>
beforeAll(async () => {
  t = await buildTestApp({ worker: true })
  client = enrolmentClient(t)
})
afterAll(async () => t?.close())

const DAY = 86_400_000
/** The English subjects of enrolment.enrolled and enrolment.expired (notifications' templates). */
const EXPIRY_SUBJECT = 'Your course access has ended'
const welcomeSubject = (title: string) => `Welcome to “${title}”`

interface OutboxMail {
  to: string
  subject: string
  messageKey: string
  text: string
}

/** Mail captured in the outbox for `to`, read over the operator mail API. */
async function mailsTo(to: string, subject: string): Promise<OutboxMail[]> {
  const response = await t.app.inject({
    method: 'GET',
    url: `/v1/ops/mail?limit=100&to=${encodeURIComponent(to)}`,
    headers: t.auth(t.operatorToken),
  })
  if (response.statusCode !== 200) throw new Error(`mail list failed: ${response.statusCode} ${response.body}`)
  return (response.json() as { data: OutboxMail[] }).data.filter((m) => m.subject === subject)
}

const enrolmentRow = (tenantId: string, id: string) =>
  t.platform.database
    .transaction(tenantScope(tenantId), (tx) =>
      rowsOf<{ status: string; ended: boolean }>(
        tx,
        sql`SELECT status, ended_at IS NOT NULL AS ended FROM enrolment.enrolments WHERE id = ${id}`,
      ),
    )
    .then((rows) => rows[0])

describe('enrolment confirmation', () => {
  it('is mailed by the subscriber of enrolment.enrolled, once per enrolment', async () => {
    const tenant = await t.createTenant()
    const owner = await createMember(t, tenant.id, ['instructor'])
    const { courseId } = await buildPublishedCourse(t.platform.database, tenant.id, owner.userId, {
      title: 'Stoic Philosophy',
      accessDays: 90,
    })
    const learner = await createMember(t, tenant.id)
    const enrolled = await client.selfEnrol(courseId, learner.token)
    expect(enrolled.statusCode).toBe(201)

    const [mail] = await waitUntil('the confirmation email', async () => {
      const mails = await mailsTo(learner.email, welcomeSubject('Stoic Philosophy'))
      return mails.length > 0 && mails
    })
    expect(mail?.text).toContain('You are now enrolled in “Stoic Philosophy”')
    expect(mail?.text).toContain(`Your access lasts until ${enrolled.json().expiresAt.slice(0, 10)}`)
    // Sent by the notification center (its message key), with an inbox item beside it.
    expect(mail?.messageKey).toMatch(/^notifications\.email:/)
    const inbox = await t.app.inject({
      method: 'GET',
      url: '/v1/me/notifications',
      headers: { ...t.auth(learner.token), host: `${tenant.slug}.localhost` },
    })
    expect(inbox.json().data).toMatchObject([
      { type: 'enrolment.enrolled', title: 'You are enrolled in “Stoic Philosophy”' },
    ])
    // Enrolling again changes nothing, so nothing more is sent.
    expect((await client.selfEnrol(courseId, learner.token)).statusCode).toBe(200)
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(await mailsTo(learner.email, welcomeSubject('Stoic Philosophy'))).toHaveLength(1)
  })
})

describe('the expiry job', () => {
  it('marks due enrolments expired, publishes enrolment.expired, mails a notice and keeps the cohort seat', async () => {
    const tenant = await t.createTenant()
    const owner = await createMember(t, tenant.id, ['instructor'])
    const admin = await createMember(t, tenant.id, ['tenant_admin'])
    const { courseId } = await buildPublishedCourse(t.platform.database, tenant.id, owner.userId, {
      title: 'Cohort of Spring',
      delivery: 'cohort',
      capacity: 10,
      cohortStartsAt: new Date(Date.now() + DAY),
      cohortEndsAt: new Date(Date.now() + 30 * DAY),
    })
    const due = await createMember(t, tenant.id)
    const notDue = await createMember(t, tenant.id)
    const inAWeek = new Date(Date.now() + 7 * DAY).toISOString()
    const dueEnrolment = (await client.enrol(courseId, admin.token, { userId: due.userId, expiresAt: inAWeek })).json()
    const otherEnrolment = (
      await client.enrol(courseId, admin.token, { userId: notDue.userId, expiresAt: inAWeek })
    ).json()
    // A week passes for the first one only.
    await t.platform.database.transaction(tenantScope(tenant.id), (tx) =>
      tx.execute(
        sql`UPDATE enrolment.enrolments SET expires_at = now() - interval '1 minute' WHERE id = ${dueEnrolment.id}`,
      ),
    )

    await t.platform.jobs.send(undefined, EXPIRE_ENROLMENTS, {})
    const expired = await waitUntil('the enrolment to expire', async () => {
      const row = await enrolmentRow(tenant.id, dueEnrolment.id)
      return row?.status === 'expired' && row
    })
    expect(expired.ended).toBe(true)
    expect((await enrolmentRow(tenant.id, otherEnrolment.id))?.status).toBe('active')

    const [notice] = await waitUntil('the expiry notice', async () => {
      const mails = await mailsTo(due.email, EXPIRY_SUBJECT)
      return mails.length > 0 && mails
    })
    expect(notice?.text).toContain('Your access to “Cohort of Spring” ended on')
    expect(await mailsTo(notDue.email, EXPIRY_SUBJECT)).toEqual([])

    const events = await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ payload: Record<string, unknown> }>(
        tx,
        sql`SELECT payload FROM platform.domain_events WHERE type = ${ENROLMENT_EXPIRED} AND tenant_id = ${tenant.id}`,
      ),
    )
    expect(events.map((e) => e.payload)).toEqual([
      { enrolmentId: dueEnrolment.id, userId: due.userId, courseId, expiresAt: expect.any(String) },
    ])
    const [seats] = await t.platform.database.transaction(tenantScope(tenant.id), (tx) =>
      rowsOf<{ taken: number }>(tx, sql`SELECT taken FROM enrolment.seat_counters WHERE course_id = ${courseId}`),
    )
    expect(seats?.taken).toBe(2)

    // The learner now reads "expired"; a second run finds nothing more to do.
    const read = await client.readLesson(courseId, (await firstLesson(tenant.id, courseId))!, due.token)
    expect(read.json()).toMatchObject({ code: 'LESSON_LOCKED', reason: 'expired' })
    await t.platform.jobs.send(undefined, EXPIRE_ENROLMENTS, {})
    await new Promise((resolve) => setTimeout(resolve, 2500))
    expect(await mailsTo(due.email, EXPIRY_SUBJECT)).toHaveLength(1)
  })
})

async function firstLesson(tenantId: string, courseId: string): Promise<string | undefined> {
  const rows = await t.platform.database.transaction(tenantScope(tenantId), (tx) =>
    rowsOf<{ id: string }>(
      tx,
      sql`SELECT id FROM catalogue.lessons WHERE course_id = ${courseId} ORDER BY position LIMIT 1`,
    ),
  )
  return rows[0]?.id
}
