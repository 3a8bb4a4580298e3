/** Orders: a signed-in member places one for themself, reads it, and lists their purchases (ADR 0025). */
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
