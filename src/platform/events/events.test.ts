import { randomUUID } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf, tenantScope, type Tx } from '../db/database.ts'
import { systemContext } from '../http/request-context.ts'
import { jobsMatching, waitUntil } from '../jobs/testing.ts'
import { domainEvents } from './events.tables.ts'
import { EVENTS_DISPATCH_QUEUE, type DomainEvent } from './events.ts'

let t: TestApp

// Every test file has its own database (embedded snapshot or PostgreSQL copy), so this file's
// worker is the only one taking its dispatch jobs.
beforeAll(async () => {
  t = await buildTestApp({ worker: true })
})
afterAll(async () => t?.close())

const storedEvent = (id: string) =>
  t.platform.database.transaction(
    platformScope,
    async (tx) => (await tx.select().from(domainEvents).where(eq(domainEvents.id, id)))[0],
  )

const deliveriesOf = (id: string) =>
  t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ subscriber: string }>(
      tx,
      sql`SELECT subscriber FROM platform.event_deliveries WHERE event_id = ${id} ORDER BY subscriber`,
    ),
  )

/** A fresh event type per test, so subscriptions of one test never see another's events. */
const freshType = () => `testing.thing_${randomUUID().slice(0, 8)}_happened`

function counter() {
  const calls: DomainEvent[] = []
  return { calls, handler: async (event: DomainEvent) => void calls.push(event) }
}

describe('publishing', () => {
  it('leaves no event and no dispatch job when the publishing transaction rolls back', async () => {
    const tenant = await t.createTenant()
    const ctx = systemContext(t.platform.database, tenant.id)
    let eventId = ''
    await expect(
      t.platform.database.transaction(tenantScope(tenant.id), async (tx) => {
        eventId = await t.platform.events.publish(tx, ctx, { type: freshType(), payload: { n: 1 } })
        throw new Error('the business write failed')
      }),
    ).rejects.toThrow('the business write failed')
    expect(eventId).not.toBe('')
    expect(await storedEvent(eventId)).toBeUndefined()
    expect(await jobsMatching(t.platform.database, EVENTS_DISPATCH_QUEUE, { eventId })).toEqual([])
  })

  it('delivers a committed event to each subscriber once, even when its dispatch job runs twice', async () => {
    const tenant = await t.createTenant()
    const type = freshType()
    const first = counter()
    const second = counter()
    t.platform.events.subscribe(type, 'testing.first_reaction', first.handler)
    t.platform.events.subscribe(type, 'testing.second_reaction', second.handler)
    const ctx = systemContext(t.platform.database, tenant.id, 'req-events-1')
    const eventId = await t.platform.database.transaction(tenantScope(tenant.id), (tx) =>
      t.platform.events.publish(tx, ctx, { type, payload: { courseId: 'c-1' } }),
    )
    await waitUntil('the event to be dispatched', async () => (await storedEvent(eventId))?.dispatchedAt ?? undefined)

    // The same dispatch delivered again (a retry after a crash, a duplicate job) changes nothing.
    const duplicate = await t.platform.jobs.send(undefined, EVENTS_DISPATCH_QUEUE, { eventId, tenantId: tenant.id })
    await waitUntil(
      'the duplicate dispatch to finish',
      async () =>
        (await jobsMatching(t.platform.database, EVENTS_DISPATCH_QUEUE, { eventId })).find((j) => j.id === duplicate)
          ?.state === 'completed',
    )

    expect(first.calls).toHaveLength(1)
    expect(second.calls).toHaveLength(1)
    expect(first.calls[0]).toMatchObject({
      id: eventId,
      type,
      tenantId: tenant.id,
      payload: { courseId: 'c-1' },
      requestId: 'req-events-1',
    })
    expect(await deliveriesOf(eventId)).toEqual([
      { subscriber: 'testing.first_reaction' },
      { subscriber: 'testing.second_reaction' },
    ])
  })
})

