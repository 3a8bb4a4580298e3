/**
 * Calendars and reminders: ICS parsed with ical.js (summary, UTC instants that are the organiser's
 * wall time across a DST change, stable UID, SEQUENCE, STATUS:CANCELLED), feed tokens for calendar
 * apps (anonymous on the tenant host, 404 once revoked or once the owner is banned), and reminder
 * jobs scheduled with startAfter that publish nothing for a cancelled or rescheduled event; a
 * cancellation notifies those going through the notification center.
 */
import { sql } from 'drizzle-orm'
import ICAL from 'ical.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../../platform/db/database.ts'
import { dispatchPendingEvents } from '../../progress/testing.ts'
import { buildCommunity, communityClient, domainEventTypes, type CommunityFixture } from '../testing.ts'
import { wallTime } from './event-time.ts'
import { sendReminders, SEND_EVENT_REMINDERS, type ReminderJob } from './reminders.ts'

let t: TestApp
let client: ReturnType<typeof communityClient>
beforeAll(async () => {
  t = await buildTestApp()
  client = communityClient(t)
})
afterAll(async () => t?.close())

function parseEvents(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text) as unknown[])
  return calendar.getAllSubcomponents('vevent').map((vevent) => {
    const event = new ICAL.Event(vevent)
    return {
      uid: event.uid,
      summary: event.summary,
      sequence: event.sequence,
      status: vevent.getFirstPropertyValue('status'),
      start: event.startDate,
      end: event.endDate,
    }
  })
}

const createEvent = async (c: CommunityFixture, body: Record<string, unknown>) => {
  const created = await client.call('POST', `/v1/communities/${c.communityId}/events`, c.owner.token, {
    timeZone: 'Europe/Berlin',
    ...body,
  })
  expect(created.statusCode, created.body).toBe(201)
  return created.json() as { id: string; startsAtLocal: string }
}

