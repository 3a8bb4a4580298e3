/**
 * Webhook endpoints over HTTP: the secret shown once, CRUD with ETags, precise refusals, access,
 * tenant isolation, and real deliveries to a receiver on loopback verified with the
 * `standardwebhooks` library, across a secret rotation.
 */
import { randomUUID } from 'node:crypto'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { waitUntil } from '../../platform/jobs/testing.ts'
import { COURSE_ARCHIVED, COURSE_PUBLISHED } from '../catalogue/catalogue.events.ts'
import { publishEvents, startReceiver, testPublicEvents, type Receiver } from './testing.ts'

let t: TestApp
let receiver: Receiver
let tenantId: string
let admin: string

beforeAll(async () => {
  receiver = await startReceiver()
  t = await buildTestApp({
    worker: true,
    publicEvents: testPublicEvents(),
    // Receivers run on loopback: the development allowance, and a short deadline.
    egress: { allowPrivateNetworks: true, timeoutMs: 10_000 },
    env: { WEBHOOK_RETRY_SCALE: '0.0001', WEBHOOK_BREAKER_COOLDOWN_SECONDS: '1' },
  })
  ;({ id: tenantId } = await t.createTenant())
  admin = await t.tokenFor(tenantId, ['tenant_admin'])
})
afterAll(async () => {
  await t?.close()
  await receiver?.close()
})

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE'
const call = (method: Method, url: string, token: string, payload?: object, headers: Record<string, string> = {}) =>
  t.app.inject({ method, url, headers: { ...t.auth(token), ...headers }, ...(payload ? { payload } : {}) })

/** An endpoint of its own path on the receiver, so tests tell their requests apart. */
async function createEndpoint(payload: Record<string, unknown> = {}, token = admin) {
  const url = `${receiver.url}/${randomUUID()}`
  const response = await call('POST', '/v1/webhook-endpoints', token, { url, ...payload })
  expect(response.statusCode, response.body).toBe(201)
  return response.json() as { id: string; secret: string; url: string }
}

const pathOf = (url: string) => new URL(url).pathname

/** The requests the endpoint's receiver got, once it got at least `count`. */
function receivedFor(endpoint: { url: string }, count: number) {
  return waitUntil(
    `${count} requests at ${endpoint.url}`,
    async () => {
      const received = receiver.received.filter((r) => r.path === pathOf(endpoint.url))
      return received.length >= count ? received : undefined
    },
    30_000,
  )
}

/**
 * The first request of each webhook-id the endpoint's receiver got (as a receiver dedupes), once
 * there are `count`. Delivery is at least once: under load an attempt can time out after the
 * receiver got it, and its retry arrives again under the same id.
 */
function distinctFor(endpoint: { url: string }, count: number) {
  return waitUntil(
    `${count} messages at ${endpoint.url}`,
    async () => {
      const byId = new Map<string, (typeof receiver.received)[number]>()
      for (const request of receiver.received)
        if (request.path === pathOf(endpoint.url) && !byId.has(request.id)) byId.set(request.id, request)
      return byId.size >= count ? [...byId.values()] : undefined
    },
    30_000,
  )
}

