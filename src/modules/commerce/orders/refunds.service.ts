/**
 * Asking for a refund: an administrator's (POST /v1/orders/{id}/refunds) or the automatic one of
 * an order whose capture could not grant access (`needs_refund`). In two steps, so the provider
 * is never called inside a database transaction:
 *
 * 1. In the tenant's transaction, under the order's lock: the checks (captured, no open dispute,
 *    not one's own order, at most what is neither refunded, being refunded, disputed nor lost),
 *    the refund row (`requested`, unique per order and request key) and the audit entry.
 * 2. The provider's refund, with an idempotency key derived from the row's id (a repeated call,
 *    even after a crash, is the same refund at the provider), then its answer on the row
 *    (`pending`, with the provider's id). Only a definite refusal marks the row `failed` (its
 *    amount is free again). A call whose outcome is unknown (the provider down, a timeout after
 *    it may have refunded) leaves the row `requested`, its amount still spoken for, and a job asks
 *    again under the same provider key until there is an answer; the same Idempotency-Key asks
 *    again at once. A failed refund is never revived: a new refund needs a new key, and is checked
 *    afresh (what is left, open disputes).
 *
 * The order, the ledger and access change only when the provider's `refund.succeeded` arrives
 * (refunds.ts).
 */
import type { Logger } from 'pino'
import { recordAudit } from '../../../platform/audit/audit.ts'
import { AuditedRefusal, recordingRefusals } from '../../../platform/audit/refusals.ts'
import { systemContext, type RequestContext } from '../../../platform/http/request-context.ts'
import type { Database, Tx } from '../../../platform/db/database.ts'
import { isAppError } from '../../../platform/errors.ts'
import { principalId } from '../../../platform/http/principal.ts'
import type { Jobs } from '../../../platform/jobs/index.ts'
import type { PaymentsApi } from '../payments/payments.module.ts'
import type { RefundView } from '../payments/payments.service.ts'
import { ordersRepository, type OrderRow } from './orders.repository.ts'
import { refundableOf } from './refund-state.ts'
import { refundsErrors } from './refunds.errors.ts'
import { disputesRepository, refundsRepository, type RefundRow } from './refunds.repository.ts'

export const AUTOMATIC_REFUND_QUEUE = 'commerce.refund_order'
export const AUTOMATIC_REQUEST_KEY = 'automatic'

export interface AutomaticRefundJob {
  tenantId: string
  orderId: string
}

/**
 * Schedules the automatic refund of an order the capture marked `needs_refund`, in the capture's
 * transaction (the job commits with it). Idempotent: the refund is one per order whatever the
 * number of calls or job runs.
 */
export async function requestAutomaticRefund(tx: Tx, jobs: Jobs, job: AutomaticRefundJob): Promise<void> {
  await jobs.send<AutomaticRefundJob>(tx, AUTOMATIC_REFUND_QUEUE, job, { singletonKey: `refund:${job.orderId}` })
}

export interface RefundRequest {
  /** Minor units; default everything that may still be refunded. */
  amount?: number
  reason: string
  idempotencyKey: string
}

interface Claim {
  refund: RefundRow
  /** The provider is to be asked (a new or revived request; a request whose answer was never recorded). */
  call: boolean
}

const AUDIT_ACTION = 'commerce.refund_requested'

async function audit(tx: Tx, ctx: RequestContext, refund: RefundRow): Promise<void> {
  await recordAudit(tx, ctx, {
    action: AUDIT_ACTION,
    targetType: 'order',
    targetId: refund.orderId,
    details: {
      refundId: refund.id,
      amount: refund.amount,
      currency: refund.currency,
      reason: refund.reason,
      origin: refund.origin,
    },
  })
}

/** What a new refund of the order may take now, or the refusal. */
async function refundableNow(tx: Tx, order: OrderRow): Promise<number> {
  if (order.paidAt === null || order.paymentId === null) throw refundsErrors.notCaptured(order.id, order.status)
  const money = await disputesRepository.moneyOf(tx, order)
  if (money.openDisputes > 0) throw refundsErrors.disputed(order.id)
  return refundableOf(money) - (await refundsRepository.unsettledAmount(tx, order.id))
}

/** An earlier request under the same key: the same refund again (asked again while unanswered), or a refusal. */
function again(existing: RefundRow, input: { amount?: number; reason: string }): Claim {
  const same = (input.amount === undefined || input.amount === existing.amount) && input.reason === existing.reason
  if (!same) throw refundsErrors.keyReused()
  if (existing.status === 'failed') throw refundsErrors.refundFailed(existing.id, existing.failure)
  return { refund: existing, call: existing.status === 'requested' }
}