describe('ICS', () => {
  it('writes each event with a stable UID, UTC instants matching the organiser zone across DST, SEQUENCE and STATUS', async () => {
    const c = await buildCommunity(t, { visibility: 'public' })
    // 10:00 in Berlin the day before the October 2030 DST change (CEST, +02:00) and the day after (CET, +01:00).
    const before = await createEvent(c, {
      title: 'Before the change',
      startsAt: '2030-10-26T08:00:00Z',
      endsAt: '2030-10-26T09:30:00Z',
    })
    const after = await createEvent(c, {
      title: 'After the change',
      startsAt: '2030-10-28T09:00:00Z',
      endsAt: '2030-10-28T10:30:00Z',
    })
    expect(before.startsAtLocal).toBe('2030-10-26T10:00:00+02:00')
    expect(after.startsAtLocal).toBe('2030-10-28T10:00:00+01:00')
    const tokyo = await createEvent(c, {
      title: 'Tokyo',
      timeZone: 'Asia/Tokyo',
      startsAt: '2030-10-27T01:00:00Z',
      endsAt: '2030-10-27T02:00:00Z',
    })
    expect(tokyo.startsAtLocal).toBe('2030-10-27T10:00:00+09:00')

    const one = await client.call(
      'GET',
      `/v1/communities/${c.communityId}/events/${after.id}/calendar.ics`,
      c.owner.token,
    )
    expect(one.statusCode).toBe(200)
    expect(one.headers['content-type']).toBe('text/calendar; charset=utf-8')
    const [single] = parseEvents(one.body)
    expect(single).toMatchObject({ uid: `${after.id}@lyceum`, summary: 'After the change', sequence: 0 })
    expect(single!.start.zone?.tzid).toBe('UTC')
    expect(wallTime(single!.start.toJSDate(), 'Europe/Berlin')).toBe('2030-10-28T10:00:00+01:00')
    expect(wallTime(single!.end.toJSDate(), 'Europe/Berlin')).toBe('2030-10-28T11:30:00+01:00')

    // An edit bumps SEQUENCE (UID unchanged); a cancellation shows as STATUS:CANCELLED.
    const moved = await client.call('PATCH', `/v1/communities/${c.communityId}/events/${before.id}`, c.owner.token, {
      title: 'Before the change (moved)',
    })
    expect(moved.statusCode).toBe(200)
    expect(
      (await client.call('DELETE', `/v1/communities/${c.communityId}/events/${tokyo.id}`, c.owner.token)).statusCode,
    ).toBe(204)
    const feed = await client.call('GET', `/v1/communities/${c.communityId}/calendar.ics`, c.owner.token)
    const events = parseEvents(feed.body)
    expect(events.map((e) => e.summary)).toEqual(['Before the change (moved)', 'Tokyo', 'After the change'])
    expect(events[0]).toMatchObject({ uid: `${before.id}@lyceum`, sequence: 1, status: 'CONFIRMED' })
    expect(wallTime(events[0]!.start.toJSDate(), 'Europe/Berlin')).toBe('2030-10-26T10:00:00+02:00')
    expect(events[1]).toMatchObject({ uid: `${tokyo.id}@lyceum`, sequence: 1, status: 'CANCELLED' })
    expect(wallTime(events[1]!.start.toJSDate(), 'Asia/Tokyo')).toBe('2030-10-27T10:00:00+09:00')
  })

  it('serves a feed by token without sign-in, 404 once revoked, for a banned owner, or on another tenant', async () => {
    const tenant = await t.createTenant()
    const c = await buildCommunity(t, { visibility: 'private' }, tenant.id)
    await createEvent(c, { title: 'Members meet-up', startsAt: '2030-05-01T17:00:00Z', endsAt: '2030-05-01T19:00:00Z' })
    const member = await c.member()
    expect((await client.add(c.communityId, member.userId, c.owner.token)).statusCode).toBe(201)
    const issued = await client.call('POST', `/v1/communities/${c.communityId}/calendar-feed`, member.token)
    expect(issued.statusCode, issued.body).toBe(201)
    const { url } = issued.json() as { url: string }
    const host = { host: `${tenant.slug}.localhost` }
    const read = (path: string, headers = host) => t.app.inject({ method: 'GET', url: path, headers })
    const feed = await read(url)
    expect(feed.statusCode, feed.body).toBe(200)
    expect(feed.headers['content-type']).toBe('text/calendar; charset=utf-8')
    expect(parseEvents(feed.body).map((e) => e.summary)).toEqual(['Members meet-up'])
    // Another tenant's host does not know the token.
    const other = await t.createTenant()
    expect((await read(url, { host: `${other.slug}.localhost` })).statusCode).toBe(404)
    // Issuing again revokes the old URL; revoking ends the new one.
    const again = (await client.call('POST', `/v1/communities/${c.communityId}/calendar-feed`, member.token)).json()
    expect((await read(url)).statusCode).toBe(404)
    expect((await read(again.url)).statusCode).toBe(200)
    expect(
      (await client.call('DELETE', `/v1/communities/${c.communityId}/calendar-feed`, member.token)).statusCode,
    ).toBe(204)
    const revoked = await read(again.url)
    expect([revoked.statusCode, revoked.json().code]).toEqual([404, 'CALENDAR_FEED_NOT_FOUND'])
    // A banned member's feed stops at once.
    const third = (await client.call('POST', `/v1/communities/${c.communityId}/calendar-feed`, member.token)).json()
    expect((await client.ban(c.communityId, member.userId, c.owner.token)).statusCode).toBe(200)
    expect((await read(third.url)).statusCode).toBe(404)
    // An outsider of the private community sees neither its events nor its calendar.
    const outsider = await c.member()
    expect((await client.call('GET', `/v1/communities/${c.communityId}/calendar.ics`, outsider.token)).statusCode).toBe(
      404,
    )
  })

  it('stops a feed once its owner’s account is disabled, though the membership stays', async () => {
    const tenant = await t.createTenant()
    const c = await buildCommunity(t, { visibility: 'public' }, tenant.id)
    const member = await c.member()
    expect((await client.add(c.communityId, member.userId, c.owner.token)).statusCode).toBe(201)
    const issued = await client.call('POST', `/v1/communities/${c.communityId}/calendar-feed`, member.token)
    const { url } = issued.json() as { url: string }
    const read = () => t.app.inject({ method: 'GET', url, headers: { host: `${tenant.slug}.localhost` } })
    expect((await read()).statusCode).toBe(200)
    const admin = await c.member(['tenant_admin'])
    const disabled = await client.call('PUT', `/v1/members/${member.userId}/status`, admin.token, {
      status: 'disabled',
    })
    expect(disabled.statusCode, disabled.body).toBe(200)
    const refused = await read()
    expect([refused.statusCode, refused.json().code]).toEqual([404, 'CALENDAR_FEED_NOT_FOUND'])
  })
})

