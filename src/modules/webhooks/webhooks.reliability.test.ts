/**
 * The reliability issue 13 asks for: 1,000 events to a receiver on loopback that fails 10 % of
 * requests at random and sometimes hangs past the egress deadline (2 s here), the schedule
 * compressed 10,000 times. At least 99.9 % are delivered, the receiver (deduping on webhook-id)
 * acts on each id once, nothing is lost (every delivery ends succeeded or dead), and a dead
 * endpoint's events end dead, then arrive when replayed.
 */
import { randomUUID } from 'node:crypto'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, testDatabaseUrl, type TestApp } from '../../../test/build-test-app.ts'
import { waitUntil } from '../../platform/jobs/testing.ts'
import { COURSE_ARCHIVED, COURSE_PUBLISHED } from '../catalogue/catalogue.events.ts'
import { publishEvents, startReceiver, testPublicEvents, type Answer, type Receiver } from './testing.ts'

// The 1,000 on PostgreSQL (CI runs both modes). Embedded PGlite has one connection, so
// the same mechanism is shown with 400 events there: 1,000 took 160 s of a CI run's 900.
const EVENTS = testDatabaseUrl() ? 1000 : 400
// Generous bounds for a loaded machine: publishing and dispatching 1,000 events (one events.dispatch
// job each) dominates; deliveries keep pace with the fan-out.
const BOUND_MS = 400_000
let t: TestApp
let receiver: Receiver

beforeAll(async () => {
  receiver = await startReceiver()
  t = await buildTestApp({
    worker: true,
    publicEvents: testPublicEvents(),
    egress: { allowPrivateNetworks: true, timeoutMs: 2000 },
    env: {
      WEBHOOK_RETRY_SCALE: '0.0001',
      WEBHOOK_BREAKER_COOLDOWN_SECONDS: '1',
      WEBHOOK_ENDPOINT_CONCURRENCY: '2',
      WEBHOOK_DELIVERY_WORKERS: '8',
    },
  })
})
afterAll(async () => {
  await t?.close()
  await receiver?.close()
})

/** A small seeded generator, so a failing run can be told apart from bad luck by running it again. */
function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let x = Math.imul(state ^ (state >>> 15), 1 | state)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

const answers = new Map<string, Receiver['answer']>()

async function setUp(answer: Receiver['answer'], eventTypes: string[] = []) {
  const { id: tenantId } = await t.createTenant()
  const admin = await t.tokenFor(tenantId, ['tenant_admin'])
  const url = `${receiver.url}/${randomUUID()}`
  const path = new URL(url).pathname
  answers.set(path, answer)
  receiver.answer = (request) => (answers.get(request.path) ?? (() => ({ status: 204 })))(request)
  const created = await t.app.inject({
    method: 'POST',
    url: '/v1/webhook-endpoints',
    headers: t.auth(admin),
    payload: { url, eventTypes },
  })
  expect(created.statusCode, created.body).toBe(201)
  const endpoint = created.json() as { id: string; secret: string }
  const call = (method: 'GET' | 'POST', route: string, payload?: object) =>
    t.app.inject({ method, url: route, headers: t.auth(admin), ...(payload ? { payload } : {}) })
  return { tenantId, endpoint, path, call }
}

interface Delivery {
  messageId: string
  status: string
  attempts: number
  lastError: string | null
}

/** Every delivery of the endpoint with `status`, page by page. */
async function deliveriesOf(call: Awaited<ReturnType<typeof setUp>>['call'], endpointId: string, status: string) {
  const all: Delivery[] = []
  let cursor: string | null = null
  do {
    const after: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
    const page = await call('GET', `/v1/webhook-endpoints/${endpointId}/deliveries?status=${status}&limit=100${after}`)
    expect(page.statusCode, page.body).toBe(200)
    const body = page.json() as { data: Delivery[]; nextCursor: string | null }
    all.push(...body.data)
    cursor = body.nextCursor
  } while (cursor)
  return all
}

const backlogOf = async (call: Awaited<ReturnType<typeof setUp>>['call'], endpointId: string) =>
  ((await call('GET', `/v1/webhook-endpoints/${endpointId}/health`)).json() as { backlog: number }).backlog

