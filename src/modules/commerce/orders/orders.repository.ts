/**
 * Drizzle queries of orders and their lines, in the caller's tenant transaction (RLS keeps every
 * statement to the tenant: another tenant's order is simply not found). Instants are selected as
 * the instant text, so cursors are exact; amounts are integer minor units of the order's currency.
 */
import { and, asc, desc, eq, gt, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { currentTenantId } from '../../../platform/db/tenant-table.ts'
import { instant, instantText, keysetCursor, uuid, type PositionOf } from '../../../platform/http/pagination.ts'
import { orderLines, orders, type OrderStatus } from './orders.tables.ts'

const nullableInstant = (column: Parameters<typeof instantText>[0]) => instantText(column) as SQL<string | null>

const orderColumns = {
  id: orders.id,
  buyerId: orders.buyerId,
  idempotencyKey: orders.idempotencyKey,
  status: orders.status,
  currency: orders.currency,
  subtotal: orders.subtotal,
  discountTotal: orders.discountTotal,
  netTotal: orders.netTotal,
  taxTotal: orders.taxTotal,
  total: orders.total,
  taxTreatment: orders.taxTreatment,
  pricesIncludeTax: orders.pricesIncludeTax,
  billingCountry: orders.billingCountry,
  billingRegion: orders.billingRegion,
  vatId: orders.vatId,
  cardCountry: orders.cardCountry,
  paymentId: orders.paymentId,
  provider: orders.provider,
  couponCodes: orders.couponCodes,
  createdAt: instantText(orders.createdAt),
  paidAt: nullableInstant(orders.paidAt),
  refundedAmount: orders.refundedAmount,
  needsRefund: orders.needsRefund,
  admissionRefusal: orders.admissionRefusal,
  reviewReason: orders.reviewReason,
  updatedAt: instantText(orders.updatedAt),
}

const lineColumns = {
  id: orderLines.id,
  orderId: orderLines.orderId,
  position: orderLines.position,
  productId: orderLines.productId,
  productType: orderLines.productType,
  subjectId: orderLines.subjectId,
  title: orderLines.title,
  priceVersionId: orderLines.priceVersionId,
  conversion: orderLines.conversion,
  listPrice: orderLines.listPrice,
  discount: orderLines.discount,
  net: orderLines.net,
  tax: orderLines.tax,
  gross: orderLines.gross,
  taxRate: orderLines.taxRate,
  taxName: orderLines.taxName,
  discounts: orderLines.discounts,
}

const selectOrders = (tx: Tx) => tx.select(orderColumns).from(orders)
const selectLines = (tx: Tx) => tx.select(lineColumns).from(orderLines)
export type OrderRow = Awaited<ReturnType<typeof selectOrders>>[number]
export type OrderLineRow = Awaited<ReturnType<typeof selectLines>>[number]

export type NewOrder = Omit<typeof orders.$inferInsert, 'tenantId' | 'id' | 'status' | 'createdAt' | 'updatedAt'> & {
  id: string
}
export type NewOrderLine = Omit<typeof orderLines.$inferInsert, 'tenantId' | 'id' | 'orderId'>

/** What the state changes of an order may set (the request roles may update nothing else: migration `orders_rls`). */
export interface OrderChange {
  status?: OrderStatus
  paymentId?: string
  provider?: string
  cardCountry?: string | null
  /** `now` sets the transaction's clock time. */
  paidAt?: 'now'
  refundedAmount?: number
  needsRefund?: boolean
  admissionRefusal?: string | null
  reviewReason?: string | null
}

/** The statuses of an order not paid yet, which cancel and expiry end. */
const UNPAID: OrderStatus[] = ['awaiting_payment', 'payment_failed']

/** A buyer's orders newest first by (createdAt, id). */
export const ordersCursor = keysetCursor(instant, uuid)

export const ordersRepository = {
  /**
   * Inserts the order and its lines (in their position order). Two concurrent creations with the
   * same (buyer, Idempotency-Key) meet on the unique key: the second inserts nothing and gets
   * undefined (then reads the first's order).
   */
  async insert(tx: Tx, order: NewOrder, lines: readonly NewOrderLine[]): Promise<OrderRow | undefined> {
    const [row] = await tx
      .insert(orders)
      .values({ ...order, tenantId: currentTenantId })
      .onConflictDoNothing({ target: [orders.tenantId, orders.buyerId, orders.idempotencyKey] })
      .returning(orderColumns)
    if (!row) return undefined
    await tx.insert(orderLines).values(lines.map((line) => ({ ...line, orderId: row.id, tenantId: currentTenantId })))
    return row
  },

  async find(tx: Tx, id: string): Promise<OrderRow | undefined> {
    const [row] = await selectOrders(tx).where(eq(orders.id, id))
    return row
  },

  /** The order, locked until the transaction ends (capture, failure and refund handling take it first). */
  async lock(tx: Tx, id: string): Promise<OrderRow | undefined> {
    const [row] = await selectOrders(tx).where(eq(orders.id, id)).for('update')
    return row
  },

  async byIdempotencyKey(tx: Tx, buyerId: string, key: string): Promise<OrderRow | undefined> {
    const [row] = await selectOrders(tx).where(and(eq(orders.buyerId, buyerId), eq(orders.idempotencyKey, key)))
    return row
  },

  /** The lines of the orders, by order id, each in position order. */
  async linesOf(tx: Tx, orderIds: readonly string[]): Promise<Map<string, OrderLineRow[]>> {
    const byOrder = new Map<string, OrderLineRow[]>(orderIds.map((id) => [id, []]))
    if (orderIds.length === 0) return byOrder
    const rows = await selectLines(tx)
      .where(inArray(orderLines.orderId, [...orderIds]))
      .orderBy(asc(orderLines.orderId), asc(orderLines.position))
    for (const row of rows) byOrder.get(row.orderId)?.push(row)
    return byOrder
  },

  /** A buyer's orders, newest first. */
  listOfBuyer(
    tx: Tx,
    buyerId: string,
    limit: number,
    after: PositionOf<typeof ordersCursor> | undefined,
  ): Promise<OrderRow[]> {
    return selectOrders(tx)
      .where(and(eq(orders.buyerId, buyerId), ordersCursor.after(after, [orders.createdAt, orders.id], 'desc')))
      .orderBy(desc(orders.createdAt), desc(orders.id))
      .limit(limit + 1)
  },

  /** Links the payment made for the order, unless one is linked already (a capture may have linked it first); the order as it is now. */
  async linkPayment(tx: Tx, id: string, paymentId: string, provider: string): Promise<OrderRow> {
    await tx
      .update(orders)
      .set({ paymentId, provider, updatedAt: sql`clock_timestamp()` })
      .where(and(eq(orders.id, id), isNull(orders.paymentId)))
    const row = await this.find(tx, id)
    if (!row) throw new Error(`order ${id} vanished while its payment was linked`)
    return row
  },

  /** The tenants holding orders unpaid since before `cutoff` (the platform role's view: expiry). */
  async platformTenantsWithUnpaidBefore(tx: Tx, cutoff: Date): Promise<string[]> {
    const rows = await tx
      .selectDistinct({ tenantId: orders.tenantId })
      .from(orders)
      .where(and(inArray(orders.status, UNPAID), lt(orders.createdAt, cutoff)))
    return rows.map((row) => row.tenantId)
  },

  /** Up to `limit` of the tenant's orders unpaid since before `cutoff`, oldest first, after `after`. */
  unpaidBefore(tx: Tx, cutoff: Date, limit: number, after?: { createdAt: string; id: string }): Promise<OrderRow[]> {
    const later = after
      ? or(
          gt(orders.createdAt, sql`${after.createdAt}::timestamptz`),
          and(eq(orders.createdAt, sql`${after.createdAt}::timestamptz`), gt(orders.id, after.id)),
        )
      : undefined
    return selectOrders(tx)
      .where(and(inArray(orders.status, UNPAID), lt(orders.createdAt, cutoff), later))
      .orderBy(asc(orders.createdAt), asc(orders.id))
      .limit(limit)
  },

  async update(tx: Tx, id: string, change: OrderChange): Promise<OrderRow> {
    const { paidAt, ...rest } = change
    const [row] = await tx
      .update(orders)
      .set({ ...rest, ...(paidAt ? { paidAt: sql`clock_timestamp()` } : {}), updatedAt: sql`clock_timestamp()` })
      .where(eq(orders.id, id))
      .returning(orderColumns)
    if (!row) throw new Error(`order ${id} vanished while it was updated`)
    return row
  },
}
