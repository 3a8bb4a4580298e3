import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope, tenantScope, type QueryCounter } from '../db/database.ts'
import { forgedCursor } from '../http/pagination.testing.ts'
import { auditLog } from './audit.tables.ts'

/** Query counters of finished /v1/audit-events requests, read from request.ctx by the test's own hook. */
const counters: QueryCounter[] = []

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp({
    instrument: (app) =>
      app.addHook('onResponse', async (request) => {
        if (request.url.startsWith('/v1/audit-events') && request.ctx) counters.push({ ...request.ctx.counter })
      }),
  })
})
afterAll(async () => t?.close())

interface Seed {
  at: string
  action?: string
  actorId?: string
  targetType?: string
  targetId?: string
}

/** Inserts audit rows with exact (microsecond) timestamps through the tenant's own scope. */
async function seed(tenantId: string | null, rows: Seed[]): Promise<void> {
  const scope = tenantId ? tenantScope(tenantId) : platformScope
  await t.platform.database.transaction(scope, (tx) =>
    tx.insert(auditLog).values(
      rows.map((row) => ({
        tenantId,
        occurredAt: sql`${row.at}::timestamptz`,
        actorType: 'user',
        actorId: row.actorId ?? 'seeder',
        action: row.action ?? 'test.seeded',
        targetType: row.targetType ?? 'thing',
        targetId: row.targetId ?? 'thing-1',
        outcome: 'success' as const,
      })),
    ),
  )
}

async function readerOfNewTenant(role: 'tenant_admin' | 'compliance' = 'compliance') {
  const tenant = await t.createTenant()
  return { ...tenant, headers: t.auth(await t.tokenFor(tenant.id, [role])) }
}

const list = (headers: Record<string, string>, query = '') =>
  t.app.inject({ method: 'GET', url: `/v1/audit-events${query}`, headers })

async function allPages(
  headers: Record<string, string>,
  query: string,
): Promise<Array<{ id: string; occurredAt: string }>> {
  const seen = []
  let cursor: string | null = null
  do {
    const response = await list(headers, `${query}${cursor ? `&cursor=${cursor}` : ''}`)
    expect(response.statusCode).toBe(200)
    const page = response.json()
    seen.push(...page.data)
    cursor = page.nextCursor
  } while (cursor)
  return seen
}

