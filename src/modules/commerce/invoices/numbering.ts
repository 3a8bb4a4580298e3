/**
 * Gap-free document numbers (ADR 0026). Each tenant has one counter per series; issuing draws the
 * next number with one upsert that locks the counter row until the issuing transaction ends, so
 * concurrent issues queue behind it, and a rollback returns the number together with the
 * document that would have taken it. The database refuses a document whose number was not just
 * drawn, and a drawn number no document takes (migration `invoices_rls`).
 *
 * Format: `INV-2026-000001` and `CN-2026-000001`: the series' prefix, the UTC year of issue and
 * the sequence, padded to six digits (wider once past 999,999). The sequence never restarts: the
 * year is there for readers, the sequence alone identifies the document, and the order of the
 * numbers is the order of issue, which holds because the instant of issue is read while the
 * counter is locked. A restart each 1 January would need a second key (the year) chosen before
 * the lock is taken, so a transaction waiting across midnight could issue a 2027 document under
 * a 2026 counter, and it would assume every tenant's fiscal year is the calendar year in UTC.
 */
import { sql } from 'drizzle-orm'
import { rowsOf, type Tx } from '../../../platform/db/database.ts'
import type { Series } from './invoices.tables.ts'

export const PREFIXES: Record<Series, string> = { invoice: 'INV', credit_note: 'CN' }

export interface DrawnNumber {
  sequence: number
  number: string
  /** When the document is issued: read under the counter's lock (millisecond precision, as stored). */
  issuedAt: Date
}

export function formatNumber(series: Series, sequence: number, issuedAt: Date): string {
  return `${PREFIXES[series]}-${issuedAt.getUTCFullYear()}-${String(sequence).padStart(6, '0')}`
}

/** Draws the tenant's next number of `series` in `tx`; the counter stays locked until `tx` ends. */
export async function drawNumber(tx: Tx, tenantId: string, series: Series): Promise<DrawnNumber> {
  const [row] = await rowsOf<{ sequence: string | number; issuedAt: string }>(
    tx,
    sql`INSERT INTO commerce.invoice_number_series AS s (tenant_id, series, last_number)
        VALUES (${tenantId}, ${series}, 1)
        ON CONFLICT (tenant_id, series) DO UPDATE SET last_number = s.last_number + 1
        RETURNING s.last_number AS sequence,
                  to_char(date_trunc('milliseconds', clock_timestamp()) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "issuedAt"`,
  )
  if (!row) throw new Error(`drawing a ${series} number returned no row`)
  const sequence = Number(row.sequence)
  const issuedAt = new Date(row.issuedAt)
  return { sequence, number: formatNumber(series, sequence, issuedAt), issuedAt }
}