describe('delivery under an unreliable receiver', { timeout: 900_000 }, () => {
  it('of 1,000 events, at least 99.9 % arrive, each acted on once after dedupe, none lost', async () => {
    const random = seeded(13)
    /** What the receiver acted on, once per webhook-id (a real receiver's dedupe). */
    const processed = new Set<string>()
    let requests = 0
    let unverified = 0
    const signed: { by?: Webhook } = {}
    const { tenantId, endpoint, call } = await setUp((request): Answer => {
      requests++
      try {
        signed.by!.verify(request.body, request.headers)
      } catch {
        unverified++
        return { status: 400 }
      }
      const roll = random()
      if (roll < 0.1) return { status: 500, body: 'flaky' }
      processed.add(request.id)
      // Acted on, but the answer never comes: the sender's deadline ends the request and the
      // retry arrives again under the same webhook-id.
      if (roll < 0.105) return { status: 200, hang: true }
      return { status: 204 }
    })
    signed.by = new Webhook(endpoint.secret)
    const ids = await publishEvents(
      t.platform,
      tenantId,
      Array.from({ length: EVENTS }, () => ({ type: COURSE_ARCHIVED, payload: { courseId: randomUUID() } })),
    )
    await waitUntil('the receiver to act on the events', async () => processed.size >= EVENTS * 0.999, BOUND_MS, 200)
    await waitUntil('every delivery to settle', async () => (await backlogOf(call, endpoint.id)) === 0, BOUND_MS, 250)
    const succeeded = await deliveriesOf(call, endpoint.id, 'succeeded')
    const dead = await deliveriesOf(call, endpoint.id, 'dead')
    // None lost: every event's delivery ended, succeeded or dead (and visible as such).
    expect(succeeded.length + dead.length).toBe(EVENTS)
    expect(new Set([...succeeded, ...dead].map((d) => d.messageId))).toEqual(new Set(ids))
    expect(succeeded.length).toBeGreaterThanOrEqual(EVENTS * 0.999)
    for (const delivery of dead) expect(delivery.lastError).toBeTruthy()
    // The receiver acted on every delivered id, once, and on nothing else.
    expect(new Set(succeeded.map((d) => d.messageId))).toEqual(
      new Set([...processed].filter((id) => succeeded.some((d) => d.messageId === id))),
    )
    for (const id of processed) expect(ids).toContain(id)
    expect(requests).toBeGreaterThan(EVENTS)
    // Every request carried a valid Standard Webhooks signature, retries included.
    expect(unverified).toBe(0)
  })

  it("a dead endpoint's events end dead with the reason, and a replay delivers them", async () => {
    let healthy = false
    const { tenantId, endpoint, path, call } = await setUp(
      () => (healthy ? { status: 204 } : { status: 503, body: 'down' }),
      [COURSE_PUBLISHED],
    )
    const since = new Date(Date.now() - 1000).toISOString()
    const ids = await publishEvents(
      t.platform,
      tenantId,
      Array.from({ length: 20 }, (_, i) => ({
        type: COURSE_PUBLISHED,
        payload: { courseId: randomUUID(), versionNumber: i + 1 },
      })),
    )
    await waitUntil(
      'every delivery to die',
      async () => (await deliveriesOf(call, endpoint.id, 'dead')).length === ids.length,
      BOUND_MS,
      250,
    )
    expect(await backlogOf(call, endpoint.id)).toBe(0)
    const dead = await deliveriesOf(call, endpoint.id, 'dead')
    expect(new Set(dead.map((d) => d.messageId))).toEqual(new Set(ids))
    for (const delivery of dead) expect(delivery.lastError).toMatch(/HTTP 503|circuit breaker/)
    healthy = true
    const replay = await call('POST', `/v1/webhook-endpoints/${endpoint.id}/replays`, { since })
    expect(replay.statusCode, replay.body).toBe(202)
    await waitUntil(
      'the replayed events to arrive',
      async () => {
        const arrived = new Set(receiver.received.filter((r) => r.path === path && r.status === 204).map((r) => r.id))
        return ids.every((id) => arrived.has(id))
      },
      BOUND_MS,
      200,
    )
    // The last attempt is recorded after the receiver answered: wait for the deliveries to say so.
    const replayed = await waitUntil(
      'the replayed deliveries to succeed',
      async () => {
        const succeeded = await deliveriesOf(call, endpoint.id, 'succeeded')
        return succeeded.length >= ids.length ? succeeded : undefined
      },
      BOUND_MS,
      200,
    )
    expect(new Set(replayed.map((d) => d.messageId))).toEqual(new Set(ids))
  })
})
