import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import pino from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { createRedis } from '../../../platform/cache/redis.ts'
import { createLoginIpThrottle, ipDelaySeconds } from './login-ip-throttle.ts'

describe('ipDelaySeconds', () => {
  it('allows 9 failures, holds for a minute at the 10th and doubles per further failure up to 15 minutes', () => {
    expect([0, 1, 9].map(ipDelaySeconds)).toEqual([0, 0, 0])
    expect([10, 11, 12, 13].map(ipDelaySeconds)).toEqual([60, 120, 240, 480])
    expect([14, 15, 100, 10_000].map(ipDelaySeconds)).toEqual([900, 900, 900, 900])
  })
})

const redisUrl = process.env.TEST_REDIS_URL
const redis = redisUrl
  ? createRedis(redisUrl, pino({ level: 'silent' }), `test-${process.pid}-${Date.now()}:`)
  : undefined
afterAll(() => redis?.disconnect())

const stores: Array<{ name: string; client: Redis | undefined }> = [
  { name: 'memory', client: undefined },
  ...(redis ? [{ name: 'redis', client: redis }] : []),
]

describe.each(stores)('per-IP counters in $name', ({ client }) => {
  it('holds an IP back from the 10th failure, doubling per failure, per tenant and IP', async () => {
    if (client && client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve))
    const throttle = createLoginIpThrottle(client)
    const tenant = randomUUID()
    for (let failure = 1; failure <= 9; failure++)
      expect((await throttle.recordFailure(tenant, '203.0.113.1')).delaySeconds).toBe(0)
    expect(await throttle.heldBackSeconds(tenant, '203.0.113.1')).toBe(0)
    expect(await throttle.recordFailure(tenant, '203.0.113.1')).toEqual({ failures: 10, delaySeconds: 60 })
    expect(await throttle.heldBackSeconds(tenant, '203.0.113.1')).toBeGreaterThan(55)
    expect(await throttle.recordFailure(tenant, '203.0.113.1')).toEqual({ failures: 11, delaySeconds: 120 })
    const held = await throttle.heldBackSeconds(tenant, '203.0.113.1')
    expect(held).toBeGreaterThan(115)
    expect(held).toBeLessThanOrEqual(120)
    expect(await throttle.heldBackSeconds(tenant, '203.0.113.2')).toBe(0)
    expect(await throttle.heldBackSeconds(randomUUID(), '203.0.113.1')).toBe(0)
  })
})

describe('an unreachable store', () => {
  it('refuses with 503 LOGIN_THROTTLE_UNAVAILABLE rather than letting guesses through unlimited', async () => {
    const down = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false })
    try {
      const throttle = createLoginIpThrottle(down)
      await expect(throttle.heldBackSeconds(randomUUID(), '203.0.113.1')).rejects.toMatchObject({
        status: 503,
        code: 'LOGIN_THROTTLE_UNAVAILABLE',
      })
      await expect(throttle.recordFailure(randomUUID(), '203.0.113.1')).rejects.toMatchObject({
        status: 503,
        code: 'LOGIN_THROTTLE_UNAVAILABLE',
      })
    } finally {
      down.disconnect()
    }
  })
})
