import Fastify from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import type { App } from './app-type.ts'
import { registerAdmissionLimit } from './admission.ts'

/** A server whose /slow requests wait until the test releases them. */
async function server(maxInFlight: number) {
  const app = Fastify() as unknown as App
  registerAdmissionLimit(app, { maxInFlight, retryAfterSeconds: 1 })
  let release!: () => void
  const released = new Promise<void>((resolve) => (release = resolve))
  let arrivals = 0
  let arrived!: () => void
  let allArrived = new Promise<void>((resolve) => (arrived = resolve))
  let expected = 0
  app.get('/slow', async () => {
    if (++arrivals >= expected) arrived()
    await released
    return { ok: true }
  })
  app.get('/fast', async () => ({ ok: true }))
  app.get('/health/live', async () => ({ status: 'ok' }))
  await app.ready()
  return {
    app,
    release,
    /** Resolves once `n` /slow requests are inside their handler. */
    waitForSlow(n: number) {
      expected = n
      if (arrivals >= n) return Promise.resolve()
      allArrived = new Promise<void>((resolve) => (arrived = resolve))
      return allArrived
    },
  }
}

let current: App | undefined
afterEach(async () => current?.close())

describe('admission limit', () => {
  it('answers 503 OVERLOADED with Retry-After beyond the in-flight limit, and admits again once requests finish', async () => {
    const s = await server(2)
    current = s.app
    const held = [s.app.inject({ url: '/slow' }), s.app.inject({ url: '/slow' })]
    await s.waitForSlow(2)

    const refused = await s.app.inject({ url: '/fast' })
    expect(refused.statusCode).toBe(503)
    expect(refused.headers['retry-after']).toBe('1')
    expect(String(refused.headers['content-type'])).toMatch(/^application\/problem\+json/)
    expect(refused.json()).toMatchObject({ status: 503, code: 'OVERLOADED' })
    // Liveness is never refused: a busy node is not a dead one.
    expect((await s.app.inject({ url: '/health/live' })).statusCode).toBe(200)

    s.release()
    expect((await Promise.all(held)).map((r) => r.statusCode)).toEqual([200, 200])
    expect((await s.app.inject({ url: '/fast' })).statusCode).toBe(200)
  })

  it('counts a refused request as nothing: the limit frees exactly as many slots as it admitted', async () => {
    const s = await server(1)
    current = s.app
    const held = s.app.inject({ url: '/slow' })
    await s.waitForSlow(1)
    for (let i = 0; i < 3; i++) expect((await s.app.inject({ url: '/fast' })).statusCode).toBe(503)
    s.release()
    await held
    // Had a refusal taken or given back a slot, the count would be off and these would be refused.
    for (let i = 0; i < 3; i++) expect((await s.app.inject({ url: '/fast' })).statusCode).toBe(200)
  })

  it('is off at 0', async () => {
    const app = Fastify() as unknown as App
    current = app
    registerAdmissionLimit(app, { maxInFlight: 0, retryAfterSeconds: 1 })
    app.get('/fast', async () => ({ ok: true }))
    expect((await app.inject({ url: '/fast' })).statusCode).toBe(200)
  })
})
