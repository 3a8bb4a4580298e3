/**
 * Drizzle queries of order refunds and disputes, in the caller's tenant transaction (RLS keeps
 * every statement to the tenant). Instants are selected as the instant text.
 */
import { and, asc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { currentTenantId } from '../../../platform/db/tenant-table.ts'
import { instantText } from '../../../platform/http/pagination.ts'
import { orderDisputes, orderRefunds, type DisputeStatus, type RefundOrigin } from './refunds.tables.ts'
import type { OrderMoney } from './refund-state.ts'
import { ordersRepository } from './orders.repository.ts'

const nullableInstant = (column: Parameters<typeof instantText>[0]) => instantText(column) as SQL<string | null>

const refundColumns = {
  id: orderRefunds.id,
  orderId: orderRefunds.orderId,
  paymentId: orderRefunds.paymentId,
  origin: orderRefunds.origin,
  requestKey: orderRefunds.requestKey,
  providerRefundId: orderRefunds.providerRefundId,
  amount: orderRefunds.amount,
  currency: orderRefunds.currency,
  reason: orderRefunds.reason,
  requestedBy: orderRefunds.requestedBy,
  status: orderRefunds.status,
  failure: orderRefunds.failure,
  createdAt: instantText(orderRefunds.createdAt),
  settledAt: nullableInstant(orderRefunds.settledAt),
}

const disputeColumns = {
  id: orderDisputes.id,
  orderId: orderDisputes.orderId,
  paymentId: orderDisputes.paymentId,
  providerDisputeId: orderDisputes.providerDisputeId,
  amount: orderDisputes.amount,
  currency: orderDisputes.currency,
  reason: orderDisputes.reason,
  status: orderDisputes.status,
}

const selectRefunds = (tx: Tx) => tx.select(refundColumns).from(orderRefunds)
const selectDisputes = (tx: Tx) => tx.select(disputeColumns).from(orderDisputes)
export type RefundRow = Awaited<ReturnType<typeof selectRefunds>>[number]
export type DisputeRow = Awaited<ReturnType<typeof selectDisputes>>[number]

export interface NewRefund {
  orderId: string
  paymentId: string
  origin: RefundOrigin
  requestKey: string | null
  providerRefundId?: string
  amount: number
  currency: string
  reason: string
  requestedBy: string | null
}

/** Refunds asked for and not settled: their amounts are spoken for. */
const UNSETTLED = ['requested', 'pending'] as const

export const refundsRepository = {
  /** Inserts the refund unless its (order, request key) exists; undefined when it did. */
  async insert(tx: Tx, refund: NewRefund): Promise<RefundRow | undefined> {
    const [row] = await tx
      .insert(orderRefunds)
      .values({ ...refund, tenantId: currentTenantId })
      .onConflictDoNothing()
      .returning(refundColumns)
    return row
  },

  async byId(tx: Tx, id: string): Promise<RefundRow | undefined> {
    const [row] = await selectRefunds(tx).where(eq(orderRefunds.id, id))
    return row
  },

  /** The refund, locked until the transaction ends. */
  async lock(tx: Tx, id: string): Promise<RefundRow | undefined> {
    const [row] = await selectRefunds(tx).where(eq(orderRefunds.id, id)).for('update')
    return row
  },

  async byRequestKey(tx: Tx, orderId: string, requestKey: string): Promise<RefundRow | undefined> {
    const [row] = await selectRefunds(tx).where(
      and(eq(orderRefunds.orderId, orderId), eq(orderRefunds.requestKey, requestKey)),
    )
    return row
  },

  async byProviderRefund(tx: Tx, providerRefundId: string, lock = false): Promise<RefundRow | undefined> {
    const query = selectRefunds(tx).where(eq(orderRefunds.providerRefundId, providerRefundId))
    const [row] = lock ? await query.for('update') : await query
    return row
  },

  /** What unsettled refunds of the order have spoken for. */
  async unsettledAmount(tx: Tx, orderId: string): Promise<number> {
    const [row] = await tx
      .select({ sum: sql<string>`coalesce(sum(${orderRefunds.amount}), 0)` })
      .from(orderRefunds)
      .where(and(eq(orderRefunds.orderId, orderId), inArray(orderRefunds.status, [...UNSETTLED])))
    return Number(row?.sum ?? 0)
  },

  /**
   * Requests of the order still waiting for the provider's answer to be recorded (the event of a
   * refund may overtake it), asked at most `withinSeconds` ago.
   */
  async awaitingAnswer(tx: Tx, orderId: string, withinSeconds: number): Promise<RefundRow[]> {
    return selectRefunds(tx)
      .where(
        and(
          eq(orderRefunds.orderId, orderId),
          eq(orderRefunds.status, 'requested'),
          isNull(orderRefunds.providerRefundId),
          sql`${orderRefunds.createdAt} > clock_timestamp() - make_interval(secs => ${withinSeconds})`,
        ),
      )
      .orderBy(asc(orderRefunds.createdAt))
  },

  /**
   * The refund failed for good: its amount is free again. An automatic refund that fails leaves
   * the buyer's money with us for access they never got: the order is marked for a person to
   * review (an administrator refunds it or settles it otherwise).
   */
  async fail(tx: Tx, refund: RefundRow, change: { failure: string; providerRefundId?: string }): Promise<RefundRow> {
    const failed = await refundsRepository.setState(tx, refund.id, { status: 'failed', ...change })
    if (refund.origin === 'automatic')
      await ordersRepository.update(tx, refund.orderId, {
        reviewReason: `The automatic refund ${refund.id} failed (${change.failure}); refund the order by hand`.slice(
          0,
          500,
        ),
      })
    return failed
  },

  async setState(
    tx: Tx,
    id: string,
    change: {
      status: 'requested' | 'pending' | 'succeeded' | 'failed'
      providerRefundId?: string
      failure?: string | null
    },
  ): Promise<RefundRow> {
    const [row] = await tx
      .update(orderRefunds)
      .set({
        ...change,
        ...(change.status === 'succeeded' ? { settledAt: sql`clock_timestamp()` } : {}),
        updatedAt: sql`clock_timestamp()`,
      })
      .where(eq(orderRefunds.id, id))
      .returning(refundColumns)
    if (!row) throw new Error(`refund ${id} vanished while it was updated`)
    return row
  },
}

export const disputesRepository = {
  /** Inserts the dispute unless the provider's id is known; undefined when it was. */
  async insert(
    tx: Tx,
    dispute: Omit<typeof orderDisputes.$inferInsert, 'tenantId' | 'id' | 'status' | 'closedAt' | 'updatedAt'>,
  ): Promise<DisputeRow | undefined> {
    const [row] = await tx
      .insert(orderDisputes)
      .values({ ...dispute, tenantId: currentTenantId })
      .onConflictDoNothing()
      .returning(disputeColumns)
    return row
  },

  async byProviderDispute(tx: Tx, providerDisputeId: string): Promise<DisputeRow | undefined> {
    const [row] = await selectDisputes(tx).where(eq(orderDisputes.providerDisputeId, providerDisputeId)).for('update')
    return row
  },

  async close(tx: Tx, id: string, status: Exclude<DisputeStatus, 'open'>): Promise<void> {
    await tx
      .update(orderDisputes)
      .set({ status, closedAt: sql`clock_timestamp()`, updatedAt: sql`clock_timestamp()` })
      .where(eq(orderDisputes.id, id))
  },

  /** Lost amounts and open disputes of the order: with its total and refunds, its money (refund-state.ts). */
  async moneyOf(tx: Tx, order: { id: string; total: number; refundedAmount: number }): Promise<OrderMoney> {
    const [row] = await tx
      .select({
        lost: sql<string>`coalesce(sum(${orderDisputes.amount}) FILTER (WHERE ${orderDisputes.status} = 'lost'), 0)`,
        disputed: sql<string>`coalesce(sum(${orderDisputes.amount}) FILTER (WHERE ${orderDisputes.status} = 'open'), 0)`,
        open: sql<number>`count(*) FILTER (WHERE ${orderDisputes.status} = 'open')::int`,
      })
      .from(orderDisputes)
      .where(eq(orderDisputes.orderId, order.id))
    return {
      total: order.total,
      refunded: order.refundedAmount,
      lost: Number(row?.lost ?? 0),
      disputed: Number(row?.disputed ?? 0),
      openDisputes: Number(row?.open ?? 0),
    }
  },
}