describe('GET /v1/audit-events', () => {
  it("lists the tenant's entries newest first, including its own creation", async () => {
    const { id, headers } = await readerOfNewTenant()
    await seed(id, [{ at: '2030-01-01T00:00:00.000001Z', action: 'test.later' }])
    const response = await list(headers)
    expect(response.statusCode).toBe(200)
    const { data } = response.json()
    expect(data.map((e: { action: string }) => e.action)).toEqual(['test.later', 'tenant.created'])
    expect(data[0]).toMatchObject({
      occurredAt: '2030-01-01T00:00:00.000001Z',
      actorType: 'user',
      actorId: 'seeder',
      outcome: 'success',
      impersonatorId: null,
      requestId: null,
      details: {},
    })
    expect(data[1]).toMatchObject({
      actorType: 'operator',
      targetType: 'tenant',
      targetId: id,
      details: { slug: expect.any(String) },
    })
  })

  it('pages exactly through entries that share a millisecond or an instant', async () => {
    const { id, headers } = await readerOfNewTenant()
    const instants = [
      '2031-05-05T10:00:00.123401Z',
      '2031-05-05T10:00:00.123402Z',
      '2031-05-05T10:00:00.123403Z',
      '2031-05-05T10:00:00.123403Z',
      '2031-05-05T10:00:00.123999Z',
    ]
    await seed(
      id,
      instants.map((at) => ({ at, action: 'test.burst' })),
    )
    const seen = await allPages(headers, '?action=test.burst&limit=1')
    expect(seen).toHaveLength(instants.length)
    expect(new Set(seen.map((e) => e.id)).size).toBe(instants.length)
    expect(seen.map((e) => e.occurredAt)).toEqual([...instants].sort().reverse())
    const twoByTwo = await allPages(headers, '?action=test.burst&limit=2')
    expect(twoByTwo.map((e) => e.id)).toEqual(seen.map((e) => e.id))
  })

  it('filters by action, actor, target and time range', async () => {
    const { id, headers } = await readerOfNewTenant()
    await seed(id, [
      { at: '2032-01-01T00:00:00.000000Z', action: 'a.one', actorId: 'alice', targetType: 'course', targetId: 'c1' },
      { at: '2032-01-02T00:00:00.000000Z', action: 'a.two', actorId: 'bob', targetType: 'course', targetId: 'c2' },
      { at: '2032-01-03T00:00:00.000000Z', action: 'a.two', actorId: 'alice', targetType: 'user', targetId: 'u1' },
      { at: '2032-01-03T00:00:00.000001Z', action: 'a.three', actorId: 'carol', targetType: 'course', targetId: 'c1' },
    ])
    const actions = async (query: string) =>
      (await list(headers, query))
        .json()
        .data.map((e: { action: string; actorId: string }) => `${e.action}:${e.actorId}`)
    expect(await actions('?action=a.two')).toEqual(['a.two:alice', 'a.two:bob'])
    expect(await actions('?actorId=alice')).toEqual(['a.two:alice', 'a.one:alice'])
    expect(await actions('?targetType=course&targetId=c1')).toEqual(['a.three:carol', 'a.one:alice'])
    expect(await actions('?from=2032-01-02T00:00:00Z&to=2032-01-03T00:00:00.000001Z')).toEqual([
      'a.two:alice',
      'a.two:bob',
    ])
    expect(await actions('?from=2032-01-03T00:00:00.000001Z&to=2033-01-01T00:00:00Z')).toEqual(['a.three:carol'])
  })

  it("never shows another tenant's entries or platform entries", async () => {
    const a = await readerOfNewTenant()
    const b = await readerOfNewTenant()
    await seed(a.id, [{ at: '2033-03-03T00:00:00Z', action: 'secret.of_a' }])
    await seed(null, [{ at: '2033-03-03T00:00:00Z', action: 'secret.of_platform' }])
    const bActions = (await allPages(b.headers, '?limit=100')).map((e) => (e as unknown as { action: string }).action)
    expect(bActions).toEqual(['tenant.created'])
    const aActions = (await allPages(a.headers, '?limit=100')).map((e) => (e as unknown as { action: string }).action)
    expect(aActions).toEqual(['secret.of_a', 'tenant.created'])
  })

  it('costs one data query per page', async () => {
    const { id, headers } = await readerOfNewTenant()
    await seed(
      id,
      [1, 2, 3].map((n) => ({ at: `2034-01-0${n}T00:00:00Z`, action: 'test.budget' })),
    )
    counters.length = 0
    const first = (await list(headers, '?action=test.budget&limit=2')).json()
    await list(headers, `?action=test.budget&limit=2&cursor=${first.nextCursor}&from=2000-01-01T00:00:00Z`)
    expect(counters.map((c) => c.queries)).toEqual([1, 1])
  })

  it('requires audit:read: 401 anonymous, 403 learner, 200 compliance and tenant admin', async () => {
    const tenant = await t.createTenant()
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/audit-events', headers: { host: `${tenant.slug}.localhost` } }))
        .statusCode,
    ).toBe(401)
    const learner = await list(t.auth(await t.tokenFor(tenant.id, ['learner'])))
    expect(learner.statusCode).toBe(403)
    expect(learner.json()).toMatchObject({ code: 'PERMISSION_DENIED', permission: 'audit:read' })
    expect((await list(t.auth(await t.tokenFor(tenant.id, ['tenant_admin'])))).statusCode).toBe(200)
    expect((await list(t.auth(await t.tokenFor(tenant.id, ['compliance'])))).statusCode).toBe(200)
    expect((await list(t.auth(t.operatorToken))).json().code).toBe('TENANT_MEMBER_REQUIRED')
  })

  it('rejects malformed cursors, bounds and filters with 400', async () => {
    const { headers } = await readerOfNewTenant()
    const uuid = '00000000-0000-4000-8000-000000000000'
    for (const cursor of [
      'bm9wZQ',
      forgedCursor(['2031-13-40T00:00:00.000000Z', uuid]),
      forgedCursor(['2031-01-01T00:00:00.000000Z', 'not-a-uuid']),
      forgedCursor(['2031-01-01', uuid]),
    ]) {
      const response = await list(headers, `?cursor=${cursor}`)
      expect(response.statusCode).toBe(400)
      expect(response.json().code).toBe('INVALID_CURSOR')
    }
    const backwards = await list(headers, '?from=2032-01-02T00:00:00Z&to=2032-01-01T00:00:00Z')
    expect(backwards.statusCode).toBe(400)
    expect(backwards.json().errors).toEqual([expect.objectContaining({ path: 'querystring.to' })])
    const badDate = await list(headers, '?from=2032-02-30T00:00:00Z&limit=500&colour=red')
    expect(badDate.statusCode).toBe(400)
    expect(badDate.json().errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['querystring.from', 'querystring.limit', 'querystring.colour']),
    )
  })
})
