import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { Type } from 'typebox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope, tenantScope } from '../db/database.ts'
import { publicAccess, tenantAccess } from './access.ts'
import type { App } from './app-type.ts'
import { buildContractServer } from './contract.testing.ts'
import { createIdempotencyStore } from './idempotency.store.ts'
import { idempotencyKeys } from './idempotency.tables.ts'

let t: TestApp
let server: App
let operator: { authorization: string }
/** Handler executions per order item: the side effect idempotency must not repeat. */
const executions = new Map<string, number>()
/** Items whose handler waits until the test releases it. */
const gates = new Map<string, { entered: () => void; released: Promise<void> }>()
const failuresLeft = new Map<string, number>()

const OrderBody = Type.Object(
  { item: Type.String({ minLength: 1 }), qty: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
)

beforeAll(async () => {
  t = await buildTestApp()
  operator = t.auth(t.operatorToken)
  server = await buildContractServer(t, (app) => {
    const handler = async (
      request: { body: unknown },
      reply: { status(code: number): { header(n: string, v: string): { send(b: unknown): unknown } } },
    ) => {
      const { item, qty } = request.body as { item: string; qty: number }
      const gate = gates.get(item)
      if (gate) {
        gate.entered()
        await gate.released
      }
      const failures = failuresLeft.get(item) ?? 0
      if (failures > 0) {
        failuresLeft.set(item, failures - 1)
        throw new Error('the payment provider timed out')
      }
      const count = (executions.get(item) ?? 0) + 1
      executions.set(item, count)
      return reply
        .status(201)
        .header('location', `/probe/orders/${item}-${count}`)
        .send({ item, qty, execution: count, at: Date.now() })
    }
    app.post(
      '/probe/orders',
      { schema: { hide: true, body: OrderBody }, config: { access: tenantAccess(), idempotency: 'required' } },
      handler,
    )
    app.post(
      '/probe/public-orders',
      { schema: { hide: true, body: OrderBody }, config: { access: publicAccess(), idempotency: 'optional' } },
      handler,
    )
  })
})
afterAll(async () => {
  await server?.close()
  await t?.close()
})

async function member(tenantId?: string) {
  const id = tenantId ?? (await t.createTenant()).id
  return { tenantId: id, headers: t.auth(await t.tokenFor(id, ['learner'])) }
}

const order = (headers: Record<string, string>, key: string | undefined, body: unknown) =>
  server.inject({
    method: 'POST',
    url: '/probe/orders',
    headers: { ...headers, ...(key === undefined ? {} : { 'idempotency-key': key }) },
    payload: body as object,
  })

describe('Idempotency-Key replay', () => {
  it('replays the first response byte for byte, with Idempotent-Replayed, for the same key and request', async () => {
    const key = randomUUID()
    const slug = `idem-${randomUUID().slice(0, 8)}`
    const first = await t.app.inject({
      method: 'POST',
      url: '/v1/tenants',
      headers: { ...operator, 'idempotency-key': key },
      payload: { slug, name: 'Idem', currency: 'EUR' },
    })
    expect(first.statusCode).toBe(201)
    expect(first.headers['idempotent-replayed']).toBeUndefined()
    // Same members in another order: the canonical body is what counts.
    const again = await t.app.inject({
      method: 'POST',
      url: '/v1/tenants',
      headers: { ...operator, 'idempotency-key': key, 'content-type': 'application/json' },
      payload: JSON.stringify({ currency: 'EUR', name: 'Idem', slug }),
    })
    expect(again.statusCode).toBe(201)
    expect(again.headers['idempotent-replayed']).toBe('true')
    expect(again.body).toBe(first.body)
    for (const header of ['location', 'etag', 'content-type']) expect(again.headers[header]).toBe(first.headers[header])
    // A new key really executes: the slug is taken by the one tenant the first request created.
    const fresh = await t.app.inject({
      method: 'POST',
      url: '/v1/tenants',
      headers: { ...operator, 'idempotency-key': randomUUID() },
      payload: { slug, name: 'Idem' },
    })
    expect(fresh.json().code).toBe('TENANT_SLUG_TAKEN')
  })

  it('answers 422 IDEMPOTENCY_KEY_REUSED for the same key with a different body', async () => {
    const key = randomUUID()
    const slug = `idem-${randomUUID().slice(0, 8)}`
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/v1/tenants',
          headers: { ...operator, 'idempotency-key': key },
          payload: { slug, name: 'One' },
        })
      ).statusCode,
    ).toBe(201)
    const reused = await t.app.inject({
      method: 'POST',
      url: '/v1/tenants',
      headers: { ...operator, 'idempotency-key': key },
      payload: { slug, name: 'Two' },
    })
    expect(reused.statusCode).toBe(422)
    expect(reused.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(reused.json().code).toBe('IDEMPOTENCY_KEY_REUSED')
  })

  it('treats the quoted structured-field form of a key as the same key', async () => {
    const { headers } = await member()
    const item = randomUUID()
    expect((await order(headers, 'plain-key-1', { item, qty: 1 })).statusCode).toBe(201)
    const quoted = await order(headers, '"plain-key-1"', { item, qty: 1 })
    expect(quoted.headers['idempotent-replayed']).toBe('true')
    expect(executions.get(item)).toBe(1)
  })

  it('documents the header in OpenAPI for routes that accept it', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json()
    const parameters = document.paths['/v1/tenants'].post.parameters as Array<{
      in: string
      name: string
      required?: boolean
    }>
    expect(parameters).toContainEqual(
      expect.objectContaining({ in: 'header', name: 'idempotency-key', required: false }),
    )
    expect(document.paths['/v1/tenants'].get.parameters ?? []).not.toContainEqual(
      expect.objectContaining({ name: 'idempotency-key' }),
    )
  })
})

