/**
 * Placing and reading orders (ADR 0025). Placing runs in two short transactions around the
 * provider call, which never holds one open:
 *
 * 1. In one tenant transaction: the quote is computed again (quoteCheckout: nothing the client
 *    sends is an amount), every course the products give is checked against the enrolment rules
 *    (a course already bought and active is 409 ALREADY_PURCHASED), the order and its lines are
 *    inserted, the coupons reserved under their locks, and `order.created` written to the outbox.
 *    An order that costs nothing is paid right there (fulfilment.ts), without a provider.
 * 2. The provider payment for the total, its idempotency key derived from the order id.
 * 3. A second short transaction links the payment to the order.
 *
 * The buyer's Idempotency-Key is unique per buyer on the order too: a request that lost a race,
 * or a retry after a failed provider call, finds the order and carries on with its payment.
 */
import { randomUUID } from 'node:crypto'
import type { Tx } from '../../../platform/db/database.ts'
import { refuseWhileImpersonating } from '../../../platform/http/access.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import type { PageResult } from '../../../platform/http/pagination.ts'
import type { AccessGrants } from '../../enrolment/index.ts'
import { reserveCoupons, type CouponOutcome } from '../coupons/coupon-redemption.ts'
import type { PaymentsApi } from '../payments/payments.module.ts'
import { paymentsErrors } from '../payments/payments.errors.ts'
import { productAccess } from '../prices/price-for.ts'
import { cancelOrder } from './cancel.ts'
import { markOrderPaid, type FulfilmentDeps } from './fulfilment.ts'
import { attemptOf, linesOfQuote, presentOrder } from './order-views.ts'
import { ordersErrors } from './orders.errors.ts'
import { ORDER_CREATED, type OrderCreatedPayload } from './orders.events.ts'
import { ordersCursor, ordersRepository, type OrderRow } from './orders.repository.ts'
import type { CreateOrderBody, Order, OrderListQuery, PaymentAttempt, PlacedOrder } from './orders.schemas.ts'
import type { Quote } from './quote.ts'
import { quoteCheckout } from './quote.service.ts'

export interface OrdersDeps extends FulfilmentDeps {
  payments: PaymentsApi
}

/** Staff who may read every order of the tenant (administrators and finance). */
const READ_ANY_ORDER = 'ledger:read'
/** Staff who may cancel any unpaid order of the tenant: those who may refund a paid one. */
const CANCEL_ANY_ORDER = 'orders:refund'

function buyerOf(ctx: RequestContext): { tenantId: string; buyerId: string } {
  if (ctx.principal.kind !== 'user' || !ctx.tenantId) throw new Error('orders are placed by signed-in members')
  return { tenantId: ctx.tenantId, buyerId: ctx.principal.userId }
}

/**
 * Refuses a basket whose every course the buyer holds already through a purchase in force
 * (nothing new to buy), and whatever the enrolment rules refuse for any course (thrown as they
 * are: 404, 409, 422 with their own codes).
 */
async function checkAdmission(
  tx: Tx,
  ctx: RequestContext,
  access: AccessGrants,
  buyer: { tenantId: string; buyerId: string },
  quote: Quote,
): Promise<void> {
  for (const [index, line] of quote.lines.entries()) {
    const courseIds = (await productAccess(tx, line.productId)).map((target) => target.courseId)
    let purchased = 0
    for (const courseId of courseIds) {
      const admission = await access.checkGrantAdmission(tx, ctx, {
        tenantId: buyer.tenantId,
        userId: buyer.buyerId,
        courseId,
        source: 'purchase',
      })
      if (admission.active && admission.activeSources.includes('purchase')) purchased += 1
    }
    if (courseIds.length > 0 && purchased === courseIds.length)
      throw ordersErrors.alreadyPurchased(line.productId, index)
  }
}

/** Whether the reservation under the coupons' locks decided what the quote showed. */
function sameDiscounts(reserved: CouponOutcome, quote: Quote): boolean {
  return quote.lines.every((line, i) => {
    const decided = reserved.lines[i]
    return (
      decided?.productId === line.productId && decided.price.amount === line.listPrice.amount - line.discount.amount
    )
  })
}

async function createOrder(
  tx: Tx,
  ctx: RequestContext,
  deps: OrdersDeps,
  body: CreateOrderBody,
  key: string,
): Promise<OrderRow> {
  const buyer = buyerOf(ctx)
  const now = new Date()
  const { quote, coupons, buyer: billing } = await quoteCheckout(tx, buyer.buyerId, body, now)
  if (quote.total.amount > 0 && !deps.payments.defaultProvider) throw paymentsErrors.paymentsOff()
  await checkAdmission(tx, ctx, deps.access, buyer, quote)
  const orderId = randomUUID()
  const order = await ordersRepository.insert(
    tx,
    {
      id: orderId,
      buyerId: buyer.buyerId,
      idempotencyKey: key,
      currency: quote.currency,
      subtotal: quote.subtotal.amount,
      discountTotal: quote.discountTotal.amount,
      netTotal: quote.netTotal.amount,
      taxTotal: quote.taxTotal.amount,
      total: quote.total.amount,
      taxTreatment: quote.taxTreatment,
      pricesIncludeTax: quote.pricesIncludeTax,
      billingCountry: billing.country,
      billingRegion: billing.region,
      vatId: billing.vatId,
      couponCodes: coupons.map((coupon) => coupon.code),
    },
    linesOfQuote(quote),
  )
  // A concurrent request with the same key inserted first (and committed): that is the order.
  if (!order) return existingOrder(tx, buyer.buyerId, key, body)
  const reserved = await reserveCoupons(tx, {
    codes: body.couponCodes ?? [],
    buyerId: buyer.buyerId,
    currency: quote.currency,
    lines: quote.lines.map((line) => ({ productId: line.productId, amount: line.listPrice })),
    now,
    orderId,
  })
  if (!sameDiscounts(reserved, quote)) throw ordersErrors.quoteChanged()
  const payload: OrderCreatedPayload = {
    orderId,
    buyerId: buyer.buyerId,
    currency: order.currency,
    total: order.total,
    productIds: quote.lines.map((line) => line.productId),
    couponCodes: order.couponCodes,
  }
  await deps.events.publish(tx, ctx, { type: ORDER_CREATED, payload })
  return order.total === 0 ? markOrderPaid(tx, ctx, deps, order, null) : order
}

