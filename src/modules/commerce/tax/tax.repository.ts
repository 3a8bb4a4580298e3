/**
 * Drizzle queries of the tax profile and the rate table, in the caller's tenant transaction (RLS
 * keeps every statement to the tenant). Instants are selected as the instant text, so a retired
 * rate's end and its successor's start are exactly equal and cursors are exact.
 */
import { and, asc, eq, isNotNull, isNull, sql, type SQL } from 'drizzle-orm'
import { rowsOf, type Tx } from '../../../platform/db/database.ts'
import { instant, instantText, keysetCursor, text, uuid, type PositionOf } from '../../../platform/http/pagination.ts'
import type { Place } from './places.ts'
import { taxProfiles, taxRates } from './tax.tables.ts'

export type TaxProfileRow = typeof taxProfiles.$inferSelect
export type TaxProfileColumns = Pick<
  TaxProfileRow,
  'sellerLegalName' | 'sellerCountry' | 'sellerTaxId' | 'sellerAddress' | 'reverseChargeB2B'
>

export interface TaxRateRow {
  id: string
  country: string
  region: string | null
  name: string
  /** numeric(7,6) as PostgreSQL writes it ("0.190000"); parseDecimal makes it canonical. */
  rate: string
  version: number
  createdBy: string
  createdAt: string
  retiredBy: string | null
  retiredAt: string | null
}

/** A place's region in the listing's order and cursor: '-' for the country's own rate (sorts before its regions). */
const regionKey = sql<string>`coalesce(${taxRates.region}, '-')`
export const COUNTRY_RATE_KEY = '-'

const rateColumns = {
  id: taxRates.id,
  country: taxRates.country,
  region: taxRates.region,
  name: taxRates.name,
  rate: taxRates.rate,
  version: taxRates.version,
  createdBy: taxRates.createdBy,
  createdAt: instantText(taxRates.createdAt),
  retiredBy: taxRates.retiredBy,
  retiredAt: instantText(taxRates.retiredAt) as SQL<string | null>,
}

/** Rates by place (country, then the country's own rate before its regions), then oldest first. */
export const ratesCursor = keysetCursor(text('^[A-Z]{2}$', 2), text('^(-|[A-Z]{2}-[A-Z0-9]{1,3})$', 6), instant, uuid)

export type RateStatus = 'live' | 'retired' | 'all'

const atPlace = (place: Place) =>
  and(
    eq(taxRates.country, place.country),
    place.region === null ? isNull(taxRates.region) : eq(taxRates.region, place.region),
  )

export const taxRepository = {
  /** The tenant's profile; `lock` holds it for a change (concurrent changes serialise). */
  async profile(tx: Tx, options: { lock?: boolean } = {}): Promise<TaxProfileRow | undefined> {
    const query = tx.select().from(taxProfiles)
    const [row] = options.lock ? await query.for('update') : await query
    return row
  },

  /** The first write of the profile; undefined when a concurrent writer created it first. */
  async insertProfile(
    tx: Tx,
    tenantId: string,
    values: TaxProfileColumns,
    updatedBy: string,
  ): Promise<TaxProfileRow | undefined> {
    const [row] = await tx
      .insert(taxProfiles)
      .values({ tenantId, ...values, updatedBy, updatedAt: new Date() })
      .onConflictDoNothing()
      .returning()
    return row
  },

  /** Replaces the profile if still at `version`; undefined otherwise. */
  async updateProfile(
    tx: Tx,
    version: number,
    values: TaxProfileColumns,
    updatedBy: string,
  ): Promise<TaxProfileRow | undefined> {
    const [row] = await tx
      .update(taxProfiles)
      .set({ ...values, updatedBy, updatedAt: new Date(), version: sql`${taxProfiles.version} + 1` })
      .where(eq(taxProfiles.version, version))
      .returning()
    return row
  },

  /** Every live rate: what a quote decides from. */
  live(tx: Tx): Promise<TaxRateRow[]> {
    return tx
      .select(rateColumns)
      .from(taxRates)
      .where(isNull(taxRates.retiredAt))
      .orderBy(asc(taxRates.country), asc(regionKey))
  },

  /** The live rate of a place, locked for a change (changes of one place serialise). */
  async liveAt(tx: Tx, place: Place): Promise<TaxRateRow | undefined> {
    const [row] = await tx
      .select(rateColumns)
      .from(taxRates)
      .where(and(atPlace(place), isNull(taxRates.retiredAt)))
      .for('update')
    return row
  },

  /** The highest version a place ever had (0 for none): the ETag of a place without a live rate. */
  async lastVersion(tx: Tx, place: Place): Promise<number> {
    const [row] = await tx
      .select({ version: sql<number>`coalesce(max(${taxRates.version}), 0)::int` })
      .from(taxRates)
      .where(atPlace(place))
    return row?.version ?? 0
  },

  /**
   * Retires a live rate now: at the statement's clock and never before it was created (a clock
   * that stepped back). Returns the instant, where its successor starts.
   */
  async retire(tx: Tx, id: string, retiredBy: string): Promise<string> {
    const [row] = await rowsOf<{ at: string }>(
      tx,
      sql`update ${taxRates}
        set retired_at = greatest(clock_timestamp(), ${taxRates.createdAt}), retired_by = ${retiredBy}
        where ${taxRates.id} = ${id} and ${taxRates.retiredAt} is null
        returning ${instantText(taxRates.retiredAt)} as at`,
    )
    if (!row) throw new Error(`tax rate ${id} was not live under its lock`)
    return row.at
  },

  async insertRate(
    tx: Tx,
    values: {
      tenantId: string
      place: Place
      name: string
      rate: string
      version: number
      from: string | null
      createdBy: string
    },
  ): Promise<TaxRateRow> {
    const { tenantId, place, name, rate, version, from, createdBy } = values
    const [row] = await tx
      .insert(taxRates)
      .values({
        tenantId,
        country: place.country,
        region: place.region,
        name,
        rate,
        version,
        createdAt: from === null ? sql`clock_timestamp()` : sql`${from}::timestamptz`,
        createdBy,
      })
      .returning(rateColumns)
    if (!row) throw new Error('tax rate insert returned no row')
    return row
  },

  /** Rates by place then age, live, retired or both, optionally of one country. */
  list(
    tx: Tx,
    filter: { country: string | undefined; status: RateStatus },
    limit: number,
    after: PositionOf<typeof ratesCursor> | undefined,
  ): Promise<TaxRateRow[]> {
    const status =
      filter.status === 'live'
        ? isNull(taxRates.retiredAt)
        : filter.status === 'retired'
          ? isNotNull(taxRates.retiredAt)
          : undefined
    return tx
      .select(rateColumns)
      .from(taxRates)
      .where(
        and(
          filter.country === undefined ? undefined : eq(taxRates.country, filter.country),
          status,
          ratesCursor.after(after, [taxRates.country, regionKey, taxRates.createdAt, taxRates.id], 'asc'),
        ),
      )
      .orderBy(asc(taxRates.country), asc(regionKey), asc(taxRates.createdAt), asc(taxRates.id))
      .limit(limit + 1)
  },
}
