import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { passwordHashingLimit } from '../passwords/password-hasher.ts'
import { sessionsClient, uniqueEmail } from './sessions.testing.ts'

let t: TestApp
let api: ReturnType<typeof sessionsClient>
beforeAll(async () => {
  t = await buildTestApp({
    worker: true,
    env: { RATE_LIMITS: 'auth=1000/10000', PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE: '1' },
  })
  api = sessionsClient(t)
})
afterAll(async () => t?.close())

/** Occupies the one hashing slot and the one queue place with tasks the test ends. */
function fillPasswordHashing() {
  const limit = passwordHashingLimit()
  let release!: () => void
  const blocker = new Promise<void>((resolve) => (release = resolve))
  const held = [limit.run(() => blocker), limit.run(() => blocker)]
  expect({ running: limit.running, queued: limit.queued }).toEqual({ running: 1, queued: 1 })
  return async () => {
    release()
    await Promise.all(held)
  }
}

describe('sign-in under a full password-hashing queue', () => {
  it('answers 503 OVERLOADED with Retry-After for known and unknown accounts, counts no failure, and signs in once the queue drains', async () => {
    const tenant = await t.createTenant()
    const email = await api.signUp(tenant.slug)
    const drain = fillPasswordHashing()

    for (const response of [await api.login(tenant.slug, email), await api.login(tenant.slug, uniqueEmail('nobody'))]) {
      expect(response.statusCode).toBe(503)
      expect(response.headers['retry-after']).toBe('1')
      expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json/)
      expect(response.json()).toMatchObject({ status: 503, code: 'OVERLOADED', pool: 'password-hashing' })
    }
    const [state] = await api.query<{ failures: number }>(
      sql`SELECT failed_login_count AS failures FROM identity.users WHERE tenant_id = ${tenant.id} AND email = ${email}`,
    )
    expect(state?.failures).toBe(0)

    await drain()
    expect((await api.login(tenant.slug, email)).statusCode).toBe(200)
  })
})
