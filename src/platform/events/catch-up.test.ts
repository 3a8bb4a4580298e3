/**
 * Catch-up delivery (ADR 0002): a subscriber added by a newer release receives the events an
 * older worker dispatched before it existed, once, within the look-back window only.
 */
import { randomUUID } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf, tenantScope } from '../db/database.ts'
import { systemContext } from '../http/request-context.ts'
import { jobsMatching, waitUntil } from '../jobs/testing.ts'
import { domainEvents } from './events.tables.ts'
import { EVENTS_CATCH_UP_QUEUE, type DomainEvent } from './events.ts'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp({ worker: true, env: { EVENTS_CATCH_UP_DAYS: '7' } })
})
afterAll(async () => t?.close())

const freshType = () => `testing.caught_${randomUUID().slice(0, 8)}_up`

function counter() {
  const calls: DomainEvent[] = []
  return { calls, handler: async (event: DomainEvent) => void calls.push(event) }
}

const deliveriesOf = (id: string) =>
  t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ subscriber: string }>(
      tx,
      sql`SELECT subscriber FROM platform.event_deliveries WHERE event_id = ${id} ORDER BY subscriber`,
    ),
  )

/** Publishes an event the way a request does and waits until its dispatch marked it dispatched. */
async function publishedAndDispatched(type: string): Promise<string> {
  const tenant = await t.createTenant()
  const ctx = systemContext(t.platform.database, tenant.id)
  const eventId = await t.platform.database.transaction(tenantScope(tenant.id), (tx) =>
    t.platform.events.publish(tx, ctx, { type, payload: { n: 1 } }),
  )
  await waitUntil('the event to be dispatched', async () => {
    const [row] = await t.platform.database.transaction(platformScope, (tx) =>
      tx.select().from(domainEvents).where(eq(domainEvents.id, eventId)),
    )
    return row?.dispatchedAt ?? undefined
  })
  return eventId
}

/** An event as an older worker left it: recorded `daysAgo` days ago and marked dispatched (or not). */
async function pastEvent(type: string, daysAgo: number, dispatched = true): Promise<string> {
  const tenant = await t.createTenant()
  const [row] = await t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ id: string }>(
      tx,
      sql`INSERT INTO platform.domain_events (tenant_id, type, payload, occurred_at, dispatched_at)
          VALUES (${tenant.id}, ${type}, '{}'::jsonb, now() - make_interval(days => ${daysAgo}::int),
                  ${dispatched ? sql`now() - make_interval(days => ${daysAgo}::int)` : sql`NULL`})
          RETURNING id`,
    ),
  )
  if (!row) throw new Error('no event inserted')
  return row.id
}

describe('events catch-up', () => {
  it('delivers a past event to a subscriber added later exactly once, and never again to the one that had it', async () => {
    const type = freshType()
    const a = counter()
    t.platform.events.subscribe(type, 'testing.subscriber_a', a.handler)
    const eventId = await publishedAndDispatched(type)
    expect(a.calls.map((e) => e.id)).toEqual([eventId])

    // A newer release registers B after the event was dispatched without it.
    const b = counter()
    t.platform.events.subscribe(type, 'testing.subscriber_b', b.handler)
    await t.platform.events.catchUp()
    await t.platform.events.catchUp()

    expect(b.calls.map((e) => e.id)).toEqual([eventId])
    expect(b.calls[0]).toMatchObject({ type, payload: { n: 1 } })
    expect(a.calls).toHaveLength(1)
    expect((await deliveriesOf(eventId)).map((d) => d.subscriber)).toEqual([
      'testing.subscriber_a',
      'testing.subscriber_b',
    ])
  })

  it('runs as the events.catch_up job, which every worker also sends when it starts', async () => {
    expect(t.platform.jobs.queue(EVENTS_CATCH_UP_QUEUE)?.definition.schedule?.cron).toBeDefined()
    expect((await jobsMatching(t.platform.database, EVENTS_CATCH_UP_QUEUE, {})).length).toBeGreaterThan(0)

    const type = freshType()
    const eventId = await pastEvent(type, 1)
    const late = counter()
    t.platform.events.subscribe(type, 'testing.late_subscriber', late.handler)
    await t.platform.jobs.send(undefined, EVENTS_CATCH_UP_QUEUE, {})
    await waitUntil('the catch-up job to deliver the event', async () => late.calls.length > 0, 60_000)
    expect(late.calls.map((e) => e.id)).toEqual([eventId])
  })

  it('does not deliver events older than EVENTS_CATCH_UP_DAYS, nor events whose dispatch is still pending', async () => {
    const type = freshType()
    const recent = await pastEvent(type, 6)
    const tooOld = await pastEvent(type, 8)
    const undispatched = await pastEvent(type, 0, false)
    const d = counter()
    t.platform.events.subscribe(type, 'testing.subscriber_d', d.handler)
    await t.platform.events.catchUp()
    expect(d.calls.map((e) => e.id)).toEqual([recent])
    expect(await deliveriesOf(tooOld)).toEqual([])
    // Its own dispatch job (or its retry) delivers it; catch-up does not race a failing dispatch.
    expect(await deliveriesOf(undispatched)).toEqual([])
  })
})
