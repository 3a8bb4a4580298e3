/**
 * Administrators' refunds of orders (orders:refund) and the orders report (ledger:read).
 * Schema → service → reply.
 */
import { Readable } from 'node:stream'
import { Type } from 'typebox'
import { tenantAccess } from '../../../platform/http/access.ts'
import { readIdempotencyKey } from '../../../platform/http/idempotency.ts'
import { Page } from '../../../platform/http/pagination.ts'
import type { App } from '../../../platform/http/server.ts'
import { listOrders, ordersCsvStream } from './orders-report.ts'
import type { RefundRow } from './refunds.repository.ts'
import {
  CommerceOrder,
  OrderParams,
  OrderRefund,
  OrderRefundParams,
  OrdersCsvQuery,
  OrdersReportQuery,
  RefundBody,
} from './refunds.schemas.ts'
import type { RefundService } from './refunds.service.ts'

const tags = ['orders']
const REFUNDERS =
  "Administrators and finance (orders:refund), people only (never an API key's scope); refused while impersonating."
const READERS = 'Tenant administrators and finance (ledger:read), and API keys holding it.'

export function presentRefund(row: RefundRow): OrderRefund {
  return {
    id: row.id,
    orderId: row.orderId,
    amount: { amount: row.amount, currency: row.currency },
    reason: row.reason,
    origin: row.origin,
    status: row.status,
    providerRefundId: row.providerRefundId,
    requestedBy: row.requestedBy,
    failure: row.failure,
    createdAt: row.createdAt,
    settledAt: row.settledAt,
  }
}

function refundRoutes(app: App, service: RefundService): void {
  app.post(
    '/v1/orders/:orderId/refunds',
    {
      schema: {
        summary: 'Refund an order, in all or in part',
        description: `${REFUNDERS} Asks the payment provider to give back \`amount\` (minor units; default: everything that is neither refunded, being refunded, disputed nor lost) and answers 202 with the refund \`pending\`: the order, the ledger and the buyer's access change when the provider confirms it (its verified webhook), and the refund then reads \`succeeded\`. A full refund ends the buyer's access to what the order bought (unless another grant keeps it); a partial one as the tenant's partialRefundAccess says. Idempotency-Key required: the same key and body answer the same refund, and the provider is asked once. Refusals: your own order 403 ORDER_SELF_REFUND_FORBIDDEN (audited); unknown order 404 ORDER_NOT_FOUND; not captured 409 ORDER_NOT_REFUNDABLE; an open dispute 409 ORDER_DISPUTED; nothing left 409 ORDER_NOTHING_TO_REFUND; more than is left 422 REFUND_EXCEEDS_REFUNDABLE (with \`available\`); a provider refusal 422 PAYMENT_PROVIDER_REJECTED (the refund failed); the provider down or not answering 503 with Retry-After (the refund stays requested, its amount reserved, and is asked again by a job; the same key asks again at once); the key of a failed refund 409 REFUND_FAILED (a new refund takes a new key). Audited (commerce.refund_requested, with the amount and reason).`,
        tags,
        operationId: 'refundOrder',
        params: OrderParams,
        body: RefundBody,
        response: { 202: Type.Ref('OrderRefund') },
      },
      config: {
        access: tenantAccess({ allOf: ['orders:refund'], peopleOnly: true }),
        privileged: true,
        idempotency: 'required',
      },
    },
    async (request, reply) => {
      // The platform checked it (required, well-formed) before the handler; this is its normal form.
      const idempotencyKey = readIdempotencyKey(request.headers['idempotency-key'], 'required') as string
      const refund = await service.request(request.ctx, request.params.orderId, {
        ...request.body,
        idempotencyKey,
      })
      return reply.code(202).send(presentRefund(refund))
    },
  )

  app.get(
    '/v1/orders/:orderId/refunds/:refundId',
    {
      schema: {
        summary: 'A refund of an order, as it stands',
        description:
          'Administrators and finance (orders:refund or ledger:read). Unknown (or another order’s, or another tenant’s): 404 REFUND_NOT_FOUND.',
        tags,
        operationId: 'getOrderRefund',
        params: OrderRefundParams,
        response: { 200: Type.Ref('OrderRefund') },
      },
      config: { access: tenantAccess({ anyOf: ['orders:refund', 'ledger:read'] }) },
    },
    async (request) => presentRefund(await service.get(request.ctx, request.params.orderId, request.params.refundId)),
  )
}

function reportRoutes(app: App): void {
  app.get(
    '/v1/commerce/orders',
    {
      schema: {
        summary: "The tenant's orders, newest first",
        description: `${READERS} Filters: status, currency, buyerId, createdFrom (inclusive) and createdTo (exclusive) instants. A cursor this API did not issue is 400 INVALID_CURSOR.`,
        tags,
        operationId: 'listCommerceOrders',
        querystring: OrdersReportQuery,
        response: { 200: Type.Ref('CommerceOrderPage') },
      },
      config: { access: tenantAccess('ledger:read') },
    },
    async (request) => listOrders(request.ctx, request.query),
  )

  // A path of its own rather than content negotiation, like /v1/audit-events.csv: a download link works as it is.
  app.get(
    '/v1/commerce/orders.csv',
    {
      schema: {
        summary: "The tenant's orders as a CSV download, newest first",
        description: `${READERS} Takes the filters of listCommerceOrders and streams every matching order (RFC 4180, UTF-8, CRLF line ends, a header row), amounts as exact decimals of each order's currency. Cells starting with = + - @, a tab or a carriage return are prefixed with an apostrophe so spreadsheets never evaluate them.`,
        tags,
        operationId: 'exportCommerceOrdersCsv',
        querystring: OrdersCsvQuery,
        response: {
          200: {
            description: 'The matching orders, one per line, sent as an attachment',
            content: { 'text/csv': { schema: Type.String() } },
          },
        },
      },
      config: { access: tenantAccess('ledger:read') },
    },
    async (request, reply) => {
      const lines = await ordersCsvStream(request.ctx, request.query)
      const day = new Date().toISOString().slice(0, 10)
      return (
        reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="orders-${day}.csv"`)
          .header('cache-control', 'no-store')
          // The 200 schema documents the body as text; Fastify pipes a stream without serializing it.
          .send(Readable.from(lines) as unknown as string)
      )
    },
  )
}

export function createRefundRoutes(service: RefundService) {
  return async function routes(app: App): Promise<void> {
    app.addSchema(OrderRefund)
    app.addSchema(CommerceOrder)
    app.addSchema(Page(Type.Ref('CommerceOrder'), 'CommerceOrderPage'))
    refundRoutes(app, service)
    reportRoutes(app)
  }
}