describe('Idempotency-Key validation', () => {
  it('requires the key where the route says so', async () => {
    const { headers } = await member()
    const response = await order(headers, undefined, { item: 'x', qty: 1 })
    expect(response.statusCode).toBe(400)
    expect(response.json().errors).toContainEqual(expect.objectContaining({ path: 'headers.idempotency-key' }))
  })

  it.each([
    ['256 characters', 'k'.repeat(256)],
    ['a space', 'two words'],
    ['a control character', 'tab\there'],
  ])('refuses a key with %s with 400 IDEMPOTENCY_KEY_INVALID', async (_, key) => {
    const { headers } = await member()
    const response = await order(headers, key, { item: randomUUID(), qty: 1 })
    expect(response.statusCode).toBe(400)
    expect(response.json().code).toBe('IDEMPOTENCY_KEY_INVALID')
  })

  it('accepts a key of 255 visible characters', async () => {
    const { headers } = await member()
    expect((await order(headers, '~'.repeat(255), { item: randomUUID(), qty: 1 })).statusCode).toBe(201)
  })

  it('does not store validation failures: the key stays usable for a corrected request', async () => {
    const { headers } = await member()
    const key = randomUUID()
    const item = randomUUID()
    expect((await order(headers, key, { item, qty: 0 })).statusCode).toBe(400)
    const corrected = await order(headers, key, { item, qty: 2 })
    expect(corrected.statusCode).toBe(201)
    expect(corrected.headers['idempotent-replayed']).toBeUndefined()
  })
})

describe('Idempotency-Key concurrency', () => {
  it('answers 409 IDEMPOTENCY_KEY_IN_FLIGHT while the first request runs, then replays it', async () => {
    const { headers } = await member()
    const key = randomUUID()
    const item = randomUUID()
    let release!: () => void
    const entered = new Promise<void>((resolve) =>
      gates.set(item, { entered: resolve, released: new Promise((r) => (release = r)) }),
    )
    const first = order(headers, key, { item, qty: 1 })
    await entered

    const duplicate = await order(headers, key, { item, qty: 1 })
    expect(duplicate.statusCode).toBe(409)
    expect(duplicate.json().code).toBe('IDEMPOTENCY_KEY_IN_FLIGHT')
    expect(duplicate.headers['retry-after']).toBe('1')
    expect((await order(headers, key, { item, qty: 9 })).statusCode).toBe(422)

    release()
    expect((await first).statusCode).toBe(201)
    gates.delete(item)
    const after = await order(headers, key, { item, qty: 1 })
    expect(after.statusCode).toBe(201)
    expect(after.headers['idempotent-replayed']).toBe('true')
    expect(executions.get(item)).toBe(1)
  })

  it('executes exactly once for 20 concurrent requests with the same key', async () => {
    const { headers } = await member()
    const key = randomUUID()
    const item = randomUUID()
    // The first execution is held until the 19 others have been answered, so they all meet it in flight.
    let release!: () => void
    gates.set(item, { entered: () => {}, released: new Promise((resolve) => (release = resolve)) })
    const fallback = setTimeout(() => release(), 5_000)
    let answered = 0
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        order(headers, key, { item, qty: 3 }).then((response) => {
          if (++answered === 19) release()
          return response
        }),
      ),
    )
    clearTimeout(fallback)
    gates.delete(item)
    expect(executions.get(item)).toBe(1)
    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(1)
    expect(responses.filter((r) => r.statusCode === 409 && r.json().code === 'IDEMPOTENCY_KEY_IN_FLIGHT')).toHaveLength(
      19,
    )
    const replay = await order(headers, key, { item, qty: 3 })
    expect(replay.headers['idempotent-replayed']).toBe('true')
    expect(replay.body).toBe(responses.find((r) => r.statusCode === 201)!.body)
  })
})