describe('webhook endpoints', () => {
  it('creates one with its secret shown once; reads, lists, changes (If-Match) and deletes it, audited', async () => {
    const created = await call('POST', '/v1/webhook-endpoints', admin, {
      url: receiver.url,
      description: 'ERP',
      eventTypes: [COURSE_PUBLISHED],
    })
    expect(created.statusCode, created.body).toBe(201)
    expect(created.headers.etag).toBe('"v1"')
    const endpoint = created.json() as { id: string; secret: string }
    expect(endpoint).toMatchObject({
      url: receiver.url,
      description: 'ERP',
      eventTypes: [COURSE_PUBLISHED],
      enabled: true,
    })
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    const read = await call('GET', `/v1/webhook-endpoints/${endpoint.id}`, admin)
    expect(read.statusCode).toBe(200)
    expect(read.json()).not.toHaveProperty('secret')
    expect(read.body).not.toContain(endpoint.secret.slice(6))
    const listed = await call('GET', '/v1/webhook-endpoints', admin)
    expect((listed.json() as { data: Array<{ id: string }> }).data.map((e) => e.id)).toContain(endpoint.id)
    const changed = await call(
      'PATCH',
      `/v1/webhook-endpoints/${endpoint.id}`,
      admin,
      { description: 'ERP (prod)', eventTypes: [] },
      { 'if-match': '"v1"' },
    )
    expect(changed.statusCode, changed.body).toBe(200)
    expect(changed.headers.etag).toBe('"v2"')
    expect(changed.json()).toMatchObject({ description: 'ERP (prod)', eventTypes: [] })
    const stale = await call(
      'PATCH',
      `/v1/webhook-endpoints/${endpoint.id}`,
      admin,
      { description: 'x' },
      { 'if-match': '"v1"' },
    )
    expect(stale.statusCode).toBe(412)
    expect((await call('DELETE', `/v1/webhook-endpoints/${endpoint.id}`, admin)).statusCode).toBe(204)
    const gone = await call('GET', `/v1/webhook-endpoints/${endpoint.id}`, admin)
    expect([gone.statusCode, gone.json().code]).toEqual([404, 'WEBHOOK_ENDPOINT_NOT_FOUND'])
    for (const action of ['webhooks.endpoint_created', 'webhooks.endpoint_updated', 'webhooks.endpoint_deleted']) {
      const audit = await call('GET', `/v1/audit-events?action=${action}`, admin)
      const entries = (audit.json() as { data: Array<{ targetId: string }> }).data
      expect(
        entries.map((e) => e.targetId),
        action,
      ).toContain(endpoint.id)
    }
  })

  it('refuses bad input precisely: scheme, guarded addresses, unknown event types, sizes, empty changes', async () => {
    const refusals: Array<[object, number, string]> = [
      [{ url: 'ftp://example.org/hook' }, 400, 'VALIDATION_FAILED'],
      [{ url: 'http://169.254.169.254/latest/meta-data' }, 422, 'WEBHOOK_URL_REFUSED'],
      [{ url: receiver.url, eventTypes: ['nothing.that_happened'] }, 422, 'WEBHOOK_EVENT_TYPE_UNKNOWN'],
      [{ url: receiver.url, eventTypes: ['Not A Type'] }, 400, 'VALIDATION_FAILED'],
      [{ url: receiver.url, description: 'x'.repeat(501) }, 400, 'VALIDATION_FAILED'],
      [{ url: receiver.url, secret: 'whsec_mine' }, 400, 'VALIDATION_FAILED'],
    ]
    for (const [payload, status, code] of refusals) {
      const response = await call('POST', '/v1/webhook-endpoints', admin, payload)
      expect([response.statusCode, response.json().code], JSON.stringify(payload)).toEqual([status, code])
    }
    const unknownType = await call('POST', '/v1/webhook-endpoints', admin, {
      url: receiver.url,
      eventTypes: [COURSE_PUBLISHED, 'nothing.that_happened'],
    })
    expect(unknownType.json().errors).toEqual([
      { path: 'body.eventTypes.1', message: 'is not a public event type', code: 'event_type' },
    ])
    const { id } = await createEndpoint()
    const empty = await call('PATCH', `/v1/webhook-endpoints/${id}`, admin, {})
    expect(empty.statusCode).toBe(400)
    const overlap = await call('POST', `/v1/webhook-endpoints/${id}/secret/rotate`, admin, {
      overlapSeconds: 8 * 86400,
    })
    expect(overlap.statusCode).toBe(400)
    const window = await call('POST', `/v1/webhook-endpoints/${id}/replays`, admin, {
      since: '2026-01-02T00:00:00Z',
      until: '2026-01-01T00:00:00Z',
    })
    expect([window.statusCode, window.json().code]).toEqual([400, 'WEBHOOK_REPLAY_WINDOW_INVALID'])
    const message = await call('POST', `/v1/webhook-endpoints/${id}/messages/${randomUUID()}/redeliver`, admin)
    expect([message.statusCode, message.json().code]).toEqual([404, 'WEBHOOK_MESSAGE_NOT_FOUND'])
  })

  it('is for administrators in person: learners 403, API keys 403 PERSON_REQUIRED, no token 401', async () => {
    const learner = await t.tokenFor(tenantId, ['learner'])
    expect((await call('GET', '/v1/webhook-endpoints', learner)).statusCode).toBe(403)
    const key = await call('POST', '/v1/api-keys', admin, { name: 'k', scopes: ['audit:read'] })
    expect(key.statusCode, key.body).toBe(201)
    const byKey = await call('GET', '/v1/webhook-endpoints', (key.json() as { secret: string }).secret)
    expect([byKey.statusCode, byKey.json().code]).toEqual([403, 'PERSON_REQUIRED'])
    const refused = await call('POST', '/v1/api-keys', admin, { name: 'k2', scopes: ['webhooks:manage'] })
    expect(refused.statusCode).toBe(400)
    expect((await t.app.inject({ method: 'GET', url: '/v1/webhook-endpoints' })).statusCode).toBe(401)
  })

  it("hides another tenant's endpoints: 404 on every route", async () => {
    const { id } = await createEndpoint()
    const other = await t.createTenant()
    const stranger = await t.tokenFor(other.id, ['tenant_admin'])
    for (const [method, path] of [
      ['GET', ''],
      ['PATCH', ''],
      ['DELETE', ''],
      ['GET', '/health'],
      ['GET', '/deliveries'],
      ['GET', '/attempts'],
      ['POST', '/test-event'],
      ['POST', '/secret/rotate'],
      ['GET', '/replays'],
    ] as const) {
      const response = await call(
        method,
        `/v1/webhook-endpoints/${id}${path}`,
        stranger,
        method === 'PATCH' || path === '/secret/rotate' ? { description: 'x' } : undefined,
      )
      if (path === '/secret/rotate') expect(response.statusCode, `${method} ${path}`).toBe(400)
      else
        expect([response.statusCode, response.json().code], `${method} ${path}`).toEqual([
          404,
          'WEBHOOK_ENDPOINT_NOT_FOUND',
        ])
    }
    const rotate = await call('POST', `/v1/webhook-endpoints/${id}/secret/rotate`, stranger, {})
    expect(rotate.statusCode).toBe(404)
    expect((await call('GET', '/v1/webhook-endpoints', stranger)).json()).toEqual({ data: [], nextCursor: null })
  })
})

