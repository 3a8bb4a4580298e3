/**
 * The audit trail as CSV (RFC 4180), streamed: one keyset page of EXPORT_PAGE_SIZE rows per
 * short transaction, so an export of any size holds neither every row in memory nor one
 * transaction open for the whole download. Cells a spreadsheet would evaluate as a formula are
 * defused (OWASP "CSV injection"): an audit export often carries attacker-chosen text (emails,
 * target ids, details).
 */
import type { RequestContext } from '../http/request-context.ts'
import { auditEventFilter, listAuditEvents } from './audit.queries.ts'
import type { AuditEvent, AuditEventCsvQuery } from './audit.schemas.ts'

export const EXPORT_PAGE_SIZE = 500

const COLUMNS: Array<[header: string, cell: (event: AuditEvent) => string | number | null]> = [
  ['id', (e) => e.id],
  ['occurred_at', (e) => e.occurredAt],
  ['chain_seq', (e) => e.chainSeq],
  ['hash', (e) => e.hash],
  ['actor_type', (e) => e.actorType],
  ['actor_id', (e) => e.actorId],
  ['impersonator_id', (e) => e.impersonatorId],
  ['action', (e) => e.action],
  ['target_type', (e) => e.targetType],
  ['target_id', (e) => e.targetId],
  ['outcome', (e) => e.outcome],
  ['request_id', (e) => e.requestId],
  ['ip_hash', (e) => e.ipHash],
  ['details', (e) => JSON.stringify(e.details)],
]

/** Leading characters that make Excel, LibreOffice or Sheets treat a cell as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/

/** One field: formula-defused with a leading apostrophe, then quoted when RFC 4180 requires it. */
export function csvCell(value: string | number | null): string {
  if (value === null) return ''
  let text = String(value)
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

const csvLine = (cells: Array<string | number | null>) => `${cells.map(csvCell).join(',')}\r\n`

export const CSV_HEADER = csvLine(COLUMNS.map(([header]) => header))

/**
 * Reads the first page before returning, so invalid filters and database errors still become a
 * problem document; later pages are read as the client consumes the stream.
 */
export async function auditCsvStream(
  ctx: RequestContext,
  tenantId: string,
  query: AuditEventCsvQuery,
): Promise<AsyncGenerator<string>> {
  const readPage = (cursor: string | undefined) => {
    const where = auditEventFilter(tenantId, { ...query, cursor })
    return ctx.inTenant((tx) => listAuditEvents(tx, where, EXPORT_PAGE_SIZE))
  }
  const first = await readPage(undefined)
  async function* lines(): AsyncGenerator<string> {
    yield CSV_HEADER
    let page = first
    for (;;) {
      // One chunk per page keeps the number of writes (and the per-chunk overhead) small.
      if (page.data.length > 0) yield page.data.map((event) => csvLine(COLUMNS.map(([, cell]) => cell(event)))).join('')
      if (!page.nextCursor) return
      page = await readPage(page.nextCursor)
    }
  }
  return lines()
}
