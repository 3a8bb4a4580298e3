/**
 * Catch-up delivery (ADR 0002). Subscribers are code, so during a rolling deploy a worker of the
 * older release can dispatch an event without a subscriber the newer release added, and mark it
 * dispatched. The catch-up job, run by every worker at start and on a schedule, finds dispatched
 * events of the last EVENTS_CATCH_UP_DAYS days that lack a delivery row for a subscriber this
 * process knows, and delivers them to that subscriber. The delivery row makes it idempotent:
 * subscribers that already handled an event are never called again, and concurrent runs (two
 * workers, a dispatch retry) deliver each (event, subscriber) once.
 */
import { sql } from 'drizzle-orm'
import type { Logger } from 'pino'
import { platformScope, rowsOf, type Database } from '../db/database.ts'
import type { Jobs } from '../jobs/types.ts'
import { deliver, loadEvent, scopeOf, type Subscription } from './delivery.ts'

export const EVENTS_CATCH_UP_QUEUE = 'events.catch_up'
/** Besides the run at each worker's start: events an older worker dispatches during the rollout. */
const CATCH_UP_CRON = '*/15 * * * *'

/** Events read per page; the run walks every page of the look-back window once. */
const PAGE = 200

export interface CatchUpDeps {
  database: Database
  logger: Logger
  subscriptions: ReadonlyMap<string, Subscription[]>
  /** How far back to look, in days; 0 turns catch-up off. */
  lookBackDays: number
}

export interface CatchUpResult {
  delivered: number
  failed: number
}

interface Missing {
  id: string
  tenantId: string | null
  occurredAt: string
  subscribers: string[]
}

/** One page of dispatched events in the window missing a delivery of a known subscriber, oldest first. */
function missingPage(deps: CatchUpDeps, after: { occurredAt: string; id: string } | undefined): Promise<Missing[]> {
  // The subscribers this process knows, as one JSON parameter (type, subscriber).
  const known = [...deps.subscriptions].flatMap(([type, list]) => list.map((s) => ({ type, subscriber: s.name })))
  const position = after
    ? sql`AND (e.occurred_at, e.id) > (${after.occurredAt}::timestamptz, ${after.id}::uuid)`
    : sql``
  return deps.database.transaction(platformScope, (tx) =>
    rowsOf<Missing>(
      tx,
      sql`SELECT e.id, e.tenant_id AS "tenantId",
                 to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "occurredAt",
                 array_agg(s.subscriber ORDER BY s.subscriber) AS subscribers
            FROM platform.domain_events e
            JOIN jsonb_to_recordset(${JSON.stringify(known)}::jsonb) AS s(type text, subscriber text) ON s.type = e.type
           WHERE e.dispatched_at IS NOT NULL
             AND e.occurred_at > now() - make_interval(days => ${deps.lookBackDays}::int)
             ${position}
             AND NOT EXISTS (SELECT 1 FROM platform.event_deliveries d
                              WHERE d.event_id = e.id AND d.subscriber = s.subscriber)
           GROUP BY e.id, e.tenant_id, e.occurred_at
           ORDER BY e.occurred_at, e.id
           LIMIT ${PAGE}`,
    ),
  )
}

/** Delivers every missing (event, subscriber) of the window; a failing subscriber is retried by the next run. */
export async function catchUp(deps: CatchUpDeps): Promise<CatchUpResult> {
  const result: CatchUpResult = { delivered: 0, failed: 0 }
  if (deps.lookBackDays <= 0 || deps.subscriptions.size === 0) return result
  let after: { occurredAt: string; id: string } | undefined
  for (;;) {
    const page = await missingPage(deps, after)
    for (const missing of page) await catchUpEvent(deps, missing, result)
    const last = page.at(-1)
    if (!last || page.length < PAGE) return result
    after = { occurredAt: last.occurredAt, id: last.id }
  }
}

async function catchUpEvent(deps: CatchUpDeps, missing: Missing, result: CatchUpResult): Promise<void> {
  const scope = scopeOf(missing.tenantId)
  const event = await deps.database.transaction(scope, (tx) => loadEvent(tx, missing.id))
  if (!event) return
  for (const subscription of deps.subscriptions.get(event.type) ?? []) {
    if (!missing.subscribers.includes(subscription.name)) continue
    try {
      const ran = await deps.database.transaction(scope, (tx) => deliver(tx, event, subscription))
      if (ran) result.delivered++
    } catch (error) {
      result.failed++
      deps.logger.warn(
        { err: error, eventId: event.id, type: event.type, subscriber: subscription.name },
        'catch-up delivery failed; the next catch-up run retries it',
      )
    }
  }
}

/** Declares the scheduled `events.catch_up` queue; returns one run (its handler), logged. */
export function defineCatchUp(jobs: Jobs, deps: CatchUpDeps): () => Promise<CatchUpResult> {
  const run = async (): Promise<CatchUpResult> => {
    const result = await catchUp(deps)
    if (result.delivered > 0) deps.logger.info(result, 'delivered past events to subscribers that had missed them')
    if (result.failed > 0) throw new Error(`${result.failed} catch-up deliveries failed; the next run retries them`)
    return result
  }
  jobs.define<Record<string, never>>({
    name: EVENTS_CATCH_UP_QUEUE,
    schedule: { cron: CATCH_UP_CRON },
    handler: async () => void (await run()),
    // The next scheduled run does the same work.
    retryLimit: 2,
    retryDelaySeconds: 30,
    retryDelayMaxSeconds: 120,
    expireInSeconds: 900,
  })
  return run
}
