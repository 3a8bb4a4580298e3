/**
 * Gathers a case's severity signals (severity.ts decides): its reports with each reporter's
 * history (how their reports in other closed cases ended) and the subject's upheld actions in
 * other cases. Three statements, whatever the number of reporters.
 */
import { and, eq, inArray, isNull, ne, sql, count } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import { actions, cases, reports, type CaseRow } from './moderation.tables.ts'
import { computeSeverity, type Severity, type SeveritySignals } from './severity.ts'

export async function severitySignals(tx: Tx, caseRow: CaseRow): Promise<SeveritySignals> {
  const filed = await tx
    .select({ reporterId: reports.reporterId, category: reports.category })
    .from(reports)
    .where(eq(reports.caseId, caseRow.id))
  const reporterIds = [...new Set(filed.map((report) => report.reporterId))]
  const history =
    reporterIds.length === 0
      ? []
      : await tx
          .select({
            reporterId: reports.reporterId,
            actioned: sql<number>`count(*) FILTER (WHERE ${cases.resolution} = 'actioned')::int`,
            dismissed: sql<number>`count(*) FILTER (WHERE ${cases.resolution} = 'dismissed')::int`,
          })
          .from(reports)
          .innerJoin(cases, eq(cases.id, reports.caseId))
          .where(and(inArray(reports.reporterId, reporterIds), ne(cases.id, caseRow.id), eq(cases.status, 'closed')))
          .groupBy(reports.reporterId)
  const byReporter = new Map(history.map((row) => [row.reporterId, row]))
  const [upheld] = await tx
    .select({ n: count() })
    .from(actions)
    .where(
      and(eq(actions.subjectUserId, caseRow.subjectUserId), isNull(actions.undoneAt), ne(actions.caseId, caseRow.id)),
    )
  return {
    reports: filed.map((report) => ({
      reporterId: report.reporterId,
      category: report.category,
      pastActioned: Number(byReporter.get(report.reporterId)?.actioned ?? 0),
      pastDismissed: Number(byReporter.get(report.reporterId)?.dismissed ?? 0),
    })),
    subjectUpheldActions: Number(upheld?.n ?? 0),
    wordFilterMatch: caseRow.wordFilterMatch !== null,
  }
}

/** Recomputes and stores the case's severity and reporter count; returns the updated row. */
export async function refreshSeverity(tx: Tx, caseRow: CaseRow): Promise<{ row: CaseRow; severity: Severity }> {
  const signals = await severitySignals(tx, caseRow)
  const severity = computeSeverity(signals)
  const reporterCount = new Set(signals.reports.map((report) => report.reporterId)).size
  const [row] = await tx
    .update(cases)
    .set({ severity: severity.score, reporterCount })
    .where(eq(cases.id, caseRow.id))
    .returning()
  if (!row) throw new Error(`case ${caseRow.id} vanished while locked`)
  return { row, severity }
}
