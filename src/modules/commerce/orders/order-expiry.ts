/**
 * Expiry of unpaid orders: an order left `awaiting_payment` or `payment_failed` for longer than
 * UNPAID_ORDER_WINDOW_MS (24 hours after it was placed) is canceled through the buyer's cancel
 * path (cancel.ts): its payment canceled at the provider, then the order `canceled`, its coupons
 * released (so an abandoned checkout cannot block a limited coupon) and `order.canceled`
 * (reason `expired`) published. A cluster-wide cron runs it every 15 minutes.
 *
 * Per tenant, the stale orders are read in bounded batches, oldest first, and each is canceled on
 * its own (one provider call, one short transaction). An order that cannot be canceled now — its
 * payment succeeded (its capture will pay it), is processing, or the provider is down — is left
 * for the next run; the keyset moves past it, so a run always ends. Idempotent: a canceled order
 * is no longer unpaid, and the provider's cancel is keyed by the order.
 */
import type { Logger } from 'pino'
import { platformScope, type Database } from '../../../platform/db/database.ts'
import { isAppError } from '../../../platform/errors.ts'
import type { EventPublisher } from '../../../platform/events/events.ts'
import { systemContext } from '../../../platform/http/request-context.ts'
import type { Jobs } from '../../../platform/jobs/index.ts'
import type { PaymentsApi } from '../payments/payments.module.ts'
import { cancelOrder } from './cancel.ts'
import { ordersRepository } from './orders.repository.ts'

export const EXPIRE_UNPAID_ORDERS = 'commerce.expire_unpaid_orders'

/** How long an order may stay unpaid after it was placed (docs/commerce.md, section 9). */
export const UNPAID_ORDER_WINDOW_MS = 24 * 3600 * 1000

/** Orders read per batch: bounded, so one tenant's backlog never loads at once. */
const BATCH = 50

export interface OrderExpiryDeps {
  database: Database
  events: EventPublisher
  payments: Pick<PaymentsApi, 'cancelPayment'>
  logger: Logger
}

export interface ExpiryOptions {
  now?: Date
  /** Default UNPAID_ORDER_WINDOW_MS. */
  windowMs?: number
}

export interface ExpiryOutcome {
  canceled: number
  /** Left unpaid for now: the payment was taken or is in flight, or the provider failed. */
  kept: number
}

async function expireInTenant(deps: OrderExpiryDeps, tenantId: string, cutoff: Date, outcome: ExpiryOutcome) {
  const ctx = systemContext(deps.database, tenantId, `job:${EXPIRE_UNPAID_ORDERS}`)
  const log = deps.logger.child({ component: 'commerce.order_expiry', tenantId })
  let after: { createdAt: string; id: string } | undefined
  for (;;) {
    const batch = await ctx.inTenant((tx) => ordersRepository.unpaidBefore(tx, cutoff, BATCH, after))
    for (const order of batch) {
      try {
        await cancelOrder(ctx, deps, order, 'expiry')
        outcome.canceled += 1
      } catch (error) {
        outcome.kept += 1
        const detail = isAppError(error) ? { code: error.code } : { err: error }
        log.warn({ orderId: order.id, ...detail }, 'unpaid order not expired now; tried again on the next run')
      }
    }
    const last = batch.at(-1)
    if (!last || batch.length < BATCH) return
    after = { createdAt: last.createdAt, id: last.id }
  }
}

/** Cancels every order unpaid for longer than the window, tenant by tenant. */
export async function expireUnpaidOrders(deps: OrderExpiryDeps, options: ExpiryOptions = {}): Promise<ExpiryOutcome> {
  const now = options.now ?? new Date()
  const cutoff = new Date(now.getTime() - (options.windowMs ?? UNPAID_ORDER_WINDOW_MS))
  const tenants = await deps.database.transaction(platformScope, (tx) =>
    ordersRepository.platformTenantsWithUnpaidBefore(tx, cutoff),
  )
  const outcome: ExpiryOutcome = { canceled: 0, kept: 0 }
  for (const tenantId of tenants) await expireInTenant(deps, tenantId, cutoff, outcome)
  return outcome
}

export function defineOrderExpiry(jobs: Jobs, deps: OrderExpiryDeps): void {
  jobs.define<Record<string, never>>({
    name: EXPIRE_UNPAID_ORDERS,
    schedule: { cron: '*/15 * * * *' },
    retryLimit: 3,
    retryDelaySeconds: 60,
    retryDelayMaxSeconds: 600,
    expireInSeconds: 900,
    handler: async () => {
      const outcome = await expireUnpaidOrders(deps)
      if (outcome.canceled + outcome.kept > 0) deps.logger.info(outcome, 'unpaid orders expired')
    },
  })
}
