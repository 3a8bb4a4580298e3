/**
 * One delivery attempt per job (`webhooks.deliver`, ADR 0034). The job admits the attempt under
 * the endpoint's breaker (or puts it off, spending no attempt), signs the message with every
 * secret that signs now, posts it through the egress client (SSRF guard at connect time, no
 * redirects, 15 s, capped response) outside any transaction, then records the attempt and decides
 * what comes next in one transaction: succeeded (2xx), the next attempt on the schedule (anything
 * else: 3xx, 4xx, 5xx, timeouts, refused connections), dead after the last one, or, on 410 Gone,
 * dead with the endpoint disabled. pg-boss runs at most WEBHOOK_ENDPOINT_CONCURRENCY of one
 * endpoint's jobs at once (its group), so a hung receiver holds only that many of the
 * WEBHOOK_DELIVERY_WORKERS slots while the others serve other endpoints.
 */
import { randomUUID } from 'node:crypto'
import { and, asc, eq, gt, inArray, lte, ne } from 'drizzle-orm'
import type { Logger } from 'pino'
import { recordAudit } from '../../platform/audit/audit.ts'
import { tenantScope, type Database, type Tx } from '../../platform/db/database.ts'
import { systemContext } from '../../platform/http/request-context.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
import { admit, recordOutcome, type BreakerPolicy } from './breaker.ts'
import { DELIVER_QUEUE, endLiveDeliveries, type DeliverJob } from './messages.ts'
import { nextDelayMs, scheduleEndsAt, retryAfterSeconds, type RetryTiming } from './schedule.ts'
import { signingSecrets } from './secrets.ts'
import { signedHeaders } from './signing.ts'
import { attempts, deliveries, endpoints, messages, type DeliveryRow, type EndpointRow } from './webhooks.tables.ts'
import { STORED_RESPONSE_CHARS } from './webhooks.vocabulary.ts'

/** What the delivery needs of the egress client (src/platform/net/egress.ts). */
export interface WebhookEgress {
  /** Throws (EgressRefusedError: reason, detail) when the URL may not be called. */
  checkUrl(url: string): unknown
  post(
    url: string,
    request: { headers: Record<string, string>; body: string },
  ): Promise<{ status: number; headers: unknown; body: string; truncated: boolean; durationMs: number }>
}

export interface DeliveryDeps {
  database: Database
  jobs: Jobs
  egress: WebhookEgress
  kek: Uint8Array
  timing: RetryTiming
  breaker: BreakerPolicy
  logger: Logger
}

export type DeliveryOutcome = 'stale' | 'deferred' | 'succeeded' | 'retrying' | 'dead'

interface Ready {
  delivery: DeliveryRow
  endpoint: EndpointRow
  body: string
  secrets: string[]
  /** The half-open breaker's probe: its success releases the deliveries that waited for it. */
  probe: boolean
}

/** At most this many waiting deliveries are released at once; the rest keep their own time. */
const RELEASE_BATCH = 100

interface Response {
  status: number | undefined
  body: string | null
  truncated: boolean
  retryAfter: number | undefined
  durationMs: number
  error: string | null
}

const USER_AGENT = 'Lyceum-Webhooks/1.0 (+https://www.standardwebhooks.com)'

/** The value of a response header, whatever shape the client gives headers in. */
function headerValue(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined
  const getter = (headers as { get?: unknown }).get
  if (typeof getter === 'function') return (getter.call(headers, name) as string | null) ?? undefined
  const value = (headers as Record<string, unknown>)[name]
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : undefined
  return typeof value === 'string' ? value : undefined
}

/** Why a request failed, from the egress client's errors (reason + detail) or anything else. */
function failureOf(error: unknown): string {
  if (error && typeof error === 'object') {
    const { reason, detail, message } = error as { reason?: unknown; detail?: unknown; message?: unknown }
    const text = typeof detail === 'string' ? detail : typeof message === 'string' ? message : 'request failed'
    return typeof reason === 'string' ? `${reason}: ${text}` : text
  }
  return String(error)
}

const is2xx = (status: number | undefined) => status !== undefined && status >= 200 && status < 300

function errorOf(response: Response): string | null {
  if (response.error) return response.error
  if (is2xx(response.status)) return null
  const status = response.status ?? 0
  if (status >= 300 && status < 400) return `HTTP ${status}: redirects are not followed; a 3xx answer is a failure`
  return `HTTP ${status}`
}

async function settle(tx: Tx, deliveryId: string, set: Partial<DeliveryRow>): Promise<void> {
  await tx.update(deliveries).set(set).where(eq(deliveries.id, deliveryId))
}