describe('reminders', () => {
  const reminderJobs = (eventId: string) =>
    t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ data: ReminderJob; startAfter: Date }>(
        tx,
        sql`SELECT data, start_after AS "startAfter" FROM pgboss.job WHERE name = ${SEND_EVENT_REMINDERS}
            AND data->>'eventId' = ${eventId} ORDER BY start_after`,
      ),
    )
  const reminders = async (tenantId: string) =>
    (await domainEventTypes(t, tenantId)).filter((e) => e.type === 'community.event_reminder_due')

  it('schedules 24 h and 1 h reminders, sends them once to those going, and nothing stale or cancelled', async () => {
    const c = await buildCommunity(t, { visibility: 'public' })
    const start = new Date(Date.now() + 3 * 86400_000)
    start.setUTCMilliseconds(0)
    const event = await createEvent(c, {
      title: 'Reminded',
      startsAt: start.toISOString(),
      endsAt: new Date(start.getTime() + 3600_000).toISOString(),
    })
    const going = await c.member()
    expect((await client.join(c.communityId, going.token)).statusCode).toBe(201)
    const answered = await client.call('PUT', `/v1/communities/${c.communityId}/events/${event.id}/rsvp`, going.token, {
      response: 'going',
    })
    expect(answered.json().state).toBe('going')
    const jobs = await reminderJobs(event.id)
    expect(jobs.map((j) => [j.data.due, new Date(j.startAfter).getTime()])).toEqual([
      ['24h', start.getTime() - 86400_000],
      ['1h', start.getTime() - 3600_000],
    ])
    const deps = [t.platform.database, t.platform.events] as const
    expect(await sendReminders(...deps, jobs[0]!.data)).toBe(1)
    expect(await sendReminders(...deps, jobs[0]!.data)).toBe(0) // redelivered: sent already
    expect((await reminders(c.tenantId)).map((e) => e.payload)).toEqual([
      expect.objectContaining({ userId: going.userId, due: '24h', eventId: event.id }),
    ])

    // Rescheduled: the old start's jobs are stale; the new start gets its own.
    const later = new Date(start.getTime() + 86400_000)
    const moved = await client.call('PATCH', `/v1/communities/${c.communityId}/events/${event.id}`, c.owner.token, {
      startsAt: later.toISOString(),
      endsAt: new Date(later.getTime() + 3600_000).toISOString(),
    })
    expect(moved.statusCode, moved.body).toBe(200)
    expect(await sendReminders(...deps, jobs[1]!.data)).toBe(0)
    const rescheduled = (await reminderJobs(event.id)).filter((j) => j.data.startsAt === later.toISOString())
    expect(rescheduled.map((j) => j.data.due)).toEqual(['24h', '1h'])

    // Cancelled: nothing is sent.
    expect(
      (await client.call('DELETE', `/v1/communities/${c.communityId}/events/${event.id}`, c.owner.token)).statusCode,
    ).toBe(204)
    for (const job of rescheduled) expect(await sendReminders(...deps, job.data)).toBe(0)
    expect(await reminders(c.tenantId)).toHaveLength(1)
  })
})

describe('cancellation', () => {
  it('notifies each member going (not the organiser who cancelled, nor those not going), once', async () => {
    const c = await buildCommunity(t, { visibility: 'public' })
    const start = new Date(Date.now() + 5 * 86400_000)
    const event = await createEvent(c, {
      title: 'Picnic',
      startsAt: start.toISOString(),
      endsAt: new Date(start.getTime() + 3600_000).toISOString(),
    })
    const rsvp = (token: string, response: 'going' | 'not_going') =>
      client.call('PUT', `/v1/communities/${c.communityId}/events/${event.id}/rsvp`, token, { response })
    const going = await c.member()
    const declined = await c.member()
    for (const m of [going, declined]) expect((await client.join(c.communityId, m.token)).statusCode).toBe(201)
    expect((await rsvp(going.token, 'going')).statusCode).toBe(200)
    expect((await rsvp(declined.token, 'not_going')).statusCode).toBe(200)
    expect((await rsvp(c.owner.token, 'going')).statusCode).toBe(200)
    expect(
      (await client.call('DELETE', `/v1/communities/${c.communityId}/events/${event.id}`, c.owner.token)).statusCode,
    ).toBe(204)
    expect(await dispatchPendingEvents(t, c.tenantId)).toContain('community.event_cancelled')
    // Redelivered (its delivery record gone, as after a crash before commit): nobody hears twice.
    await t.platform.database.transaction(platformScope, (tx) =>
      tx.execute(
        sql`DELETE FROM platform.event_deliveries WHERE subscriber = 'notifications.community_event_cancelled' AND tenant_id = ${c.tenantId}`,
      ),
    )
    const [row] = await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ id: string }>(
        tx,
        sql`SELECT id FROM platform.domain_events WHERE tenant_id = ${c.tenantId} AND type = 'community.event_cancelled'`,
      ),
    )
    await t.platform.events.dispatch({ eventId: row!.id, tenantId: c.tenantId })

    const items = await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ user_id: string; title: string }>(
        tx,
        sql`SELECT user_id, title FROM notifications.inbox_items WHERE tenant_id = ${c.tenantId} AND type = 'community.event_cancelled'`,
      ),
    )
    expect(items).toEqual([{ user_id: going.userId, title: '“Picnic” was cancelled' }])
    const mails = await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ to_address: string }>(
        tx,
        sql`SELECT to_address FROM platform.mail_messages WHERE tenant_id = ${c.tenantId} AND subject = 'Cancelled: Picnic'`,
      ),
    )
    expect(mails).toEqual([{ to_address: going.email }])
  })
})
