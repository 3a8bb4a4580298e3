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
import { and, eq, gt, inArray, sql } from 'drizzle-orm'
import type { Logger } from 'pino'
import { recordAudit } from '../../platform/audit/audit.ts'
import { tenantScope, type Database, type Tx } from '../../platform/db/database.ts'
import { systemContext } from '../../platform/http/request-context.ts'
import { admit, recordOutcome, type BreakerPolicy } from './breaker.ts'
import { DELIVER_QUEUE, endLiveDeliveries, type DeliverJob } from './messages.ts'
import { nextDelayMs, scheduleEndsAt, retryAfterSeconds, type RetryTiming } from './schedule.ts'
import { signingSecrets } from './secrets.ts'
import { signedHeaders } from './signing.ts'
import { attempts, deliveries, endpoints, messages, type DeliveryRow, type EndpointRow } from './webhooks.tables.ts'
import { attemptResult, type WebhookMetrics } from './webhooks.metrics.ts'
import { STORED_RESPONSE_CHARS } from './webhooks.vocabulary.ts'
import { fillWindow, scheduleDelivery, waitForSlot, type DeliveryQueue } from './window.ts'

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
  queue: DeliveryQueue
  egress: WebhookEgress
  kek: Uint8Array
  timing: RetryTiming
  breaker: BreakerPolicy
  /** Attempts to one endpoint in flight at once (WEBHOOK_ENDPOINT_CONCURRENCY). */
  endpointConcurrency: number
  logger: Logger
  metrics: WebhookMetrics
}

export type DeliveryOutcome = 'stale' | 'deferred' | 'succeeded' | 'retrying' | 'dead'

interface Ready {
  delivery: DeliveryRow
  endpoint: EndpointRow
  body: string
  secrets: string[]
}

interface Response {
  status: number | undefined
  body: string | null
  truncated: boolean
  retryAfter: number | undefined
  durationMs: number
  error: string | null
  /** The egress client's reason when there was no answer (timeout, dns, address, ...). */
  reason: string | undefined
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

function reasonOf(error: unknown): string | undefined {
  const reason = error && typeof error === 'object' ? (error as { reason?: unknown }).reason : undefined
  return typeof reason === 'string' ? reason : undefined
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
      await fillWindow(deps.queue, tx, endpoint.id, now)
      deps.metrics.deliveriesEnded.inc({ status: 'dead', reason: 'breaker' })
      return 'dead'
    }
    // It waits for a slot again, without a job; the window keeps one delivery timed for when the
    // breaker lets a probe through, and the probe's success fills the window.
    await waitForSlot(tx, delivery.id)
    await fillWindow(deps.queue, tx, endpoint.id, now)
    deps.metrics.deferrals.inc()
    return 'deferred'
  }
  // The cap, exact: pg-boss's group limit is per fetch (concurrent fetchers can exceed it), so the
  // attempts in flight are counted here, under the health row's lock admit() holds. Over the cap,
  // the delivery waits for a slot without a job; a finishing attempt's top-up gives it one.
  if (!admission.probe && (await sendingCount(tx, endpoint.id, now)) >= deps.endpointConcurrency) {
    await waitForSlot(tx, delivery.id)
    deps.metrics.deferrals.inc()
    return 'deferred'
  }
  await tx
    .update(deliveries)
    .set({ sendingUntil: new Date(now.getTime() + deps.breaker.probeLeaseMs) })
    .where(eq(deliveries.id, delivery.id))
  const [message] = await tx.select({ body: messages.body }).from(messages).where(eq(messages.id, delivery.messageId))
  if (!message) return 'stale'
  const secrets = await signingSecrets(tx, deps.kek, endpoint.id, now)
  return { delivery, endpoint, body: message.body, secrets }
}

/** Attempts to the endpoint in flight now (their lease not lapsed). */
async function sendingCount(tx: Tx, endpointId: string, now: Date): Promise<number> {
  const [row] = await tx
    .select({ count: sql<number>`count(*)::int` })
    .from(deliveries)
    .where(
      and(
        eq(deliveries.endpointId, endpointId),
        inArray(deliveries.status, ['pending', 'retrying']),
        gt(deliveries.sendingUntil, now),
      ),
    )
  return row?.count ?? 0
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
      reason: undefined,
    }
  } catch (error) {
    return {
      status: undefined,
      body: null,
      truncated: false,
      retryAfter: undefined,
      durationMs: Math.round(performance.now() - started),
      error: failureOf(error),
      reason: reasonOf(error),
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
  const last = {
    attempts: number,
    lastAttemptAt: request.at,
    lastResponseStatus: response.status ?? null,
    sendingUntil: null,
  }
  if (succeeded) {
    await settle(tx, delivery.id, {
      ...last,
      status: 'succeeded',
      lastError: null,
      settledAt: now,
      nextAttemptAt: null,
    })
    await fillWindow(deps.queue, tx, delivery.endpointId, now)
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
    await fillWindow(deps.queue, tx, delivery.endpointId, now)
    return 'dead'
  }
  await scheduleDelivery(deps.queue, tx, delivery, new Date(now.getTime() + delay), {
    ...last,
    status: 'retrying',
    lastError: error,
  })
  await fillWindow(deps.queue, tx, delivery.endpointId, now)
  return 'retrying'
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
  const outcome = await deps.database.transaction(scope, (tx) => record(deps, tx, ready, { at, headers }, response))
  const result = attemptResult(response.status, response.reason)
  deps.metrics.attempts.inc({ outcome, result })
  deps.metrics.attemptDuration.observe({ result }, response.durationMs / 1000)
  if (outcome === 'succeeded') deps.metrics.deliveriesEnded.inc({ status: 'succeeded', reason: 'delivered' })
  if (outcome === 'dead')
    deps.metrics.deliveriesEnded.inc({ status: 'dead', reason: response.status === 410 ? 'gone' : 'schedule' })
  return outcome
}

/**
 * The job of a delivery failed for the last time (its database work, not the receiver: those are
 * settled on the schedule). The delivery ends dead with the reason, so it does not stay live
 * without a job; redeliver or replay it once the cause is fixed. A job that moved on does nothing.
 */
export async function giveUp(deps: DeliveryDeps, job: DeliverJob, error: unknown, runs: number): Promise<void> {
  const now = new Date()
  const why = error instanceof Error ? error.message : String(error)
  try {
    await deps.database.transaction(tenantScope(job.tenantId), async (tx) => {
      const [ended] = await tx
        .update(deliveries)
        .set({
          status: 'dead',
          settledAt: now,
          nextAttemptAt: null,
          lastError: `its delivery job failed ${runs} times (${why.slice(0, 500)}); redeliver or replay it once the cause is fixed`,
        })
        .where(
          and(
            eq(deliveries.id, job.deliveryId),
            eq(deliveries.jobToken, job.token),
            inArray(deliveries.status, ['pending', 'retrying']),
          ),
        )
        .returning({ endpointId: deliveries.endpointId })
      if (!ended) return
      await fillWindow(deps.queue, tx, ended.endpointId, now)
      deps.metrics.deliveriesEnded.inc({ status: 'dead', reason: 'job_failed' })
    })
  } catch (settleError) {
    deps.logger.error(
      { err: settleError, deliveryId: job.deliveryId, tenantId: job.tenantId },
      'could not end a webhook delivery whose job failed for the last time; it stays live until redelivered',
    )
  }
}