/**
 * Sends the delivery's next job for `at` under a new token (older jobs of it turn stale), unless
 * the delivery ended meanwhile (its endpoint was disabled while the attempt was in flight).
 */
async function schedule(deps: DeliveryDeps, tx: Tx, delivery: DeliveryRow, at: Date, set: Partial<DeliveryRow>) {
  const token = randomUUID()
  const moved = await tx
    .update(deliveries)
    .set({ ...set, jobToken: token, nextAttemptAt: at })
    .where(and(eq(deliveries.id, delivery.id), inArray(deliveries.status, ['pending', 'retrying'])))
    .returning({ id: deliveries.id })
  if (moved.length === 0) return
  await deps.jobs.send<DeliverJob>(
    tx,
    DELIVER_QUEUE,
    { tenantId: delivery.tenantId, deliveryId: delivery.id, token },
    { startAfter: at, group: delivery.endpointId },
  )
}

/** Step 1, in one transaction: is the job current, may the attempt go, and what to send. */
async function prepare(deps: DeliveryDeps, tx: Tx, job: DeliverJob): Promise<Ready | DeliveryOutcome> {
  const [delivery] = await tx.select().from(deliveries).where(eq(deliveries.id, job.deliveryId)).for('update')
  if (!delivery || delivery.jobToken !== job.token) return 'stale'
  if (delivery.status === 'succeeded' || delivery.status === 'dead') return 'stale'
  const [endpoint] = await tx.select().from(endpoints).where(eq(endpoints.id, delivery.endpointId))
  if (!endpoint) return 'stale'
  const now = new Date()
  if (!endpoint.enabled) {
    const why = endpoint.disabledReason === 'gone' ? 'the receiver answered 410 Gone' : 'an administrator disabled it'
    await settle(tx, delivery.id, {
      status: 'dead',
      settledAt: now,
      nextAttemptAt: null,
      lastError: `endpoint disabled (${why}); replay or redeliver once it is enabled again`,
    })
    return 'dead'
  }
  const admission = await admit(tx, endpoint.id, deps.breaker, now)
  if (!admission.go) {
    const anchor = delivery.lastAttemptAt ?? delivery.createdAt
    if (now > scheduleEndsAt(delivery.attempts, anchor, deps.timing)) {
      await settle(tx, delivery.id, {
        status: 'dead',
        settledAt: now,
        nextAttemptAt: null,
        lastError: "the endpoint's circuit breaker stayed open past the retry schedule",
      })
      return 'dead'
    }
    // Spread the waiting deliveries over a second after the breaker lets a probe through.
    const at = new Date(admission.until.getTime() + Math.round(Math.random() * 1000))
    await schedule(deps, tx, delivery, at, {})
    return 'deferred'
  }
  const [message] = await tx.select({ body: messages.body }).from(messages).where(eq(messages.id, delivery.messageId))
  if (!message) return 'stale'
  const secrets = await signingSecrets(tx, deps.kek, endpoint.id, now)
  return { delivery, endpoint, body: message.body, secrets, probe: admission.probe }
}

/** Step 2, outside any transaction: the signed request through the egress client. */
async function send(deps: DeliveryDeps, ready: Ready, at: Date, headers: Record<string, string>): Promise<Response> {
  const started = performance.now()
  try {
    const answer = await deps.egress.post(ready.endpoint.url, { headers, body: ready.body })
    const kept = answer.body.slice(0, STORED_RESPONSE_CHARS)
    return {
      status: answer.status,
      body: kept,
      truncated: answer.truncated || kept.length < answer.body.length,
      retryAfter: retryAfterSeconds(headerValue(answer.headers, 'retry-after'), at),
      durationMs: Math.round(answer.durationMs),
      error: null,
    }
  } catch (error) {
    return {
      status: undefined,
      body: null,
      truncated: false,
      retryAfter: undefined,
      durationMs: Math.round(performance.now() - started),
      error: failureOf(error),
    }
  }
}

