/**
 * Daily and weekly digests on the real database with a set clock: a member who chose a digest gets
 * the activity email collected (the inbox fills at once), and the digest job sends one mail with
 * the period's items, each once, from 07:00 in the member's own time zone; a retried run sends
 * nothing again; quiet hours hold it back until they end; an opt-out meanwhile drops the item.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../platform/db/database.ts'
import { digestPeriod } from './digests.ts'
import { deliveriesOf, inboxRowsOf, mailsTo, memberOf, notifyNow, type TestMember } from './testing.ts'

let t: TestApp
let clock = new Date('2026-12-08T10:00:00Z')
beforeAll(async () => {
  t = await buildTestApp({ notificationsClock: () => clock })
})
afterAll(async () => t?.close())

const putPrefs = (slug: string, m: TestMember, payload: Record<string, unknown>) =>
  t.app.inject({
    method: 'PUT',
    url: '/v1/me/notification-preferences',
    headers: { host: `${slug}.localhost`, ...t.auth(m.token) },
    payload,
  })
const mention = (tenantId: string, to: TestMember, authorName: string, eventId: string = randomUUID()) => ({
  tenantId,
  type: 'community.post_mentioned',
  eventId,
  recipient: { userId: to.userId },
  params: { authorName, communityId: randomUUID(), postId: randomUUID() },
})
const setTimeZone = (userId: string, zone: string) =>
  t.platform.database.transaction(platformScope, (tx) =>
    tx.execute(sql`UPDATE identity.users SET time_zone = ${zone} WHERE id = ${userId}`),
  )
const assemble = (at: string) => {
  clock = new Date(at)
  return t.modules.notifications.assembleDigests()
}
const headersOf = async (mailId: string) => {
  const [row] = await t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ headers: Record<string, string> }>(
      tx,
      sql`SELECT headers FROM platform.mail_messages WHERE id = ${mailId}`,
    ),
  )
  return row!.headers
}

async function digestMember(tenant: { id: string; slug: string }, frequency: 'daily' | 'weekly', locale?: string) {
  const member = await memberOf(t, tenant.id, locale ? { locale } : {})
  const set = await putPrefs(tenant.slug, member, {
    preferences: [{ type: 'community.post_mentioned', channel: 'email', frequency }],
  })
  expect(set.statusCode, set.body).toBe(200)
  const row = set.json().types.find((x: { type: string }) => x.type === 'community.post_mentioned')
  expect(row.channels.email).toEqual({ enabled: true, locked: false, frequency })
  return member
}

describe('digest periods', () => {
  it('start at 07:00 local on the day, or on the week’s Monday, in the member’s zone', () => {
    // Tuesday 2026-12-08 10:00 UTC.
    const now = new Date('2026-12-08T10:00:30Z')
    expect(digestPeriod(now, 'UTC', 'daily')).toEqual({ period: '2026-12-08', since: new Date('2026-12-08T07:00:00Z') })
    expect(digestPeriod(now, 'UTC', 'weekly')).toEqual({ period: '2026-W50', since: new Date('2026-12-07T07:00:00Z') })
    // 05:00 in New York: still the previous day's period.
    expect(digestPeriod(now, 'America/New_York', 'daily')).toEqual({
      period: '2026-12-07',
      since: new Date('2026-12-07T12:00:00Z'),
    })
    // Monday 06:00 in Berlin: still last week's.
    expect(digestPeriod(new Date('2026-12-14T05:00:00Z'), 'Europe/Berlin', 'weekly')).toEqual({
      period: '2026-W50',
      since: new Date('2026-12-07T06:00:00Z'),
    })
  })
})

describe('digests', () => {
  it('collects the day’s mentions and sends them once in one digest the next morning', async () => {
    clock = new Date('2026-12-08T10:00:00Z')
    const tenant = await t.createTenant()
    const member = await digestMember(tenant, 'daily')
    const first = mention(tenant.id, member, 'Grace')
    expect((await notifyNow(t, first))[0]).toEqual({ channel: 'email', outcome: 'digest' })
    expect((await notifyNow(t, first))[0]).toEqual({ channel: 'email', outcome: 'duplicate' })
    clock = new Date('2026-12-08T15:00:00Z')
    await notifyNow(t, mention(tenant.id, member, 'Alan'))
    expect(await inboxRowsOf(t, member.userId)).toHaveLength(2)
    expect(await mailsTo(t, member.email)).toHaveLength(0)

    // Later the same day: today's digest period began at 07:00, before these items: nothing yet.
    await assemble('2026-12-08T20:00:00Z')
    expect(await mailsTo(t, member.email)).toHaveLength(0)

    await assemble('2026-12-09T07:05:00Z')
    const mails = await mailsTo(t, member.email)
    expect(mails).toHaveLength(1)
    expect(mails[0]!.subject).toMatch(/^2 new notifications from .+ today$/)
    const body = mails[0]!.text_body
    expect(body.match(/Grace mentioned you in a post/g)).toHaveLength(1)
    expect(body.match(/Alan mentioned you in a post/g)).toHaveLength(1)
    expect(mails[0]!.message_key).toMatch(/^notifications\.digest:[0-9a-f-]{36}$/)
    const headers = await headersOf(mails[0]!.id)
    expect(headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click')
    expect(headers['List-Unsubscribe']).toMatch(/^<https?:\/\/[^>]+\/v1\/unsubscribe\?token=u1\.[^>]+>$/)
    expect(await deliveriesOf(t, first.eventId)).toContainEqual(
      expect.objectContaining({ channel: 'email', status: 'sent' }),
    )

    // A retried run, the same morning or later that day, sends nothing again.
    await assemble('2026-12-09T07:05:00Z')
    await assemble('2026-12-09T13:00:00Z')
    expect(await mailsTo(t, member.email)).toHaveLength(1)
  })

  it('sends at 07:00 in the member’s own zone, weekly on Mondays, in their language', async () => {
    clock = new Date('2026-12-08T10:00:00Z')
    const tenant = await t.createTenant()
    const tokyo = await digestMember(tenant, 'daily')
    await setTimeZone(tokyo.userId, 'Asia/Tokyo')
    const weekly = await digestMember(tenant, 'weekly', 'de')
    await notifyNow(t, mention(tenant.id, tokyo, 'Grace'))
    await notifyNow(t, mention(tenant.id, weekly, 'Grace'))
    // 2026-12-08 22:05 UTC is 07:05 on the 9th in Tokyo: the Tokyo member's digest goes.
    await assemble('2026-12-08T22:05:00Z')
    expect(await mailsTo(t, tokyo.email)).toHaveLength(1)
    // The weekly one waits for Monday 07:00 (UTC, the tenant's zone).
    await assemble('2026-12-13T23:00:00Z')
    expect(await mailsTo(t, weekly.email)).toHaveLength(0)
    await assemble('2026-12-14T07:15:00Z')
    const [mail] = await mailsTo(t, weekly.email)
    expect(mail!.subject).toMatch(/^Ihre Woche bei .+: 1 neue Benachrichtigung$/)
    expect(mail!.text_body).toContain('Grace hat Sie in einem Beitrag erwähnt')
  })

  it('waits for the end of quiet hours, and drops an item the member turned email off for meanwhile', async () => {
    clock = new Date('2026-12-08T10:00:00Z')
    const tenant = await t.createTenant()
    const member = await digestMember(tenant, 'daily')
    const quiet = await putPrefs(tenant.slug, member, { quietHours: { startsAt: '06:00', endsAt: '09:00' } })
    expect(quiet.statusCode).toBe(200)
    await notifyNow(t, mention(tenant.id, member, 'Grace'))
    await assemble('2026-12-09T07:05:00Z')
    expect(await mailsTo(t, member.email)).toHaveLength(0)
    await assemble('2026-12-09T09:00:00Z')
    expect(await mailsTo(t, member.email)).toHaveLength(1)

    clock = new Date('2026-12-09T10:00:00Z')
    const dropped = mention(tenant.id, member, 'Alan')
    await notifyNow(t, dropped)
    await putPrefs(tenant.slug, member, {
      preferences: [{ type: 'community.post_mentioned', channel: 'email', enabled: false }],
    })
    await assemble('2026-12-10T09:30:00Z')
    expect(await mailsTo(t, member.email)).toHaveLength(1)
    expect(await deliveriesOf(t, dropped.eventId)).toContainEqual(
      expect.objectContaining({ channel: 'email', status: 'skipped', reason: 'opted_out' }),
    )
  })

  it('refuses a digest for anything but an activity type’s email', async () => {
    const tenant = await t.createTenant()
    const member = await memberOf(t, tenant.id)
    for (const entry of [
      { type: 'community.post_mentioned', channel: 'inbox', frequency: 'daily' },
      { type: 'assessment.submission_graded', channel: 'email', frequency: 'weekly' },
    ]) {
      const response = await putPrefs(tenant.slug, member, { preferences: [entry] })
      expect(response.statusCode).toBe(400)
      expect(response.json()).toMatchObject({
        code: 'NOTIFICATION_FREQUENCY_NOT_ALLOWED',
        errors: [{ path: 'body.preferences/0/frequency' }],
      })
    }
    const neither = await putPrefs(tenant.slug, member, {
      preferences: [{ type: 'community.post_mentioned', channel: 'email' }],
    })
    expect(neither.statusCode).toBe(400)
  })
})