/** The order the buyer's key placed, which must be of the same products in the same currency. */
async function existingOrder(tx: Tx, buyerId: string, key: string, body: CreateOrderBody): Promise<OrderRow> {
  const order = await ordersRepository.byIdempotencyKey(tx, buyerId, key)
  if (!order) throw new Error('the order holding the idempotency key vanished')
  const lines = (await ordersRepository.linesOf(tx, [order.id])).get(order.id) ?? []
  const products = lines.map((line) => line.productId)
  const same =
    order.currency === body.currency &&
    products.length === body.productIds.length &&
    products.every((id, i) => id === body.productIds[i]?.toLowerCase())
  if (!same) throw ordersErrors.keyReused()
  return order
}

/** The order's payment at the provider: created once (outside any transaction), then linked. */
async function paymentOf(
  ctx: RequestContext,
  deps: OrdersDeps,
  order: OrderRow,
  paymentMethod: string | undefined,
): Promise<{ order: OrderRow; payment: PaymentAttempt | null }> {
  if (order.total === 0) return { order, payment: null }
  if (order.paymentId) return { order, payment: attemptOf(await deps.payments.retrievePayment(ctx, order.paymentId)) }
  if (order.status !== 'awaiting_payment') return { order, payment: null }
  const view = await deps.payments.createPayment(ctx, {
    orderId: order.id,
    amount: order.total,
    currency: order.currency,
    captureMethod: 'automatic',
    idempotencyKey: `order:${order.id}`,
    description: `Order ${order.id}`,
    ...(paymentMethod ? { paymentMethod } : {}),
  })
  const linked = await ctx.inTenant((tx) => ordersRepository.linkPayment(tx, order.id, view.id, view.provider))
  return { order: linked, payment: attemptOf(view) }
}

export function createOrdersService(deps: OrdersDeps) {
  async function withLines(tx: Tx, row: OrderRow): Promise<Order> {
    return presentOrder(row, (await ordersRepository.linesOf(tx, [row.id])).get(row.id) ?? [])
  }

  return {
    async place(ctx: RequestContext, body: CreateOrderBody, key: string): Promise<PlacedOrder> {
      const { buyerId } = buyerOf(ctx)
      const placed = await ctx.inTenant(async (tx) => {
        const earlier = await ordersRepository.byIdempotencyKey(tx, buyerId, key)
        return earlier ? existingOrder(tx, buyerId, key, body) : createOrder(tx, ctx, deps, body, key)
      })
      const { order, payment } = await paymentOf(ctx, deps, placed, body.paymentMethod)
      return { ...(await ctx.inTenant((tx) => withLines(tx, order))), payment }
    },

    /** The buyer's own order, or any order to staff holding ledger:read; anything else is 404. */
    async get(ctx: RequestContext, orderId: string): Promise<Order> {
      const { principal } = ctx
      return ctx.inTenant(async (tx) => {
        const row = await ordersRepository.find(tx, orderId)
        const mayRead =
          row !== undefined &&
          principal.kind === 'user' &&
          (row.buyerId === principal.userId || principal.permissions.has(READ_ANY_ORDER))
        if (!row || !mayRead) throw ordersErrors.notFound(orderId)
        return withLines(tx, row)
      })
    },

    /**
     * Cancels an unpaid order (cancel.ts): the buyer's own, or any to staff holding orders:refund
     * (audited; not while impersonating). Anyone else's, unknown or another tenant's is 404.
     */
    async cancel(ctx: RequestContext, orderId: string): Promise<Order> {
      const { principal } = ctx
      const order = await ctx.inTenant((tx) => ordersRepository.find(tx, orderId))
      const own = order !== undefined && principal.kind === 'user' && order.buyerId === principal.userId
      const staff = !own && principal.kind === 'user' && principal.permissions.has(CANCEL_ANY_ORDER)
      if (!order || (!own && !staff)) throw ordersErrors.notFound(orderId)
      if (staff) refuseWhileImpersonating(ctx)
      const canceled = await cancelOrder(ctx, deps, order, own ? 'buyer' : 'staff')
      return ctx.inTenant((tx) => withLines(tx, canceled))
    },

    /** The caller's purchase history, newest first. */
    async listMine(ctx: RequestContext, query: OrderListQuery): Promise<PageResult<Order>> {
      const { buyerId } = buyerOf(ctx)
      const after = ordersCursor.decode(query.cursor)
      const limit = query.limit ?? 20
      return ctx.inTenant(async (tx) => {
        const rows = await ordersRepository.listOfBuyer(tx, buyerId, limit, after)
        const page = ordersCursor.page(rows, limit, (row) => [row.createdAt, row.id])
        const lines = await ordersRepository.linesOf(
          tx,
          page.data.map((row) => row.id),
        )
        return { data: page.data.map((row) => presentOrder(row, lines.get(row.id) ?? [])), nextCursor: page.nextCursor }
      })
    },
  }
}

export type OrdersService = ReturnType<typeof createOrdersService>
