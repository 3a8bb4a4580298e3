/**
 * The gateway's bounds, each provoked by a real client against a listening app with small limits:
 * the event rate (error acks, then a disconnect when sustained), the message size, the
 * connections of one user, and a client that stops reading (its queue may not grow without bound).
 */
import { randomUUID } from 'node:crypto'
import { Type } from 'typebox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Socket } from 'socket.io-client'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { EventBudget, DEFAULT_LIMITS } from './limits.ts'
import { client, connected, disconnected, eventually, listen, refusal, request } from './realtime.testing.ts'

const LIMITS = {
  maxMessageBytes: 4 * 1024,
  eventBurst: 5,
  eventsPerSecond: 1,
  maxRefusedEvents: 8,
  maxConnectionsPerUser: 2,
  maxQueuedPackets: 50,
}

let t: TestApp
let url: string
let tenant: { id: string; slug: string }
const sockets: Socket[] = []

async function open(userId = randomUUID()) {
  const token = await t.tokenFor(tenant.id, ['learner'], userId)
  const socket = client(url, { host: `${tenant.slug}.localhost`, token })
  sockets.push(socket)
  return { socket, userId, token }
}

const disconnects = async (reason: string) => {
  const metric = await t.platform.metrics.realtimeDisconnects.get()
  return metric.values.find((v) => v.labels.reason === reason)?.value ?? 0
}

beforeAll(async () => {
  t = await buildTestApp({
    realtime: {
      limits: LIMITS,
      register(gateway) {
        gateway.registerServerEvent('bulk.data', Type.Object({ blob: Type.String({ maxLength: 20_000 }) }))
        gateway.registerClientEvent(
          'bulk.ping',
          Type.Object({ text: Type.String({ maxLength: 10_000 }) }),
          async () => ({}),
        )
      },
    },
  })
  url = await listen(t)
  tenant = await t.createTenant()
})
afterAll(async () => {
  for (const socket of sockets) socket.close()
  await t?.close()
})

describe('the token bucket', () => {
  it('refills over time and flags sustained refusals', () => {
    const start = 1_000_000
    const budget = new EventBudget({ ...DEFAULT_LIMITS, eventBurst: 2, eventsPerSecond: 1, maxRefusedEvents: 3 }, start)
    expect([budget.take(start), budget.take(start), budget.take(start)]).toEqual([true, true, false])
    expect(budget.take(start + 1_000)).toBe(true)
    expect([budget.refuse(start), budget.refuse(start + 1), budget.refuse(start + 2)]).toEqual([false, false, true])
    // Refusals older than the window no longer count.
    expect(budget.refuse(start + DEFAULT_LIMITS.abuseWindowMs + 10)).toBe(false)
  })
})

describe('limits', () => {
  it('answers events beyond the rate with 429 acks, then disconnects a client that keeps going', async () => {
    const { socket } = await open()
    await connected(socket)
    const acks = []
    for (let i = 0; i < LIMITS.eventBurst + 2; i++) acks.push(await request(socket, 'bulk.ping', { text: 'x' }))
    expect(acks.slice(0, LIMITS.eventBurst).every((ack) => ack.ok)).toBe(true)
    expect(acks.at(-1)).toMatchObject({ ok: false, error: { status: 429, code: 'RATE_LIMITED', retryAfter: 1 } })
    const gone = disconnected(socket)
    const before = await disconnects('abuse')
    for (let i = 0; i < LIMITS.maxRefusedEvents; i++) socket.emit('bulk.ping', { text: 'x' })
    expect(await gone).toBe('io server disconnect')
    expect(await disconnects('abuse')).toBe(before + 1)
  })

  it('closes the connection of a client that sends a message over the size limit', async () => {
    const { socket } = await open()
    await connected(socket)
    const gone = disconnected(socket)
    socket.emit('bulk.ping', { text: 'x'.repeat(LIMITS.maxMessageBytes + 100) })
    expect(await gone).toBe('transport close')
  })

  it('caps the connections of one user', async () => {
    const userId = randomUUID()
    const first = await open(userId)
    const second = await open(userId)
    await connected(first.socket)
    await connected(second.socket)
    const third = await open(userId)
    expect((await refusal(third.socket)).data).toMatchObject({ status: 429, code: 'TOO_MANY_CONNECTIONS' })
    // A closed connection frees its place.
    first.socket.close()
    await eventually(async () => (await t.realtime.gateway.presenceOf(tenant.id, [userId])).length === 1)
    let fourth: Socket | undefined
    await eventually(async () => {
      const attempt = (await open(userId)).socket
      try {
        fourth = await connected(attempt)
        return true
      } catch {
        return false
      }
    })
    expect(fourth?.connected).toBe(true)
  })

  it('drops a client that stops reading before its queue grows without bound, and keeps one that reads', async () => {
    const userId = randomUUID()
    const [slow, reader] = [await open(userId), await open(userId)]
    await Promise.all([connected(slow.socket), connected(reader.socket)])
    let received = 0
    reader.socket.on('bulk.data', () => received++)
    const before = await disconnects('slow_consumer')
    const open0 = t.realtime.stats().connections
    // The slow client's TCP socket stops reading: the kernel buffers fill, then the server's queue.
    const engine = slow.socket.io.engine as unknown as { transport: { ws: { _socket: { pause(): void } } } }
    engine.transport.ws._socket.pause()
    const blob = 'x'.repeat(16_000)
    let sent = 0
    while (sent < 20_000 && (await disconnects('slow_consumer')) === before) {
      t.realtime.gateway.publish(tenant.id, `user:${userId}`, 'bulk.data', { blob })
      // Fewer packets per turn of the event loop than the limit: a client that reads keeps up.
      if (++sent % 10 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    expect(await disconnects('slow_consumer')).toBe(before + 1)
    await eventually(() => t.realtime.stats().connections === open0 - 1)
    expect(reader.socket.connected).toBe(true)
    await eventually(() => received === sent)
    const queues = [...t.realtime.io.sockets.sockets.values()].map(
      (s) => (s.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length,
    )
    expect(Math.max(0, ...queues)).toBeLessThanOrEqual(LIMITS.maxQueuedPackets)
  })
})
