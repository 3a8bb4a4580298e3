/**
 * The administrators' payments report: GET /v1/commerce/payments (keyset pages) and
 * GET /v1/commerce/payments.csv (the same filters, every match streamed), for ledger:read.
 */
import { Readable } from 'node:stream'
import { Type } from 'typebox'
import { tenantAccess } from '../../../platform/http/access.ts'
import { Page } from '../../../platform/http/pagination.ts'
import type { App } from '../../../platform/http/server.ts'
import { listPayments, paymentsCsv } from './payments-report.ts'
import { PaymentRecord, PaymentsCsvQuery, PaymentsQuery } from './payments-report.schemas.ts'

const tags = ['payments']
const READERS = 'Tenant administrators and finance (ledger:read), and API keys holding it.'
const FILTERS =
  'Filters: status, provider, currency, and a creation window (createdFrom inclusive, createdBefore exclusive; createdBefore before createdFrom is 400).'

export function paymentsReportRoutes() {
  return async function routes(app: App): Promise<void> {
    app.addSchema(PaymentRecord)
    app.addSchema(Page(Type.Ref('PaymentRecord'), 'PaymentRecordPage'))

    app.get(
      '/v1/commerce/payments',
      {
        schema: {
          summary: "List the tenant's payments",
          description: `${READERS} Every payment taken through a provider, newest first (createdAt, then id), with its status as the provider last reported it and the amount captured. ${FILTERS} A cursor this API did not issue is 400 INVALID_CURSOR.`,
          tags,
          operationId: 'listPayments',
          querystring: PaymentsQuery,
          response: { 200: Type.Ref('PaymentRecordPage') },
        },
        config: { access: tenantAccess('ledger:read') },
      },
      async (request) => listPayments(request.ctx, request.query),
    )

    // A path of its own (like /v1/audit-events.csv): a download link works without an Accept header.
    app.get(
      '/v1/commerce/payments.csv',
      {
        schema: {
          summary: "The tenant's payments as a CSV download, newest first",
          description: `${READERS} ${FILTERS} Streams every matching payment (RFC 4180, UTF-8, CRLF line ends, a header row): amounts as exact decimals of the currency and as minor units. Cells starting with = + - @, a tab or a carriage return are prefixed with an apostrophe so spreadsheets never evaluate them.`,
          tags,
          operationId: 'exportPaymentsCsv',
          querystring: PaymentsCsvQuery,
          response: {
            200: {
              description: 'The matching payments, one per line, sent as an attachment',
              content: { 'text/csv': { schema: Type.String() } },
            },
          },
        },
        config: { access: tenantAccess('ledger:read') },
      },
      async (request, reply) => {
        const lines = await paymentsCsv(request.ctx, request.query)
        const day = new Date().toISOString().slice(0, 10)
        return (
          reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="payments-${day}.csv"`)
            .header('cache-control', 'no-store')
            // The 200 schema documents the body as text; Fastify pipes a stream without serializing it.
            .send(Readable.from(lines) as unknown as string)
        )
      },
    )
  }
}