describe('deliveries', () => {
  it('sends each public event as a signed envelope with per-resource sequence numbers', async () => {
    const endpoint = await createEndpoint({ eventTypes: [COURSE_PUBLISHED] })
    const [courseA, courseB] = [randomUUID(), randomUUID()]
    const ids = await publishEvents(t.platform, tenantId, [
      ...[1, 2, 3].map((versionNumber) => ({
        type: COURSE_PUBLISHED,
        payload: { courseId: courseA, versionId: randomUUID(), versionNumber },
      })),
      { type: COURSE_PUBLISHED, payload: { courseId: courseB, versionId: randomUUID(), versionNumber: 1 } },
      // Not in the endpoint's filter.
      { type: COURSE_ARCHIVED, payload: { courseId: courseB } },
    ])
    const received = await distinctFor(endpoint, 4)
    const verifier = new Webhook(endpoint.secret)
    const envelopes = received.map((r) => verifier.verify(r.body, r.headers) as Record<string, unknown>)
    expect(envelopes.map((e) => e.id).sort()).toEqual(ids.slice(0, 4).sort())
    for (const [index, envelope] of envelopes.entries()) {
      expect(Object.keys(envelope).sort()).toEqual([
        'data',
        'id',
        'resource',
        'sequence',
        'timestamp',
        'type',
        'version',
      ])
      expect(envelope).toMatchObject({ type: COURSE_PUBLISHED, version: 1 })
      expect(received[index]?.id).toBe(envelope.id)
      expect(envelope.data).not.toHaveProperty('versionId')
    }
    const sequences = (course: string) =>
      envelopes
        .filter((e) => e.resource === `course:${course}`)
        .map((e) => e.sequence)
        .sort()
    expect(sequences(courseA)).toEqual([1, 2, 3])
    // Course B's archived event is a message too (for replays and other endpoints): B's two events
    // hold 1 and 2, in the order they were dispatched.
    // (The archived event is dispatched on its own, after or before the published ones: wait for it.)
    const ofB = await waitUntil(`two messages of course ${courseB}`, async () => {
      const messages = await call('GET', '/v1/webhook-messages?limit=100', admin)
      const sequences = (messages.json() as { data: Array<{ resource: string; sequence: number }> }).data
        .filter((m) => m.resource === `course:${courseB}`)
        .map((m) => m.sequence)
      return sequences.length >= 2 ? sequences.sort() : undefined
    })
    expect(ofB).toEqual([1, 2])
    expect(ids).toHaveLength(5)
  })

  it('logs each attempt with the request as sent and the response, and reports health', async () => {
    const endpoint = await createEndpoint()
    receiver.answer = () => ({ status: 200, body: 'ok:'.padEnd(5000, 'x') })
    const test = await call('POST', `/v1/webhook-endpoints/${endpoint.id}/test-event`, admin)
    expect(test.statusCode, test.body).toBe(202)
    const delivery = test.json() as { id: string; messageId: string; eventType: string; trigger: string }
    expect(delivery).toMatchObject({ eventType: 'webhooks.test_event', trigger: 'test' })
    const [received] = await receivedFor(endpoint, 1)
    receiver.answer = () => ({ status: 204 })
    const envelope = new Webhook(endpoint.secret).verify(received!.body, received!.headers)
    expect(envelope).toMatchObject({ type: 'webhooks.test_event', data: { endpointId: endpoint.id } })
    // The attempt is recorded after the receiver answered: wait for it.
    const attempt = await waitUntil('the attempt in the log', async () => {
      const log = await call('GET', `/v1/webhook-endpoints/${endpoint.id}/attempts?deliveryId=${delivery.id}`, admin)
      return (log.json() as { data: Array<Record<string, any>> }).data[0]
    })
    expect(attempt).toMatchObject({ attempt: 1, succeeded: true, error: null, messageId: delivery.messageId })
    expect(attempt?.request.headers['webhook-id']).toBe(delivery.messageId)
    expect(attempt?.request.headers['webhook-signature']).toMatch(/^v1,/)
    expect(attempt?.request.body).toBe(received!.body)
    expect(attempt?.response).toMatchObject({ status: 200, truncated: true })
    expect(attempt?.response.body).toHaveLength(4096)
    const health = await call('GET', `/v1/webhook-endpoints/${endpoint.id}/health`, admin)
    expect(health.json()).toMatchObject({
      enabled: true,
      breaker: { state: 'closed', consecutiveFailures: 0, openUntil: null },
      last24h: { attempts: 1, succeeded: 1, successRate: 1 },
      lastError: null,
      backlog: 0,
    })
  })

  it('signs with the old and the new secret during a rotation overlap, and with the new one only after it', async () => {
    const endpoint = await createEndpoint()
    const rotated = await call('POST', `/v1/webhook-endpoints/${endpoint.id}/secret/rotate`, admin, {})
    expect(rotated.statusCode, rotated.body).toBe(200)
    const { secret: second, previousSecretExpiresAt } = rotated.json() as {
      secret: string
      previousSecretExpiresAt: string
    }
    expect(Date.parse(previousSecretExpiresAt) - Date.now()).toBeGreaterThan(86_300_000)
    await call('POST', `/v1/webhook-endpoints/${endpoint.id}/test-event`, admin)
    const [during] = await receivedFor(endpoint, 1)
    expect(during!.signature.split(' ')).toHaveLength(2)
    expect(new Webhook(endpoint.secret).verify(during!.body, during!.headers)).toBeTruthy()
    expect(new Webhook(second).verify(during!.body, during!.headers)).toBeTruthy()
    // Rotating again with no overlap: only the newest secret signs.
    const again = await call('POST', `/v1/webhook-endpoints/${endpoint.id}/secret/rotate`, admin, { overlapSeconds: 0 })
    const third = (again.json() as { secret: string }).secret
    await call('POST', `/v1/webhook-endpoints/${endpoint.id}/test-event`, admin)
    const after = (await receivedFor(endpoint, 2)).find((r) => r.id !== during!.id)!
    expect(after.signature.split(' ')).toHaveLength(1)
    expect(new Webhook(third).verify(after.body, after.headers)).toBeTruthy()
    for (const old of [endpoint.secret, second])
      expect(() => new Webhook(old).verify(after.body, after.headers)).toThrow()
  })

  it('redelivers one message under the same webhook-id; replays a window, including events while disabled', async () => {
    const endpoint = await createEndpoint({ eventTypes: [COURSE_ARCHIVED] })
    const since = new Date().toISOString()
    const [first] = await publishEvents(t.platform, tenantId, [
      { type: COURSE_ARCHIVED, payload: { courseId: randomUUID() } },
    ])
    await receivedFor(endpoint, 1)
    // The attempt is recorded after the receiver answered: wait for it before redelivering.
    await waitUntil('the first delivery to succeed', async () => {
      const page = await call('GET', `/v1/webhook-endpoints/${endpoint.id}/deliveries?status=succeeded`, admin)
      return (page.json() as { data: unknown[] }).data.length === 1
    })
    const again = await call('POST', `/v1/webhook-endpoints/${endpoint.id}/messages/${first}/redeliver`, admin)
    expect(again.statusCode, again.body).toBe(202)
    await receivedFor(endpoint, 2)
    const off = await call('PATCH', `/v1/webhook-endpoints/${endpoint.id}`, admin, { enabled: false })
    expect(off.json()).toMatchObject({ enabled: false, disabledReason: 'manual' })
    const [missed] = await publishEvents(t.platform, tenantId, [
      { type: COURSE_ARCHIVED, payload: { courseId: randomUUID() } },
    ])
    const refused = await call('POST', `/v1/webhook-endpoints/${endpoint.id}/replays`, admin, { since })
    expect([refused.statusCode, refused.json().code]).toEqual([409, 'WEBHOOK_ENDPOINT_DISABLED'])
    // The outbox turns the event into a message while the endpoint is still disabled (re-enabling
    // first would let the fan-out start a delivery, which is not what this test is about).
    await waitUntil('the missed event as a message', async () => {
      const page = await call('GET', `/v1/webhook-messages?type=${COURSE_ARCHIVED}`, admin)
      return (page.json() as { data: Array<{ id: string }> }).data.some((m) => m.id === missed)
    })
    await call('PATCH', `/v1/webhook-endpoints/${endpoint.id}`, admin, { enabled: true })
    expect(receiver.received.some((r) => r.id === missed && r.path === pathOf(endpoint.url))).toBe(false)
    const replay = await call('POST', `/v1/webhook-endpoints/${endpoint.id}/replays`, admin, { since })
    expect(replay.statusCode, replay.body).toBe(202)
    const { id: replayId } = replay.json() as { id: string }
    const done = await waitUntil('the replay', async () => {
      const read = await call('GET', `/v1/webhook-endpoints/${endpoint.id}/replays/${replayId}`, admin)
      const body = read.json() as { status: string }
      return body.status === 'completed' ? body : undefined
    })
    expect(done).toMatchObject({ enqueued: 2, skipped: 0 })
    const all = await receivedFor(endpoint, 4)
    expect(all.map((r) => r.id).sort()).toEqual([first, first, first, missed].sort())
    const replays = await call('GET', `/v1/webhook-endpoints/${endpoint.id}/replays`, admin)
    expect((replays.json() as { data: unknown[] }).data).toHaveLength(1)
  })
})