describe('Idempotency-Key scope', () => {
  it('keeps keys private to each caller: other users, tenants and addresses never collide', async () => {
    const a = await member()
    const colleague = await member(a.tenantId)
    const b = await member()
    const key = 'shared-key-0001'
    const item = randomUUID()
    for (const [headers, qty] of [
      [a.headers, 1],
      [colleague.headers, 2],
      [b.headers, 3],
    ] as const) {
      const response = await order(headers, key, { item, qty })
      expect(response.statusCode).toBe(201)
      expect(response.headers['idempotent-replayed']).toBeUndefined()
    }
    for (const [remoteAddress, qty] of [
      ['10.1.1.1', 4],
      ['10.1.1.2', 5],
    ] as const) {
      const response = await server.inject({
        method: 'POST',
        url: '/probe/public-orders',
        remoteAddress,
        headers: { 'idempotency-key': key },
        payload: { item, qty },
      })
      expect(response.statusCode).toBe(201)
    }
    expect(executions.get(item)).toBe(5)
  })

  it('stores tenant requests in the tenant scope and operator requests in the platform scope', async () => {
    const a = await member()
    const b = await member()
    expect((await order(a.headers, randomUUID(), { item: randomUUID(), qty: 1 })).statusCode).toBe(201)
    const inA = await t.platform.database.transaction(tenantScope(a.tenantId), (tx) =>
      tx.select().from(idempotencyKeys),
    )
    expect(inA).toHaveLength(1)
    expect(inA[0]).toMatchObject({
      tenantId: a.tenantId,
      status: 'completed',
      responseStatus: 201,
      path: '/probe/orders',
    })
    expect(inA[0]!.scopedKey.startsWith(`${a.tenantId}:user:`)).toBe(true)
    expect(
      await t.platform.database.transaction(tenantScope(b.tenantId), (tx) => tx.select().from(idempotencyKeys)),
    ).toHaveLength(0)

    const slug = `idem-${randomUUID().slice(0, 8)}`
    await t.app.inject({
      method: 'POST',
      url: '/v1/tenants',
      headers: { ...operator, 'idempotency-key': randomUUID() },
      payload: { slug, name: 'Scoped' },
    })
    const platformRows = await t.platform.database.transaction(platformScope, (tx) =>
      tx.select().from(idempotencyKeys).where(eq(idempotencyKeys.path, '/v1/tenants')),
    )
    const created = platformRows.find((row) => row.responseBody?.includes(slug))
    expect(created).toMatchObject({ tenantId: null, status: 'completed', responseStatus: 201 })
    expect(created!.scopedKey.startsWith('platform:operator:')).toBe(true)
  })
})

describe('Idempotency-Key failures and expiry', () => {
  it('does not store a 5xx: the retry with the same key executes again', async () => {
    const { headers } = await member()
    const key = randomUUID()
    const item = randomUUID()
    failuresLeft.set(item, 1)
    const failed = await order(headers, key, { item, qty: 1 })
    expect(failed.statusCode).toBe(500)
    const retried = await order(headers, key, { item, qty: 1 })
    expect(retried.statusCode).toBe(201)
    expect(retried.headers['idempotent-replayed']).toBeUndefined()
    expect(executions.get(item)).toBe(1)
  })

  it('forgets a key after it expires, and prunes expired rows', async () => {
    const a = await member()
    const key = randomUUID()
    const item = randomUUID()
    expect((await order(a.headers, key, { item, qty: 1 })).statusCode).toBe(201)
    await t.platform.database.transaction(tenantScope(a.tenantId), (tx) =>
      tx.update(idempotencyKeys).set({ expiresAt: new Date(Date.now() - 1000) }),
    )
    const reused = await order(a.headers, key, { item, qty: 7 })
    expect(reused.statusCode).toBe(201)
    expect(executions.get(item)).toBe(2)

    await t.platform.database.transaction(tenantScope(a.tenantId), (tx) =>
      tx.update(idempotencyKeys).set({ expiresAt: new Date(Date.now() - 1000) }),
    )
    expect(await createIdempotencyStore(t.platform.database).pruneExpired()).toBeGreaterThanOrEqual(1)
    expect(
      await t.platform.database.transaction(tenantScope(a.tenantId), (tx) => tx.select().from(idempotencyKeys)),
    ).toHaveLength(0)
  })
})
