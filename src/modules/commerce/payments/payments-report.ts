/**
 * The administrators' payments report (ledger:read): the tenant's payment records, newest first,
 * filtered by status, provider, currency and creation time, as keyset pages or as one CSV
 * download. The CSV is streamed like the audit trail's (platform/audit/audit-csv.ts): a page of
 * EXPORT_PAGE_SIZE rows per short read-only transaction, read as the client consumes the stream,
 * so neither the table nor one long transaction is ever held; cells a spreadsheet would evaluate
 * as a formula are defused.
 */
import { csvCell } from '../../../platform/audit/audit-csv.ts'
import { AppError, commonErrors } from '../../../platform/errors.ts'
import type { PageResult } from '../../../platform/http/pagination.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { isCurrencyCode, money, toDecimalString } from '../money/index.ts'
import type { PaymentRecord, PaymentsCsvQuery, PaymentsQuery } from './payments-report.schemas.ts'
import { paymentsCursor, paymentsRepository, type ListedPayment, type PaymentFilter } from './payments.repository.ts'

export const EXPORT_PAGE_SIZE = 500

const READ = { readOnly: true } as const

const invalidQuery = (name: string, message: string) =>
  new AppError('invalid', 'VALIDATION_FAILED', `The request is invalid: querystring.${name} ${message}`, {
    errors: [{ path: `querystring.${name}`, message, code: 'range' }],
  })

/** An instant PostgreSQL can hold (years 1-9999), passed on as the client wrote it; else 400. */
function instantParam(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  const at = new Date(value)
  const year = at.getUTCFullYear()
  if (Number.isNaN(at.getTime()) || year < 1 || year > 9999)
    throw invalidQuery(name, 'must be an instant between the years 1 and 9999')
  return value
}

/** The filter, checked before any round trip. */
function filterOf(query: PaymentsCsvQuery): PaymentFilter {
  const createdFrom = instantParam('createdFrom', query.createdFrom)
  const createdBefore = instantParam('createdBefore', query.createdBefore)
  if (createdFrom && createdBefore && Date.parse(createdFrom) > Date.parse(createdBefore))
    throw invalidQuery('createdBefore', 'must not be before createdFrom')
  return { status: query.status, provider: query.provider, currency: query.currency, createdFrom, createdBefore }
}

const tenantOf = (ctx: RequestContext): string => {
  if (!ctx.tenantId) throw commonErrors.tenantRequired()
  return ctx.tenantId
}

export function presentPayment(row: ListedPayment): PaymentRecord {
  return {
    id: row.id,
    orderId: row.orderId,
    provider: row.provider,
    providerPaymentId: row.providerPaymentId,
    status: row.status as PaymentRecord['status'],
    captureMethod: row.captureMethod === 'manual' ? 'manual' : 'automatic',
    amount: { amount: row.amount, currency: row.currency },
    amountCaptured: { amount: row.amountCaptured, currency: row.currency },
    failureCode: row.failureCode,
    // The record's own microseconds, as the cursor carries them.
    createdAt: row.position,
    updatedAt: row.updatedAt.toISOString(),
  }
}

async function readPage(
  ctx: RequestContext,
  filter: PaymentFilter,
  cursor: string | undefined,
  limit: number,
): Promise<PageResult<ListedPayment>> {
  const tenantId = tenantOf(ctx)
  const after = paymentsCursor.decode(cursor)
  const rows = await ctx.inTenant((tx) => paymentsRepository.list(tx, tenantId, filter, after, limit + 1), READ)
  return paymentsCursor.page(rows, limit, (row) => [row.position, row.id])
}

export async function listPayments(ctx: RequestContext, query: PaymentsQuery): Promise<PageResult<PaymentRecord>> {
  const page = await readPage(ctx, filterOf(query), query.cursor, query.limit)
  return { data: page.data.map(presentPayment), nextCursor: page.nextCursor }
}

/** Exact decimal amounts for people reading the sheet (19.99, not 1999); the currency in its own column. */
const decimal = (amount: number, currency: string) =>
  isCurrencyCode(currency) ? toDecimalString(money(amount, currency)) : String(amount)

const COLUMNS: Array<[header: string, cell: (row: ListedPayment) => string | number | null]> = [
  ['id', (p) => p.id],
  ['created_at', (p) => p.position],
  ['updated_at', (p) => p.updatedAt.toISOString()],
  ['order_id', (p) => p.orderId],
  ['provider', (p) => p.provider],
  ['provider_payment_id', (p) => p.providerPaymentId],
  ['status', (p) => p.status],
  ['capture_method', (p) => p.captureMethod],
  ['currency', (p) => p.currency],
  ['amount', (p) => decimal(p.amount, p.currency)],
  ['amount_captured', (p) => decimal(p.amountCaptured, p.currency)],
  ['amount_minor_units', (p) => p.amount],
  ['amount_captured_minor_units', (p) => p.amountCaptured],
  ['failure_code', (p) => p.failureCode],
]

const csvLine = (cells: Array<string | number | null>) => `${cells.map(csvCell).join(',')}\r\n`

export const PAYMENTS_CSV_HEADER = csvLine(COLUMNS.map(([header]) => header))

/**
 * Reads the first page before returning, so a bad filter or a database error is still a problem
 * document; later pages are read as the client consumes the stream.
 */
export async function paymentsCsv(ctx: RequestContext, query: PaymentsCsvQuery): Promise<AsyncGenerator<string>> {
  const filter = filterOf(query)
  const first = await readPage(ctx, filter, undefined, EXPORT_PAGE_SIZE)
  async function* lines(): AsyncGenerator<string> {
    yield PAYMENTS_CSV_HEADER
    let page = first
    for (;;) {
      if (page.data.length > 0) yield page.data.map((row) => csvLine(COLUMNS.map(([, cell]) => cell(row)))).join('')
      if (!page.nextCursor) return
      page = await readPage(ctx, filter, page.nextCursor, EXPORT_PAGE_SIZE)
    }
  }
  return lines()
}
