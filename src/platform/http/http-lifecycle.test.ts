import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { publicAccess } from './access.ts'
import { buildContractServer } from './contract.testing.ts'
import { createHttpServer } from './server.ts'

const ALLOWED_ORIGIN = 'https://app.example.com'
const SHED_THRESHOLD_MS = 100

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp({
    env: { CORS_ORIGINS: ALLOWED_ORIGIN, SHED_MAX_EVENT_LOOP_DELAY_MS: String(SHED_THRESHOLD_MS) },
  })
})
afterAll(async () => t?.close())

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('CORS allowlist', () => {
  it('grants an allowlisted origin and exposes the contract headers', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/openapi.json', headers: { origin: ALLOWED_ORIGIN } })
    expect(response.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN)
    expect(response.headers['access-control-allow-credentials']).toBe('true')
    const exposed = String(response.headers['access-control-expose-headers'])
    for (const header of ['x-request-id', 'ratelimit', 'ratelimit-policy', 'retry-after', 'idempotent-replayed'])
      expect(exposed).toContain(header)
  })

  it('answers preflight for an allowlisted origin, including the Idempotency-Key header', async () => {
    const response = await t.app.inject({
      method: 'OPTIONS',
      url: '/v1/tenants',
      headers: {
        origin: ALLOWED_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,idempotency-key',
      },
    })
    expect(response.statusCode).toBe(204)
    expect(response.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN)
    expect(String(response.headers['access-control-allow-headers']).toLowerCase()).toContain('idempotency-key')
  })

  it('grants no other origin, on simple requests or preflight', async () => {
    const simple = await t.app.inject({
      method: 'GET',
      url: '/openapi.json',
      headers: { origin: 'https://evil.example.net' },
    })
    expect(simple.headers['access-control-allow-origin']).toBeUndefined()
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/v1/tenants',
      headers: { origin: 'https://app.example.com.evil.example.net', 'access-control-request-method': 'POST' },
    })
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined()
  })
})

describe('graceful shutdown', () => {
  it('lets an in-flight request finish while close() runs, and refuses new connections', async () => {
    let entered!: () => void
    const handlerEntered = new Promise<void>((resolve) => (entered = resolve))
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    const server = await buildContractServer(t, (app) => {
      app.get('/slow', { schema: { hide: true }, config: { access: publicAccess() } }, async () => {
        entered()
        await released
        return { finished: true }
      })
    })
    await server.listen({ port: 0, host: '127.0.0.1' })
    const base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`

    const slow = fetch(`${base}/slow`)
    await handlerEntered
    let slowSettled = false
    void slow.finally(() => (slowSettled = true))
    const closing = server.close()

    // Closing stops the listener after its preClose hooks; poll (bounded) until a new connection is refused.
    // Connections accepted just before that are answered 503 or reset as idle: both are part of closing.
    let refusal: string | undefined
    for (let attempt = 0; attempt < 100 && refusal !== 'ECONNREFUSED'; attempt++) {
      try {
        await (await fetch(`${base}/openapi.json`)).arrayBuffer()
      } catch (error) {
        refusal = (error as { cause?: { code?: string } }).cause?.code
      }
      if (refusal !== 'ECONNREFUSED') await sleep(10)
    }
    expect(refusal).toBe('ECONNREFUSED')
    expect(slowSettled).toBe(false)

    release()
    const response = await slow
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ finished: true })
    await closing
  })
})

describe('answers while draining', () => {
  it('answers a request that reaches the hooks while the server closes with 503 SHUTTING_DOWN, a problem document', async () => {
    // A request held at its very first hook until the drain has begun, as one arriving then would be.
    let arrived!: () => void
    const heldArrived = new Promise<void>((resolve) => (arrived = resolve))
    let openGate!: () => void
    const gate = new Promise<void>((resolve) => (openGate = resolve))
    const { config, database, tokens, logger } = t.platform
    const server = await createHttpServer({
      config,
      logger,
      database,
      tokens,
      tenants: t.modules.tenancy.directory,
      instrument: (app) =>
        app.addHook('onRequest', async (request) => {
          if (request.headers['x-hold'] === undefined) return
          arrived()
          await gate
        }),
    })
    let drainStarted!: () => void
    const draining = new Promise<void>((resolve) => (drainStarted = resolve))
    server.addHook('preClose', async () => drainStarted())
    await server.listen({ port: 0, host: '127.0.0.1' })
    const held = fetch(`http://127.0.0.1:${(server.server.address() as AddressInfo).port}/openapi.json`, {
      headers: { 'x-hold': '1' },
    })
    await heldArrived
    const closing = server.close()
    await draining
    openGate()
    const late = await held
    expect(late.status).toBe(503)
    expect(late.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(late.headers.get('retry-after')).toBe('5')
    expect(late.headers.get('connection')).toBe('close')
    expect(await late.json()).toMatchObject({
      status: 503,
      code: 'SHUTTING_DOWN',
      requestId: late.headers.get('x-request-id'),
    })
    await closing
  })
})

describe('load shedding', () => {
  /** Keeps every event-loop turn busy for `sliceMs`, yielding briefly so timers (and the sampler) still run. */
  async function saturateEventLoop(totalMs: number, sliceMs: number): Promise<void> {
    const end = Date.now() + totalMs
    while (Date.now() < end) {
      const sliceEnd = Date.now() + sliceMs
      while (Date.now() < sliceEnd) {
        // busy: this is the overload being simulated
      }
      await new Promise((resolve) => setImmediate(resolve))
    }
  }

  /** Polls (bounded) until the sampler sees a responsive loop again; earlier work in this process may still weigh on it. */
  async function acceptsRequests(): Promise<boolean> {
    for (let attempt = 0; attempt < 40; attempt++) {
      if ((await t.app.inject({ method: 'GET', url: '/openapi.json' })).statusCode === 200) return true
      await sleep(100)
    }
    return false
  }

  it('answers 503 OVERLOADED with Retry-After while the event loop lags, and recovers afterwards', async () => {
    expect(await acceptsRequests()).toBe(true)
    // The sampler averages loop delay once a second; 2.5 s of 300 ms turns spans at least two samples.
    await saturateEventLoop(2_500, 3 * SHED_THRESHOLD_MS)
    const shed = await t.app.inject({ method: 'GET', url: '/openapi.json' })
    expect(shed.statusCode).toBe(503)
    expect(shed.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(shed.headers['retry-after']).toBe('5')
    expect(shed.json()).toMatchObject({ status: 503, code: 'OVERLOADED', requestId: shed.headers['x-request-id'] })
    expect(await acceptsRequests()).toBe(true)
  })
})
