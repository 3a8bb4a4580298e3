/**
 * Orders: a signed-in member places one for themself, reads it, cancels it while unpaid, and lists
 * their purchases (ADR 0025).
 */
import { Type } from 'typebox'
import { tenantAccess } from '../../../platform/http/access.ts'
import { readIdempotencyKey } from '../../../platform/http/idempotency.ts'
import type { App } from '../../../platform/http/server.ts'
import { CreateOrderBody, Order, OrderListQuery, OrderPage, OrderParams, PlacedOrder } from './orders.schemas.ts'
import type { OrdersService } from './orders.service.ts'

const tags = ['commerce']

export function ordersRoutes(app: App, service: OrdersService): void {
  for (const schema of [Order, PlacedOrder, OrderPage]) app.addSchema(schema)

  app.post(
    '/v1/orders',
    {
      schema: {
        summary: 'Place an order',
        description:
          'Buys the products for the signed-in member. Send what the quote takes (products, currency, coupon codes, the billing place) and optionally a payment method; every amount is computed again on the server and locked in the order (any price, amount, total, tax, discount or quantity field is refused with 400). Each course the products give must admit the buyer (the enrolment rules); one already bought and active is 409 ALREADY_PURCHASED. The order starts awaiting_payment, with a payment at the provider for its total (its clientSecret and nextAction are for the buyer’s client); only the provider’s verified capture marks it paid and grants access. An order that costs nothing (a 100 % coupon) is paid at once. Requires Idempotency-Key: the same key places one order and one payment, however often it is sent.',
        tags,
        operationId: 'placeOrder',
        body: CreateOrderBody,
        response: { 201: Type.Ref('PlacedOrder') },
      },
      config: { access: tenantAccess(), idempotency: 'required' },
    },
    async (request, reply) => {
      const key = readIdempotencyKey(request.headers['idempotency-key'], 'required') as string
      const placed = await service.place(request.ctx, request.body, key)
      return reply.code(201).header('location', `/v1/orders/${placed.id}`).send(placed)
    },
  )

  app.get(
    '/v1/orders/:orderId',
    {
      schema: {
        summary: 'Get an order',
        description:
          'The buyer’s own order, with the lines and totals it locked; staff holding ledger:read (administrators, finance) read every order of the tenant. Anyone else’s, unknown or another tenant’s order is 404 ORDER_NOT_FOUND.',
        tags,
        operationId: 'getOrder',
        params: OrderParams,
        response: { 200: Type.Ref('Order') },
      },
      config: { access: tenantAccess() },
    },
    async (request) => service.get(request.ctx, request.params.orderId),
  )

  app.post(
    '/v1/orders/:orderId/cancel',
    {
      schema: {
        summary: 'Cancel an unpaid order',
        description:
          'The buyer cancels their own order while it is unpaid (awaiting_payment or payment_failed); staff holding orders:refund (administrators, finance) cancel any order of the tenant (audited commerce.order_canceled; refused while impersonating). Its payment is canceled at the provider first; then the order becomes canceled, its coupons are released for others and order.canceled is published. Canceling a canceled order answers it unchanged. Refusals: a paid (or refunded, disputed) order 409 ORDER_NOT_CANCELABLE (refund it instead); a payment the provider took already 409 ORDER_PAYMENT_CAPTURED (the order will be paid); a payment still processing 409 ORDER_PAYMENT_IN_PROGRESS (Retry-After); the provider down 503 with Retry-After; anyone else’s, unknown or another tenant’s order 404 ORDER_NOT_FOUND. Unpaid orders also end by themselves after 24 hours (expiry).',
        tags,
        operationId: 'cancelOrder',
        params: OrderParams,
        response: { 200: Type.Ref('Order') },
      },
      config: { access: tenantAccess() },
    },
    async (request) => service.cancel(request.ctx, request.params.orderId),
  )

  app.get(
    '/v1/me/orders',
    {
      schema: {
        summary: 'List my orders',
        description:
          'The signed-in member’s purchase history, newest first, whatever their status. A cursor this API did not issue is 400 INVALID_CURSOR.',
        tags,
        operationId: 'listMyOrders',
        querystring: OrderListQuery,
        response: { 200: Type.Ref('OrderPage') },
      },
      config: { access: tenantAccess() },
    },
    async (request) => service.listMine(request.ctx, request.query),
  )
}