describe('dispatching', () => {
  /** Writes an event without a dispatch job, so only this test's explicit dispatches deliver it. */
  async function insertEvent(tenantId: string, type: string): Promise<string> {
    return t.platform.database.transaction(tenantScope(tenantId), async (tx) => {
      const [row] = await tx
        .insert(domainEvents)
        .values({ tenantId, type, payload: {} })
        .returning({ id: domainEvents.id })
      return row!.id
    })
  }

  it('retries only the subscriber that failed, then marks the event dispatched', async () => {
    const tenant = await t.createTenant()
    const type = freshType()
    const steady = counter()
    let flakyCalls = 0
    t.platform.events.subscribe(type, 'testing.steady_reaction', steady.handler)
    t.platform.events.subscribe(type, 'testing.flaky_reaction', async () => {
      flakyCalls++
      if (flakyCalls === 1) throw new Error('the mail server hung up')
    })
    const eventId = await insertEvent(tenant.id, type)

    await expect(t.platform.events.dispatch({ eventId, tenantId: tenant.id })).rejects.toThrow(
      'testing.flaky_reaction: the mail server hung up',
    )
    expect(await deliveriesOf(eventId)).toEqual([{ subscriber: 'testing.steady_reaction' }])
    expect((await storedEvent(eventId))?.dispatchedAt).toBeNull()

    await t.platform.events.dispatch({ eventId, tenantId: tenant.id })
    await t.platform.events.dispatch({ eventId, tenantId: tenant.id })
    expect(steady.calls).toHaveLength(1)
    expect(flakyCalls).toBe(2)
    expect((await storedEvent(eventId))?.dispatchedAt).toBeInstanceOf(Date)
  })

  it("rolls back a failing subscriber's own writes with its delivery record", async () => {
    const tenant = await t.createTenant()
    const type = freshType()
    let calls = 0
    t.platform.events.subscribe(type, 'testing.writer_reaction', async (event, tx: Tx) => {
      calls++
      // A write through the delivery transaction, then a failure: both must roll back together.
      await tx
        .insert(domainEvents)
        .values({ tenantId: event.tenantId, type: 'testing.follow_up_written', payload: { source: event.id } })
      if (calls === 1) throw new Error('failed after writing')
    })
    const eventId = await insertEvent(tenant.id, type)
    await expect(t.platform.events.dispatch({ eventId, tenantId: tenant.id })).rejects.toThrow('failed after writing')
    const followUps = () =>
      t.platform.database.transaction(platformScope, (tx) =>
        rowsOf<{ id: string }>(
          tx,
          sql`SELECT id FROM platform.domain_events WHERE type = 'testing.follow_up_written' AND payload->>'source' = ${eventId}`,
        ),
      )
    expect(await followUps()).toHaveLength(0)
    await t.platform.events.dispatch({ eventId, tenantId: tenant.id })
    expect(await followUps()).toHaveLength(1)
  })

  it('runs a platform event (no tenant) in the platform scope', async () => {
    const type = freshType()
    const seen: (string | null)[] = []
    t.platform.events.subscribe(type, 'testing.platform_probe', async (event, tx) => {
      seen.push(event.tenantId)
      // The platform role sees every tenant's rows; a tenant scope would see one at most.
      const [row] = await rowsOf<{ tenants: string }>(tx, sql`SELECT count(*)::text AS tenants FROM tenancy.tenants`)
      expect(Number(row?.tenants)).toBeGreaterThan(1)
    })
    await t.createTenant()
    await t.createTenant()
    const eventId = await t.platform.database.transaction(platformScope, (tx) =>
      t.platform.events.publish(tx, systemContext(t.platform.database, null), { type, payload: { reason: 'nightly' } }),
    )
    await t.platform.events.dispatch({ eventId, tenantId: null })
    expect(seen).toEqual([null])
    expect((await storedEvent(eventId))?.dispatchedAt).toBeInstanceOf(Date)
  })

  it("runs a tenant event's subscribers in that tenant's scope", async () => {
    const tenant = await t.createTenant()
    await t.createTenant()
    const type = freshType()
    const seen: string[][] = []
    t.platform.events.subscribe(type, 'testing.scope_probe', async (_event, tx) => {
      seen.push((await rowsOf<{ id: string }>(tx, sql`SELECT id FROM tenancy.tenants`)).map((r) => r.id))
    })
    const eventId = await insertEvent(tenant.id, type)
    await t.platform.events.dispatch({ eventId, tenantId: tenant.id })
    expect(seen).toEqual([[tenant.id]])
  })
})

describe('tenancy.tenant_created', () => {
  it('is recorded with the tenant creation and its dispatch enqueued in the same transaction', async () => {
    const tenant = await t.createTenant()
    const [event] = await t.platform.database.transaction(platformScope, (tx) =>
      tx
        .select()
        .from(domainEvents)
        .where(and(eq(domainEvents.type, 'tenancy.tenant_created'), eq(domainEvents.tenantId, tenant.id))),
    )
    expect(event).toMatchObject({
      tenantId: tenant.id,
      payload: { tenantId: tenant.id, slug: tenant.slug, region: 'eu' },
    })
    expect(await jobsMatching(t.platform.database, EVENTS_DISPATCH_QUEUE, { eventId: event!.id })).toHaveLength(1)
  })

  it('is published with the new tenant and dispatched to its subscribers', async () => {
    const received: DomainEvent[] = []
    t.platform.events.subscribe(
      'tenancy.tenant_created',
      `testing.tenant_welcome_${randomUUID().slice(0, 8)}`,
      async (event) => void received.push(event),
    )
    const tenant = await t.createTenant()
    const event = await waitUntil('the tenant_created event to be delivered', async () =>
      received.find((e) => e.tenantId === tenant.id),
    )
    expect(event).toMatchObject({ type: 'tenancy.tenant_created', payload: { tenantId: tenant.id, slug: tenant.slug } })
    await waitUntil(
      'the event to be marked dispatched',
      async () => (await storedEvent(event.id))?.dispatchedAt ?? undefined,
    )
  })
})

describe('subscriptions', () => {
  it('refuses badly named event types and duplicate subscribers', () => {
    expect(() => t.platform.events.subscribe('CourseCreated', 'testing.x', async () => {})).toThrow(
      'module.past_tense_fact',
    )
    const type = freshType()
    t.platform.events.subscribe(type, 'testing.once', async () => {})
    expect(() => t.platform.events.subscribe(type, 'testing.once', async () => {})).toThrow('registered twice')
  })
})
