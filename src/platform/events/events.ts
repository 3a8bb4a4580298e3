/**
 * Domain events through a transactional outbox. `publish` writes the event to
 * platform.domain_events and enqueues its dispatch in the caller's transaction, so the business
 * change, the event and the job commit or roll back together. The worker then calls every
 * subscriber registered in code; a delivery row per (event, subscriber), written in the same
 * transaction as the subscriber's own changes, makes redelivery a no-op for subscribers that
 * already succeeded. Events dispatched without a subscriber that newer code added (a rolling
 * deploy) reach it through the catch-up job (catch-up.ts).
 */
import { and, eq, isNull, sql } from 'drizzle-orm'
import type { Logger } from 'pino'
import type { Database, Tx } from '../db/database.ts'
import type { RequestContext } from '../http/request-context.ts'
import type { Jobs } from '../jobs/types.ts'
import { defineCatchUp, EVENTS_CATCH_UP_QUEUE, type CatchUpResult } from './catch-up.ts'
import { deliver, loadEvent, scopeOf, type Subscription } from './delivery.ts'
import { domainEvents } from './events.tables.ts'

export interface DomainEvent<P = Record<string, unknown>> {
  id: string
  /** `module.past_tense_fact`, e.g. `tenancy.tenant_created`. */
  type: string
  /** The tenant the event belongs to; null for platform events. */
  tenantId: string | null
  payload: P
  requestId: string | null
  occurredAt: Date
}

export interface PublishInput {
  type: string
  payload: Record<string, unknown>
  /** Defaults to the context's tenant; must match the transaction's scope (RLS checks it). */
  tenantId?: string | null
}

/**
 * Handles one event inside a transaction in the event's scope (its tenant, or the platform).
 * Write through `tx` only: the delivery record commits with the handler's changes. Side effects
 * outside the database go through a job sent with `tx`. Opening another transaction here would
 * escape that atomicity (and on embedded PGlite wait forever behind this one).
 */
export type EventHandler<P = Record<string, unknown>> = (event: DomainEvent<P>, tx: Tx) => Promise<void>

export interface EventPublisher {
  /** Records the event and enqueues its dispatch in `tx`; returns the event id. */
  publish(tx: Tx, ctx: RequestContext, input: PublishInput): Promise<string>
}

export interface DispatchJob {
  eventId: string
  tenantId: string | null
}

export interface Events extends EventPublisher {
  /** Registers a reaction to an event type; `subscriber` names it uniquely, e.g. `mail.welcome_admin`. */
  subscribe<P = Record<string, unknown>>(type: string, subscriber: string, handler: EventHandler<P>): void
  /** Delivers one event to its subscribers now (the `events.dispatch` job handler). */
  dispatch(job: DispatchJob): Promise<void>
  /** Delivers dispatched events of the look-back window to subscribers without a delivery row (the `events.catch_up` job handler). */
  catchUp(): Promise<CatchUpResult>
  /** Enqueues one catch-up run; workers call it once started, so a new release catches up at once. */
  requestCatchUp(): Promise<void>
}

export const EVENTS_DISPATCH_QUEUE = 'events.dispatch'
export { EVENTS_CATCH_UP_QUEUE } from './catch-up.ts'
export const EVENT_TYPE = /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/

export interface EventsDeps {
  database: Database
  jobs: Jobs
  logger: Logger
  /** Retry policy of the dispatch queue (a subscriber failure retries the dispatch). */
  retry?: { limit: number; delaySeconds: number; maxDelaySeconds: number }
  /** Look-back of the catch-up job in days (EVENTS_CATCH_UP_DAYS); 0 turns it off. */
  catchUpDays: number
}

const DEFAULT_RETRY = { limit: 10, delaySeconds: 5, maxDelaySeconds: 900 }

export function createEvents(deps: EventsDeps): Events {
  const { database, jobs } = deps
  const log = deps.logger.child({ component: 'events' })
  const subscriptions = new Map<string, Subscription[]>()

  async function dispatch({ eventId, tenantId }: DispatchJob): Promise<void> {
    const scope = scopeOf(tenantId)
    const event = await database.transaction(scope, (tx) => loadEvent(tx, eventId))
    if (!event) {
      log.warn({ eventId, tenantId }, 'dispatch for an event that does not exist; nothing to deliver')
      return
    }
    const failures: string[] = []
    for (const subscription of subscriptions.get(event.type) ?? []) {
      try {
        const ran = await database.transaction(scope, (tx) => deliver(tx, event, subscription))
        if (ran) log.debug({ eventId, type: event.type, subscriber: subscription.name }, 'event delivered')
      } catch (error) {
        log.warn(
          { err: error, eventId, type: event.type, subscriber: subscription.name },
          'event subscriber failed; the dispatch will be retried',
        )
        failures.push(`${subscription.name}: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
    if (failures.length > 0)
      throw new Error(`Subscribers of ${event.type} event ${event.id} failed (${failures.join('; ')})`)
    await database.transaction(scope, (tx) =>
      tx
        .update(domainEvents)
        .set({ dispatchedAt: sql`now()` })
        .where(and(eq(domainEvents.id, eventId), isNull(domainEvents.dispatchedAt))),
    )
  }

  const retry = deps.retry ?? DEFAULT_RETRY
  jobs.define<DispatchJob>({
    name: EVENTS_DISPATCH_QUEUE,
    handler: dispatch,
    retryLimit: retry.limit,
    retryDelaySeconds: retry.delaySeconds,
    retryDelayMaxSeconds: retry.maxDelaySeconds,
    expireInSeconds: 300,
    pollingIntervalSeconds: 1,
  })

  const runCatchUp = defineCatchUp(jobs, { database, logger: log, subscriptions, lookBackDays: deps.catchUpDays })

  return {
    async publish(tx, ctx, input) {
      if (!EVENT_TYPE.test(input.type))
        throw new Error(`Event type "${input.type}" must be named module.past_tense_fact`)
      const tenantId = input.tenantId === undefined ? ctx.tenantId : input.tenantId
      const [row] = await tx
        .insert(domainEvents)
        .values({ tenantId, type: input.type, payload: input.payload, requestId: ctx.requestId })
        .returning({ id: domainEvents.id })
      if (!row) throw new Error('inserting the domain event returned no row')
      await jobs.send<DispatchJob>(tx, EVENTS_DISPATCH_QUEUE, { eventId: row.id, tenantId })
      return row.id
    },
    subscribe(type, subscriber, handler) {
      if (!EVENT_TYPE.test(type)) throw new Error(`Event type "${type}" must be named module.past_tense_fact`)
      const list = subscriptions.get(type) ?? []
      if (list.some((s) => s.name === subscriber))
        throw new Error(`Subscriber "${subscriber}" is registered twice for ${type}`)
      list.push({ name: subscriber, handler: handler as EventHandler })
      subscriptions.set(type, list)
    },
    dispatch,
    catchUp: runCatchUp,
    async requestCatchUp() {
      if (deps.catchUpDays > 0) await jobs.send(undefined, EVENTS_CATCH_UP_QUEUE, {}, { singletonKey: 'at-start' })
    },
  }
}
