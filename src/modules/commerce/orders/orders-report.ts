/**
 * The administrators' orders report: every order of the tenant, newest first by (createdAt, id),
 * filtered by status, currency, buyer and a creation range; as keyset pages, or as a CSV streamed
 * one page per short transaction (like the audit export: never every row in memory, never one
 * transaction for the whole download; cells a spreadsheet would evaluate are defused).
 */
import { and, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm'
import { csvCell } from '../../../platform/audit/audit-csv.ts'
import type { Tx } from '../../../platform/db/database.ts'
import { instantText, type PageResult } from '../../../platform/http/pagination.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { parseCurrencyCode, toDecimalString } from '../money/index.ts'
import { ordersCursor } from './orders.repository.ts'
import { orders } from './orders.tables.ts'
import { refundsErrors } from './refunds.errors.ts'
import type { CommerceOrder, OrdersCsvQuery, OrdersReportQuery } from './refunds.schemas.ts'

export const EXPORT_PAGE_SIZE = 500
const READ = { readOnly: true } as const

const reportColumns = {
  id: orders.id,
  buyerId: orders.buyerId,
  status: orders.status,
  currency: orders.currency,
  subtotal: orders.subtotal,
  discountTotal: orders.discountTotal,
  taxTotal: orders.taxTotal,
  total: orders.total,
  refundedAmount: orders.refundedAmount,
  taxTreatment: orders.taxTreatment,
  billingCountry: orders.billingCountry,
  vatId: orders.vatId,
  provider: orders.provider,
  paymentId: orders.paymentId,
  couponCodes: orders.couponCodes,
  needsRefund: orders.needsRefund,
  reviewReason: orders.reviewReason,
  createdAt: instantText(orders.createdAt),
  paidAt: instantText(orders.paidAt) as SQL<string | null>,
}

/** Up to `limit + 1` orders (the extra one says there is a next page), newest first. */
const selectReport = (tx: Tx, where: SQL | undefined, limit: number) =>
  tx
    .select(reportColumns)
    .from(orders)
    .where(where)
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(limit + 1)
type ReportRow = Awaited<ReturnType<typeof selectReport>>[number]

/** A query instant PostgreSQL holds exactly (years 1-9999), upper-cased as the database parses it; or 400. */
function instantParam(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  const at = new Date(value)
  const year = at.getUTCFullYear()
  if (Number.isNaN(at.getTime()) || year < 1 || year > 9999) throw refundsErrors.invalidInstant(name)
  return value.toUpperCase()
}

/** The WHERE clause of a page: the filters and the cursor's position, checked before any round trip. */
export function reportFilter(query: OrdersCsvQuery & { cursor?: string | undefined }): SQL | undefined {
  const from = instantParam('createdFrom', query.createdFrom)
  const to = instantParam('createdTo', query.createdTo)
  if (from !== undefined && to !== undefined && Date.parse(from) > Date.parse(to))
    throw refundsErrors.invalidDateRange()
  const after = ordersCursor.after(ordersCursor.decode(query.cursor), [orders.createdAt, orders.id], 'desc')
  return and(
    query.status === undefined ? undefined : eq(orders.status, query.status),
    query.currency === undefined ? undefined : eq(orders.currency, query.currency),
    query.buyerId === undefined ? undefined : eq(orders.buyerId, query.buyerId.toLowerCase()),
    // As text: the database parses the instant with its microseconds.
    from === undefined ? undefined : gte(orders.createdAt, sql`${from}::timestamptz`),
    to === undefined ? undefined : lt(orders.createdAt, sql`${to}::timestamptz`),
    after,
  )
}

async function readPage(tx: Tx, where: SQL | undefined, limit: number): Promise<PageResult<ReportRow>> {
  return ordersCursor.page(await selectReport(tx, where, limit), limit, (row) => [row.createdAt, row.id])
}

const money = (amount: number, currency: string) => ({ amount, currency })

export function presentOrder(row: ReportRow): CommerceOrder {
  return {
    id: row.id,
    buyerId: row.buyerId,
    status: row.status,
    subtotal: money(row.subtotal, row.currency),
    discountTotal: money(row.discountTotal, row.currency),
    taxTotal: money(row.taxTotal, row.currency),
    total: money(row.total, row.currency),
    refunded: money(row.refundedAmount, row.currency),
    taxTreatment: row.taxTreatment,
    billingCountry: row.billingCountry,
    provider: row.provider,
    paymentId: row.paymentId,
    couponCodes: [...row.couponCodes],
    needsRefund: row.needsRefund,
    reviewReason: row.reviewReason,
    createdAt: row.createdAt,
    paidAt: row.paidAt,
  }
}

export async function listOrders(ctx: RequestContext, query: OrdersReportQuery): Promise<PageResult<CommerceOrder>> {
  const where = reportFilter(query)
  const page = await ctx.inTenant((tx) => readPage(tx, where, query.limit), READ)
  return { data: page.data.map(presentOrder), nextCursor: page.nextCursor }
}

/** Amounts as exact decimals of the order's currency (19.99 EUR, 1000 JPY), beside the currency column. */
const decimal = (row: ReportRow, amount: number) =>
  toDecimalString({ amount, currency: parseCurrencyCode(row.currency) })

const COLUMNS: Array<[header: string, cell: (row: ReportRow) => string | number | null]> = [
  ['id', (o) => o.id],
  ['created_at', (o) => o.createdAt],
  ['paid_at', (o) => o.paidAt],
  ['status', (o) => o.status],
  ['buyer_id', (o) => o.buyerId],
  ['currency', (o) => o.currency],
  ['subtotal', (o) => decimal(o, o.subtotal)],
  ['discount_total', (o) => decimal(o, o.discountTotal)],
  ['tax_total', (o) => decimal(o, o.taxTotal)],
  ['total', (o) => decimal(o, o.total)],
  ['refunded', (o) => decimal(o, o.refundedAmount)],
  ['tax_treatment', (o) => o.taxTreatment],
  ['billing_country', (o) => o.billingCountry],
  ['vat_id', (o) => o.vatId],
  ['provider', (o) => o.provider],
  ['payment_id', (o) => o.paymentId],
  ['coupon_codes', (o) => o.couponCodes.join(' ')],
  ['needs_refund', (o) => String(o.needsRefund)],
  ['review_reason', (o) => o.reviewReason],
]

const csvLine = (cells: Array<string | number | null>) => `${cells.map(csvCell).join(',')}\r\n`
export const ORDERS_CSV_HEADER = csvLine(COLUMNS.map(([header]) => header))

/**
 * Reads the first page before returning, so bad filters and database errors are still a problem
 * document; later pages are read as the client consumes the stream, each from the last one's cursor.
 */
export async function ordersCsvStream(ctx: RequestContext, query: OrdersCsvQuery): Promise<AsyncGenerator<string>> {
  const read = (cursor: string | undefined) => {
    const where = reportFilter({ ...query, cursor })
    return ctx.inTenant((tx) => readPage(tx, where, EXPORT_PAGE_SIZE), READ)
  }
  const first = await read(undefined)
  async function* lines(): AsyncGenerator<string> {
    yield ORDERS_CSV_HEADER
    let page = first
    for (;;) {
      if (page.data.length > 0) yield page.data.map((row) => csvLine(COLUMNS.map(([, cell]) => cell(row)))).join('')
      if (!page.nextCursor) return
      page = await read(page.nextCursor)
    }
  }
  return lines()
}