async function claimAdminRefund(tx: Tx, ctx: RequestContext, orderId: string, input: RefundRequest): Promise<Claim> {
  const order = await ordersRepository.lock(tx, orderId)
  if (!order) throw refundsErrors.orderNotFound(orderId)
  const actor = principalId(ctx.principal)
  if (ctx.principal.kind === 'user' && ctx.principal.userId === order.buyerId)
    throw new AuditedRefusal(refundsErrors.selfRefund(), {
      action: AUDIT_ACTION,
      targetType: 'order',
      targetId: orderId,
      details: { reason: 'self', amount: input.amount ?? null },
    })
  const requestKey = `${actor}:${input.idempotencyKey}`
  const existing = await refundsRepository.byRequestKey(tx, orderId, requestKey)
  if (existing) return again(existing, input)
  const available = await refundableNow(tx, order)
  if (input.amount === undefined && available <= 0) throw refundsErrors.nothingLeft(orderId)
  const amount = input.amount ?? available
  if (amount > available) throw refundsErrors.exceedsRefundable(amount, Math.max(0, available))
  const refund = await refundsRepository.insert(tx, {
    orderId,
    paymentId: order.paymentId as string,
    origin: 'admin',
    requestKey,
    amount,
    currency: order.currency,
    reason: input.reason,
    requestedBy: actor,
  })
  if (!refund) throw new Error(`refund ${requestKey} of order ${orderId} appeared under the order's lock`)
  await audit(tx, ctx, refund)
  return { refund, call: true }
}

async function claimAutomaticRefund(tx: Tx, ctx: RequestContext, orderId: string, log: Logger) {
  const order = await ordersRepository.lock(tx, orderId)
  if (!order?.needsRefund || order.paidAt === null) {
    log.warn({ orderId }, 'automatic refund of an order that is not captured or needs none; nothing to do')
    return undefined
  }
  const existing = await refundsRepository.byRequestKey(tx, orderId, AUTOMATIC_REQUEST_KEY)
  if (existing?.status === 'failed') {
    // Failed for good: the order is marked for review (refundsRepository.fail); no second try here.
    log.warn({ orderId, refundId: existing.id }, 'the automatic refund failed; the order waits for an administrator')
    return undefined
  }
  if (existing) return again(existing, { reason: existing.reason })
  const money = await disputesRepository.moneyOf(tx, order)
  // A dispute's outcome decides that money; what is left after it is for an administrator.
  if (money.openDisputes > 0) {
    log.warn({ orderId }, 'automatic refund of a disputed order; left to the dispute and an administrator')
    return undefined
  }
  const available = refundableOf(money) - (await refundsRepository.unsettledAmount(tx, orderId))
  if (available <= 0) return undefined
  const why = order.admissionRefusal ? ` (${order.admissionRefusal})` : ''
  const refund = await refundsRepository.insert(tx, {
    orderId,
    paymentId: order.paymentId as string,
    origin: 'automatic',
    requestKey: AUTOMATIC_REQUEST_KEY,
    amount: available,
    currency: order.currency,
    reason: `Automatic refund: access could not be granted when the payment was captured${why}`.slice(0, 500),
    requestedBy: principalId(ctx.principal),
  })
  if (!refund) throw new Error(`the automatic refund of order ${orderId} appeared under the order's lock`)
  await audit(tx, ctx, refund)
  return { refund, call: true }
}

/** The provider's answer on the row (the refund's event may have booked it already). */
async function recordAnswer(tx: Tx, refundId: string, answer: RefundView): Promise<RefundRow> {
  const row = await refundsRepository.lock(tx, refundId)
  if (!row) throw new Error(`refund ${refundId} vanished`)
  // Answered already: by a concurrent call under the same key, or by the refund's own event.
  if (row.status !== 'requested') return row
  const booked = await refundsRepository.byProviderRefund(tx, answer.providerRefundId)
  // Only after ANSWER_WINDOW_SECONDS: the provider's event was booked as a refund of its own meanwhile.
  if (booked)
    return refundsRepository.setState(tx, row.id, {
      status: 'failed',
      failure: `Booked from the provider's event as refund ${booked.id}`,
    })
  if (answer.status === 'failed' || answer.status === 'canceled')
    return refundsRepository.fail(tx, row, {
      providerRefundId: answer.providerRefundId,
      failure: `The provider answered ${answer.status}`,
    })
  return refundsRepository.setState(tx, row.id, { status: 'pending', providerRefundId: answer.providerRefundId })
}

