/**
 * How deliveries meet failing receivers (on loopback, through the real egress client with a 2 s
 * deadline, the schedule compressed 10,000 times): 410 Gone disables the endpoint, a 3xx is a
 * failure, Retry-After is honoured, a hung receiver holds at most its concurrency cap while another
 * endpoint's deliveries flow, the circuit breaker opens and recovers, a delivery whose job fails for
 * the last time ends dead, and the delivery metrics.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { sql } from 'drizzle-orm'
import { rowsOf, tenantScope } from '../../platform/db/database.ts'
import { waitUntil } from '../../platform/jobs/testing.ts'
import { COURSE_ARCHIVED } from '../catalogue/catalogue.events.ts'
import { publishEvents, startReceiver, testPublicEvents, type Receiver } from './testing.ts'

const SCALE = 0.0001
let t: TestApp
let receiver: Receiver
let admin: string
let tenantId: string

beforeAll(async () => {
  receiver = await startReceiver()
  t = await buildTestApp({
    worker: true,
    publicEvents: testPublicEvents(),
    // Receivers run on loopback: the development allowance, and a short deadline.
    egress: { allowPrivateNetworks: true, timeoutMs: 2000 },
    env: {
      WEBHOOK_RETRY_SCALE: String(SCALE),
      WEBHOOK_BREAKER_THRESHOLD: '5',
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

type Method = 'GET' | 'POST' | 'PATCH'
const call = (method: Method, url: string, payload?: object) =>
  t.app.inject({ method, url, headers: t.auth(admin), ...(payload ? { payload } : {}) })

/** A tenant of its own per test (its events reach only its endpoints) and an endpoint at its own path. */
async function setUp(answer: Receiver['answer']) {
  ;({ id: tenantId } = await t.createTenant())
  admin = await t.tokenFor(tenantId, ['tenant_admin'])
  return endpointAt(`/${randomUUID()}`, answer)
}

const answers = new Map<string, Receiver['answer']>()
async function endpointAt(name: string, answer: Receiver['answer']) {
  const path = new URL(`${receiver.url}${name}`).pathname
  answers.set(path, answer)
  receiver.answer = (request) => (answers.get(request.path) ?? (() => ({ status: 204 })))(request)
  const created = await call('POST', '/v1/webhook-endpoints', { url: `${receiver.url}${name}` })
  expect(created.statusCode, created.body).toBe(201)
  return { ...(created.json() as { id: string; secret: string }), path }
}

const archived = (n: number) =>
  Array.from({ length: n }, () => ({ type: COURSE_ARCHIVED, payload: { courseId: randomUUID() } }))

interface Delivery {
  id: string
  status: string
  attempts: number
  lastError: string | null
  nextAttemptAt: string | null
  lastAttemptAt: string | null
}
async function deliveriesOf(endpointId: string): Promise<Delivery[]> {
  const page = await call('GET', `/v1/webhook-endpoints/${endpointId}/deliveries?limit=100`)
  return (page.json() as { data: Delivery[] }).data
}

const settled = (endpointId: string, count: number, status = 'succeeded') =>
  waitUntil(
    `${count} ${status} deliveries of ${endpointId}`,
    async () => {
      const all = await deliveriesOf(endpointId)
      return all.filter((d) => d.status === status).length >= count ? all : undefined
    },
    45_000,
  )

