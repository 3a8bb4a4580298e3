/**
 * Reads of the audit log. Pages are keyset pages on (occurred_at, id), newest first. The cursor
 * carries occurred_at as the database's own microsecond text, never through a JS Date (which
 * keeps milliseconds): a truncated position would skip or repeat entries of the same millisecond.
 */
import { and, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm'
import type { Tx } from '../db/database.ts'
import { hotQuery } from '../db/hot-query.ts'
import { AppError } from '../errors.ts'
import { instant, instantText, keysetCursor, uuid, type PageResult } from '../http/pagination.ts'
import { auditLog } from './audit.tables.ts'
import type { AuditEvent, AuditEventCsvQuery } from './audit.schemas.ts'

/** occurred_at in UTC with all six fractional digits, e.g. 2026-11-25T10:00:00.123456Z. */
const occurredAtText = instantText(auditLog.occurredAt)
/** Audit events are listed newest first by (occurredAt, id). */
const auditCursor = keysetCursor(instant, uuid)
const invalidRange = () =>
  new AppError('invalid', 'VALIDATION_FAILED', 'The request is invalid: querystring.to must be later than from', {
    errors: [{ path: 'querystring.to', message: 'must be later than from', code: 'range' }],
  })

/** A position the database will parse: a real calendar instant and a UUID (pagination.ts checks both). */
function cursorCondition(cursor: string | undefined): SQL | undefined {
  return auditCursor.after(auditCursor.decode(cursor), [auditLog.occurredAt, auditLog.id], 'desc')
}

/**
 * The WHERE clause of a page: filters, the cursor position, and the tenant. The explicit tenant
 * predicate duplicates RLS on purpose: it lets the planner use the (tenant_id, occurred_at)
 * index, while RLS still guarantees isolation. Validates before any database round trip.
 */
export function auditEventFilter(
  tenantId: string,
  query: AuditEventCsvQuery & { cursor?: string | undefined },
): SQL | undefined {
  const from = query.from?.toUpperCase()
  const to = query.to?.toUpperCase()
  if (from !== undefined && to !== undefined && Date.parse(from) > Date.parse(to)) throw invalidRange()
  const after = cursorCondition(query.cursor)
  return and(
    eq(auditLog.tenantId, tenantId),
    query.action === undefined ? undefined : eq(auditLog.action, query.action),
    query.actorId === undefined ? undefined : eq(auditLog.actorId, query.actorId),
    query.targetType === undefined ? undefined : eq(auditLog.targetType, query.targetType),
    query.targetId === undefined ? undefined : eq(auditLog.targetId, query.targetId),
    // Bounds go to the database as text so sub-millisecond precision is kept exactly.
    from === undefined ? undefined : gte(auditLog.occurredAt, sql`${from}::timestamptz`),
    to === undefined ? undefined : lt(auditLog.occurredAt, sql`${to}::timestamptz`),
    after,
  )
}

const eventColumns = {
  id: auditLog.id,
  occurredAt: occurredAtText,
  actorType: auditLog.actorType,
  actorId: auditLog.actorId,
  impersonatorId: auditLog.impersonatorId,
  action: auditLog.action,
  targetType: auditLog.targetType,
  targetId: auditLog.targetId,
  outcome: auditLog.outcome,
  requestId: auditLog.requestId,
  details: auditLog.details,
  ipHash: auditLog.ipHash,
  chainSeq: auditLog.chainSeq,
  hash: auditLog.hash,
}

/** True for the first page without filters: the page an audit screen opens with, served by a hot query. */
export function isFirstUnfilteredPage(query: AuditEventCsvQuery & { cursor?: string | undefined }): boolean {
  return (
    query.cursor === undefined &&
    query.action === undefined &&
    query.actorId === undefined &&
    query.targetType === undefined &&
    query.targetId === undefined &&
    query.from === undefined &&
    query.to === undefined
  )
}

/** The first unfiltered page, built once (hot-query.ts); the same SQL text listAuditEvents builds for it. */
const firstPage = hotQuery('audit_events_first_page', (tx) =>
  tx
    .select(eventColumns)
    .from(auditLog)
    .where(eq(auditLog.tenantId, sql.placeholder('tenantId')))
    .orderBy(desc(auditLog.occurredAt), desc(auditLog.id))
    .limit(sql.placeholder('limit')),
)

export async function firstAuditPage(tx: Tx, tenantId: string, limit: number): Promise<PageResult<AuditEvent>> {
  const rows = await firstPage.execute(tx, { tenantId, limit: limit + 1 })
  return auditCursor.page(rows, limit, (row) => [row.occurredAt, row.id])
}

/** One statement per page, newest first; fetches one extra row to detect the next page. */
export async function listAuditEvents(tx: Tx, where: SQL | undefined, limit: number): Promise<PageResult<AuditEvent>> {
  const rows = await tx
    .select(eventColumns)
    .from(auditLog)
    .where(where)
    .orderBy(desc(auditLog.occurredAt), desc(auditLog.id))
    .limit(limit + 1)
  return auditCursor.page(rows, limit, (row) => [row.occurredAt, row.id])
}
