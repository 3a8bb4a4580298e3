import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { nextDelayMs, retryAfterSeconds, scheduleEndsAt } from './schedule.ts'
import { newSecret, signedHeaders } from './signing.ts'
import { MAX_ATTEMPTS, RETRY_SCHEDULE_SECONDS } from './webhooks.vocabulary.ts'

describe('Standard Webhooks signatures', () => {
  it('new secrets are whsec_ and the base64 of 32 random bytes, each different', () => {
    const [a, b] = [newSecret(), newSecret()]
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32)
    expect(a).not.toBe(b)
  })

  it('verify with the standardwebhooks library, under each of two secrets, and not under a third', () => {
    const [current, previous, other] = [newSecret(), newSecret(), newSecret()]
    const body = JSON.stringify({ id: 'm', type: 'catalogue.course_published', data: { x: 1 } })
    const headers = signedHeaders([current, previous], 'a1b2', new Date(), body)
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2)
    expect(new Webhook(current).verify(body, headers)).toEqual(JSON.parse(body))
    expect(new Webhook(previous).verify(body, headers)).toEqual(JSON.parse(body))
    expect(() => new Webhook(other).verify(body, headers)).toThrow()
    expect(() => new Webhook(current).verify(`${body} `, headers)).toThrow()
  })
})

describe('the retry schedule', () => {
  const timing = (random: number, scale = 1) => ({ scale, random: () => random })

  it('waits 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h, each within ±20 %, then gives up', () => {
    for (const [index, step] of RETRY_SCHEDULE_SECONDS.entries()) {
      expect(nextDelayMs(index + 1, timing(0))).toBe(Math.round(step * 800))
      expect(nextDelayMs(index + 1, timing(1))).toBe(Math.round(step * 1200))
      expect(nextDelayMs(index + 1, timing(0.5))).toBe(step * 1000)
    }
    expect(MAX_ATTEMPTS).toBe(10)
    expect(nextDelayMs(MAX_ATTEMPTS, timing(0.5))).toBeUndefined()
  })

  it('compresses every wait by the scale factor', () => {
    expect(nextDelayMs(2, timing(0.5, 0.001))).toBe(300)
    const start = new Date('2026-12-07T10:00:00Z')
    const total = RETRY_SCHEDULE_SECONDS.reduce((a: number, b: number) => a + b, 0)
    expect(scheduleEndsAt(0, start, { scale: 0.001 }).getTime() - start.getTime()).toBe(Math.round(total * 1.2))
    expect(scheduleEndsAt(9, start, { scale: 1 }).getTime() - start.getTime()).toBe(86_400 * 1200)
  })

  it('honours Retry-After on 429, 502 and 504 only, never shorter than the schedule, at most a day', () => {
    const after = (status: number, retryAfter: number) => nextDelayMs(1, timing(0.5), { status, retryAfter })
    expect(after(429, 120)).toBe(120_000)
    expect(after(502, 120)).toBe(120_000)
    expect(after(504, 120)).toBe(120_000)
    expect(after(503, 120)).toBe(5_000)
    expect(after(429, 1)).toBe(5_000)
    expect(after(429, 10 * 86_400)).toBe(86_400_000)
  })

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = new Date('2026-12-07T10:00:00Z')
    expect(retryAfterSeconds('30', now)).toBe(30)
    expect(retryAfterSeconds('Mon, 07 Dec 2026 10:02:00 GMT', now)).toBe(120)
    expect(retryAfterSeconds('soon', now)).toBeUndefined()
    expect(retryAfterSeconds(undefined, now)).toBeUndefined()
  })
})