describe('failing receivers', () => {
  it('410 Gone disables the endpoint, audited, with the reason on the endpoint; later events wait for a replay', async () => {
    const endpoint = await setUp(() => ({ status: 410, body: 'no such hook' }))
    await publishEvents(t.platform, tenantId, archived(1))
    await settled(endpoint.id, 1, 'dead')
    const read = await call('GET', `/v1/webhook-endpoints/${endpoint.id}`)
    expect(read.json()).toMatchObject({ enabled: false, disabledReason: 'gone' })
    expect((read.json() as { disabledDetail: string }).disabledDetail).toContain('410 Gone')
    const audit = await call('GET', '/v1/audit-events?action=webhooks.endpoint_disabled')
    expect((audit.json() as { data: Array<Record<string, unknown>> }).data[0]).toMatchObject({
      targetId: endpoint.id,
      details: { reason: 'gone', status: 410 },
    })
    const health = await call('GET', `/v1/webhook-endpoints/${endpoint.id}/health`)
    expect(health.json()).toMatchObject({ enabled: false, disabledReason: 'gone', lastError: { responseStatus: 410 } })
    await publishEvents(t.platform, tenantId, archived(1))
    const messages = await waitUntil('two messages', async () => {
      const page = await call('GET', '/v1/webhook-messages')
      const data = (page.json() as { data: unknown[] }).data
      return data.length === 2 ? data : undefined
    })
    expect(messages).toHaveLength(2)
    expect(await deliveriesOf(endpoint.id)).toHaveLength(1)
    expect(receiver.received.filter((r) => r.path === endpoint.path)).toHaveLength(1)
  })

  it('counts a 3xx as a failure (redirects are not followed) and retries', async () => {
    let calls = 0
    const endpoint = await setUp(() =>
      ++calls === 1 ? { status: 302, headers: { location: '/elsewhere' } } : { status: 204 },
    )
    await publishEvents(t.platform, tenantId, archived(1))
    const [delivery] = await settled(endpoint.id, 1)
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 2 })
    const log = await call('GET', `/v1/webhook-endpoints/${endpoint.id}/attempts`)
    const [second, first] = (log.json() as { data: Array<Record<string, any>> }).data
    expect(first).toMatchObject({ attempt: 1, succeeded: false, response: { status: 302 } })
    expect(first?.error).toContain('redirects are not followed')
    expect(second).toMatchObject({ attempt: 2, succeeded: true })
    expect(receiver.received.filter((r) => r.path.endsWith('/elsewhere'))).toHaveLength(0)
    const ids = receiver.received.filter((r) => r.path === endpoint.path).map((r) => r.id)
    expect(new Set(ids).size).toBe(1)
  })

  it('honours Retry-After on 429: the next attempt waits at least that long (compressed)', async () => {
    let calls = 0
    const endpoint = await setUp(() =>
      ++calls === 1 ? { status: 429, headers: { 'retry-after': '20000' } } : { status: 204 },
    )
    await publishEvents(t.platform, tenantId, archived(1))
    const retrying = await waitUntil('the retry', async () => {
      const [delivery] = await deliveriesOf(endpoint.id)
      return delivery?.status === 'retrying' ? delivery : undefined
    })
    const log = await call('GET', `/v1/webhook-endpoints/${endpoint.id}/attempts`)
    const [first] = (log.json() as { data: Array<{ startedAt: string; response: { status: number } }> }).data
    expect(first?.response.status).toBe(429)
    // 20,000 s compressed 10,000 times is 2 s; the schedule's own 5 s step would be 0.5 ms.
    const wait = Date.parse(retrying.nextAttemptAt!) - Date.parse(first!.startedAt)
    expect(wait).toBeGreaterThanOrEqual(2000)
    await settled(endpoint.id, 1)
  })

  it("a hung receiver holds at most its concurrency cap while another endpoint's deliveries flow", async () => {
    const hung = await setUp(() => ({ status: 200, hang: true }))
    const fast = await endpointAt(`/${randomUUID()}`, () => ({ status: 204 }))
    await publishEvents(t.platform, tenantId, archived(20))
    await settled(fast.id, 20)
    const hungDeliveries = await deliveriesOf(hung.id)
    expect(hungDeliveries.filter((d) => d.status === 'succeeded')).toHaveLength(0)
    // The cap is counted under the endpoint's health row lock, not only by pg-boss's per-fetch group
    // limit, which the worker's concurrent fetchers can exceed.
    expect(receiver.maxOpen.get(hung.path)).toBeLessThanOrEqual(2)
    expect(receiver.received.filter((r) => r.path === hung.path).length).toBeLessThan(20)
    // The hung endpoint's failures opened its breaker: its deliveries wait instead of taking workers.
    await call('PATCH', `/v1/webhook-endpoints/${hung.id}`, { enabled: false })
  })

  it('the circuit breaker opens after consecutive failures and a probe closes it once the receiver recovers', async () => {
    let healthy = false
    const endpoint = await setUp(() => ({ status: healthy ? 204 : 500 }))
    await publishEvents(t.platform, tenantId, archived(6))
    const open = await waitUntil('the breaker to open', async () => {
      const health = (await call('GET', `/v1/webhook-endpoints/${endpoint.id}/health`)).json() as {
        breaker: { state: string; consecutiveFailures: number; openUntil: string | null }
      }
      return health.breaker.state === 'open' ? health : undefined
    })
    expect(open.breaker.consecutiveFailures).toBeGreaterThanOrEqual(5)
    expect(open.breaker.openUntil).not.toBeNull()
    healthy = true
    const done = await settled(endpoint.id, 6)
    // The probe's success released the deliveries waiting behind it: none waited out the probe's
    // 30 s lease (they would have, before the release).
    const sentAt = done.map((d) => Date.parse(d.lastAttemptAt!))
    expect(Math.max(...sentAt) - Math.min(...sentAt)).toBeLessThan(30_000)
    const health = (await call('GET', `/v1/webhook-endpoints/${endpoint.id}/health`)).json()
    expect(health).toMatchObject({ breaker: { state: 'closed', consecutiveFailures: 0 }, backlog: 0 })
    expect((health as { lastError: { responseStatus: number } }).lastError.responseStatus).toBe(500)
  })

  it('a delivery whose job fails for the last time ends dead with the reason, counted, and is redelivered once fixed', async () => {
    const endpoint = await setUp(() => ({ status: 204 }))
    // A sealed secret that no longer opens (a KEY_ENCRYPTION_KEY changed without re-encryption):
    // the job's own work throws on every run, whatever the receiver does.
    await t.platform.database.transaction(tenantScope(tenantId), (tx) =>
      tx.execute(
        sql`UPDATE webhooks.endpoint_secrets SET secret_sealed = 'not-a-sealed-secret' WHERE endpoint_id = ${endpoint.id}`,
      ),
    )
    const [messageId] = await publishEvents(t.platform, tenantId, archived(1))
    const [dead] = await settled(endpoint.id, 1, 'dead')
    expect(dead).toMatchObject({ status: 'dead', attempts: 0 })
    expect(dead?.lastError).toMatch(/^its delivery job failed 6 times \(.+\); redeliver or replay it/)
    expect(receiver.received.filter((r) => r.path === endpoint.path)).toHaveLength(0)
    const metrics = await t.platform.metrics.collect()
    expect(metrics).toMatch(/lyceum_webhook_deliveries_ended_total\{status="dead",reason="job_failed"\} [1-9]/)
    // Fixed by a new secret: the dead delivery is redelivered and arrives.
    const rotated = await call('POST', `/v1/webhook-endpoints/${endpoint.id}/secret/rotate`, { overlapSeconds: 0 })
    expect(rotated.statusCode, rotated.body).toBe(200)
    const again = await call('POST', `/v1/webhook-endpoints/${endpoint.id}/messages/${messageId}/redeliver`)
    expect(again.statusCode, again.body).toBe(202)
    await settled(endpoint.id, 1)
    expect(receiver.received.filter((r) => r.path === endpoint.path).map((r) => r.id)).toEqual([messageId])
  })

  it('the sweep starts deliveries whose chain of jobs broke: a lost job, and a backlog with no job holding a slot', async () => {
    const endpoint = await setUp(() => ({ status: 204 }))
    await call('PATCH', `/v1/webhook-endpoints/${endpoint.id}`, { enabled: false })
    const ids = await publishEvents(t.platform, tenantId, archived(2))
    await waitUntil('both messages', async () => {
      const page = await call('GET', '/v1/webhook-messages')
      return (page.json() as { data: unknown[] }).data.length === 2 ? true : undefined
    })
    // Two live deliveries without a job behind them, as a lost job or a failed top-up leaves them:
    // one due long ago (its job never ran), one waiting for a slot while nothing holds one.
    const messageRows = await t.platform.database.transaction(tenantScope(tenantId), (tx) =>
      rowsOf<{ id: string }>(tx, sql`SELECT id FROM webhooks.messages ORDER BY occurred_at`),
    )
    const [lost, waiting] = messageRows.map((row) => row.id)
    await t.platform.database.transaction(tenantScope(tenantId), async (tx) => {
      await tx.execute(sql`UPDATE webhooks.endpoints SET enabled = true WHERE id = ${endpoint.id}`)
      for (const [messageId, due] of [
        [lost, sql`now() - interval '1 hour'`],
        [waiting, sql`NULL`],
      ] as const)
        await tx.execute(
          sql`INSERT INTO webhooks.deliveries (tenant_id, endpoint_id, message_id, trigger, status, next_attempt_at)
              VALUES (${tenantId}, ${endpoint.id}, ${messageId}, 'event', 'pending', ${due})`,
        )
    })
    expect(await t.modules.webhooks.sweepWindows()).toEqual({ rescheduled: 1, refilled: 1 })
    await settled(endpoint.id, 2)
    const received = receiver.received.filter((r) => r.path === endpoint.path).map((r) => r.id)
    expect(received.sort()).toEqual([...ids].sort())
    expect(await t.modules.webhooks.sweepWindows()).toEqual({ rescheduled: 0, refilled: 0 })
  })

  it('counts attempts by outcome and result, and their durations, without tenant labels', async () => {
    const metrics = await t.platform.metrics.collect()
    expect(metrics).toMatch(/lyceum_webhook_attempts_total\{outcome="succeeded",result="http_2xx"\} [1-9]/)
    expect(metrics).toMatch(/lyceum_webhook_attempts_total\{outcome="retrying",result="http_5xx"\} [1-9]/)
    expect(metrics).toMatch(/lyceum_webhook_attempt_duration_seconds_count\{result="http_2xx"\} [1-9]/)
    // Deferrals happen only when a due job meets a held-back endpoint, which timing decides.
    expect(metrics).toMatch(/# TYPE lyceum_webhook_deferrals_total counter/)
    const webhookLines = metrics.split('\n').filter((line) => line.startsWith('lyceum_webhook_'))
    expect(webhookLines.length).toBeGreaterThan(0)
    for (const line of webhookLines) expect(line).not.toMatch(/tenant|endpoint|[0-9a-f]{8}-[0-9a-f]{4}-/)
  })
})
