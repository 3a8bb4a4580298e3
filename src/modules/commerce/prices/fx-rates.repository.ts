/**
 * Drizzle queries of the platform's exchange rates. Operators write them in the platform scope;
 * conversions read them in any tenant transaction (the table's read_all policy).
 */
import { and, desc, eq, lte } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { instant, instantText, keysetCursor, uuid, type PositionOf } from '../../../platform/http/pagination.ts'
import { fxRates } from './prices.tables.ts'

export interface FxRateRow {
  id: string
  baseCurrency: string
  quoteCurrency: string
  /** numeric(27,12) as PostgreSQL writes it ("1.084200000000"); parseRate makes it exact and canonical. */
  rate: string
  effectiveAt: string
  source: string
  createdBy: string
  createdAt: string
}

const columns = {
  id: fxRates.id,
  baseCurrency: fxRates.baseCurrency,
  quoteCurrency: fxRates.quoteCurrency,
  rate: fxRates.rate,
  effectiveAt: instantText(fxRates.effectiveAt),
  source: fxRates.source,
  createdBy: fxRates.createdBy,
  createdAt: instantText(fxRates.createdAt),
}

/** Rates newest first by (effectiveAt, id). */
export const fxRatesCursor = keysetCursor(instant, uuid)

export const fxRatesRepository = {
  async insert(
    tx: Tx,
    values: {
      baseCurrency: string
      quoteCurrency: string
      rate: string
      effectiveAt: Date
      source: string
      createdBy: string
    },
  ): Promise<FxRateRow> {
    const [row] = await tx.insert(fxRates).values(values).returning(columns)
    if (!row) throw new Error('fx rate insert returned no row')
    return row
  },

  list(
    tx: Tx,
    filter: { baseCurrency?: string | undefined; quoteCurrency?: string | undefined },
    limit: number,
    after: PositionOf<typeof fxRatesCursor> | undefined,
  ): Promise<FxRateRow[]> {
    return tx
      .select(columns)
      .from(fxRates)
      .where(
        and(
          filter.baseCurrency === undefined ? undefined : eq(fxRates.baseCurrency, filter.baseCurrency),
          filter.quoteCurrency === undefined ? undefined : eq(fxRates.quoteCurrency, filter.quoteCurrency),
          fxRatesCursor.after(after, [fxRates.effectiveAt, fxRates.id], 'desc'),
        ),
      )
      .orderBy(desc(fxRates.effectiveAt), desc(fxRates.id))
      .limit(limit + 1)
  },

  /** The rate of the pair in effect at `at`: the latest that took effect by then. */
  async at(tx: Tx, baseCurrency: string, quoteCurrency: string, at: Date): Promise<FxRateRow | undefined> {
    const [row] = await tx
      .select(columns)
      .from(fxRates)
      .where(
        and(
          eq(fxRates.baseCurrency, baseCurrency),
          eq(fxRates.quoteCurrency, quoteCurrency),
          lte(fxRates.effectiveAt, at),
        ),
      )
      .orderBy(desc(fxRates.effectiveAt), desc(fxRates.id))
      .limit(1)
    return row
  },
}