const failureOf = (error: unknown) =>
  (isAppError(error) ? `${error.code}: ${error.message}` : 'The provider call failed').slice(0, 1000)

/** The provider said no: the refund did not happen. Anything else (down, timed out) may have refunded. */
const refused = (error: unknown) =>
  isAppError(error) && (error.code === 'PAYMENT_PROVIDER_REJECTED' || error.code === 'PAYMENT_PROVIDER_CONFLICT')

/** Asks the provider again for a refund whose first call had no answer (same provider key). */
export const ASK_REFUND_QUEUE = 'commerce.ask_refund'

export interface AskRefundJob {
  tenantId: string
  refundId: string
}

export interface RefundServiceDeps {
  database: Database
  jobs: Jobs
  payments: Pick<PaymentsApi, 'refundPayment'>
  logger: Logger
}

export function createRefundService(deps: RefundServiceDeps) {
  const log = deps.logger.child({ component: 'orders.refunds' })

  /** Step 2: the provider's refund outside any transaction, and its answer recorded. */
  async function callProvider(ctx: RequestContext, { refund, call }: Claim): Promise<RefundRow> {
    if (!call) return refund
    let answer: RefundView
    try {
      answer = await deps.payments.refundPayment(ctx, refund.paymentId, {
        amount: refund.amount,
        reason: 'requested_by_customer',
        idempotencyKey: `order-refund:${refund.id}`,
      })
    } catch (error) {
      log.warn({ err: error, orderId: refund.orderId, refundId: refund.id }, 'the provider did not take the refund')
      if (refused(error))
        await ctx.inTenant(async (tx) => {
          const row = await refundsRepository.lock(tx, refund.id)
          if (row?.status === 'requested') await refundsRepository.fail(tx, row, { failure: failureOf(error) })
        })
      // The automatic refund's own job retries; an administrator's gets one that asks until answered.
      else if (refund.origin !== 'automatic' && ctx.tenantId)
        await ctx.inTenant((tx) =>
          deps.jobs.send<AskRefundJob>(
            tx,
            ASK_REFUND_QUEUE,
            { tenantId: ctx.tenantId as string, refundId: refund.id },
            { singletonKey: `ask-refund:${refund.id}` },
          ),
        )
      throw error
    }
    return ctx.inTenant((tx) => recordAnswer(tx, refund.id, answer))
  }

  return {
    /** An administrator's refund of an order (the route checks the permission). */
    async request(ctx: RequestContext, orderId: string, input: RefundRequest): Promise<RefundRow> {
      const claim = await recordingRefusals(ctx, () =>
        ctx.inTenant((tx) => claimAdminRefund(tx, ctx, orderId.toLowerCase(), input)),
      )
      return callProvider(ctx, claim)
    },

    /** The automatic refund job's work; a provider failure throws, so the job retries. */
    async refundAutomatically({ tenantId, orderId }: AutomaticRefundJob): Promise<RefundRow | undefined> {
      const ctx = systemContext(deps.database, tenantId, `automatic-refund:${orderId}`)
      const claim = await ctx.inTenant((tx) => claimAutomaticRefund(tx, ctx, orderId, log))
      return claim ? callProvider(ctx, claim) : undefined
    },

    /** The ask-again job: the provider's answer for a refund still `requested`; throws (and retries) while none. */
    async askAgain({ tenantId, refundId }: AskRefundJob): Promise<void> {
      const ctx = systemContext(deps.database, tenantId, `ask-refund:${refundId}`)
      const refund = await ctx.inTenant((tx) => refundsRepository.byId(tx, refundId), { readOnly: true })
      if (refund?.status !== 'requested') return
      try {
        await callProvider(ctx, { refund, call: true })
      } catch (error) {
        if (!refused(error)) throw error
      }
    },

    /** One refund of the order, as it stands; 404 for an unknown one (or another order's, or tenant's). */
    async get(ctx: RequestContext, orderId: string, refundId: string): Promise<RefundRow> {
      const refund = await ctx.inTenant((tx) => refundsRepository.byId(tx, refundId), { readOnly: true })
      if (refund?.orderId !== orderId.toLowerCase()) throw refundsErrors.refundNotFound(refundId)
      return refund
    },
  }
}

export type RefundService = ReturnType<typeof createRefundService>