/** Step 3, in one transaction: the attempt in the log, the breaker, and what comes next. */
async function record(
  deps: DeliveryDeps,
  tx: Tx,
  ready: Ready,
  request: { at: Date; headers: Record<string, string> },
  response: Response,
): Promise<DeliveryOutcome> {
  // The job token held since step 1 keeps every other job of the delivery away: it is ours to move on.
  const { delivery } = ready
  const number = delivery.attempts + 1
  const succeeded = is2xx(response.status)
  const error = errorOf(response)
  const now = new Date()
  await tx.insert(attempts).values({
    tenantId: delivery.tenantId,
    deliveryId: delivery.id,
    endpointId: delivery.endpointId,
    messageId: delivery.messageId,
    attempt: number,
    startedAt: request.at,
    durationMs: response.durationMs,
    url: ready.endpoint.url,
    requestHeaders: request.headers,
    requestBody: ready.body,
    succeeded,
    responseStatus: response.status ?? null,
    responseBody: response.body,
    responseTruncated: response.truncated,
    error,
  })
  await recordOutcome(tx, delivery.endpointId, deps.breaker, { succeeded, error, at: now })
  const last = { attempts: number, lastAttemptAt: request.at, lastResponseStatus: response.status ?? null }
  if (succeeded) {
    await settle(tx, delivery.id, {
      ...last,
      status: 'succeeded',
      lastError: null,
      settledAt: now,
      nextAttemptAt: null,
    })
    if (ready.probe) await releaseWaiting(deps, tx, delivery, now)
    return 'succeeded'
  }
  if (response.status === 410) {
    await settle(tx, delivery.id, { ...last, status: 'dead', lastError: error, settledAt: now, nextAttemptAt: null })
    await disableGone(deps, tx, ready.endpoint, delivery, now)
    return 'dead'
  }
  const delay = nextDelayMs(number, deps.timing, { status: response.status, retryAfter: response.retryAfter })
  if (delay === undefined) {
    await settle(tx, delivery.id, { ...last, status: 'dead', lastError: error, settledAt: now, nextAttemptAt: null })
    return 'dead'
  }
  await schedule(deps, tx, delivery, new Date(now.getTime() + delay), { ...last, status: 'retrying', lastError: error })
  return 'retrying'
}

/**
 * The probe succeeded and closed the breaker. The deliveries that met the half-open breaker were
 * put off until the probe's lease lapses (up to 30 s); they go now instead, spread over a second.
 * Only those due by then are moved (a later retry keeps its place on the schedule), and an
 * in-flight one is not touched (its next time is already past).
 */
async function releaseWaiting(deps: DeliveryDeps, tx: Tx, probe: DeliveryRow, now: Date) {
  const horizon = new Date(now.getTime() + deps.breaker.probeLeaseMs + 1000)
  const waiting = await tx
    .select()
    .from(deliveries)
    .where(
      and(
        eq(deliveries.endpointId, probe.endpointId),
        inArray(deliveries.status, ['pending', 'retrying']),
        gt(deliveries.nextAttemptAt, now),
        lte(deliveries.nextAttemptAt, horizon),
        ne(deliveries.id, probe.id),
      ),
    )
    .orderBy(asc(deliveries.nextAttemptAt))
    .limit(RELEASE_BATCH)
  for (const delivery of waiting)
    await schedule(deps, tx, delivery, new Date(now.getTime() + Math.round(Math.random() * 1000)), {})
}

/** 410 Gone: the receiver says the endpoint is no more. Disabled, audited, the reason on the endpoint. */
async function disableGone(deps: DeliveryDeps, tx: Tx, endpoint: EndpointRow, delivery: DeliveryRow, now: Date) {
  const [disabled] = await tx
    .update(endpoints)
    .set({
      enabled: false,
      disabledReason: 'gone',
      disabledDetail: `The receiver answered 410 Gone to delivery ${delivery.id} (message ${delivery.messageId})`,
      disabledAt: now,
      updatedAt: now,
      version: endpoint.version + 1,
    })
    .where(eq(endpoints.id, endpoint.id))
    .returning({ id: endpoints.id })
  if (!disabled) return
  await endLiveDeliveries(tx, endpoint.id, 'the receiver answered 410 Gone', now)
  const ctx = systemContext(deps.database, delivery.tenantId, `job:${DELIVER_QUEUE}`)
  await recordAudit(tx, ctx, {
    action: 'webhooks.endpoint_disabled',
    targetType: 'webhook_endpoint',
    targetId: endpoint.id,
    details: { reason: 'gone', status: 410, deliveryId: delivery.id, messageId: delivery.messageId },
  })
  deps.logger.warn(
    { endpointId: endpoint.id, tenantId: delivery.tenantId },
    'webhook endpoint answered 410 Gone; disabled',
  )
}

/** The `webhooks.deliver` handler: one attempt (or a deferral) of one delivery. */
export async function runDelivery(deps: DeliveryDeps, job: DeliverJob): Promise<DeliveryOutcome> {
  const scope = tenantScope(job.tenantId)
  const ready = await deps.database.transaction(scope, (tx) => prepare(deps, tx, job))
  if (typeof ready === 'string') return ready
  const at = new Date()
  const headers = {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    ...signedHeaders(ready.secrets, ready.delivery.messageId, at, ready.body),
  }
  const response = await send(deps, ready, at, headers)
  return deps.database.transaction(scope, (tx) => record(deps, tx, ready, { at, headers }, response))
}
