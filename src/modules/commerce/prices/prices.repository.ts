/**
 * Drizzle queries of products and their price versions, in the caller's tenant transaction (RLS
 * keeps every statement to the tenant). Instants are selected as the instant text (microseconds,
 * pagination.ts), so version boundaries and cursors are exact.
 */
import { and, desc, eq, inArray, isNull, lte, or, gt, sql, type SQL } from 'drizzle-orm'
import { rowsOf, type Tx } from '../../../platform/db/database.ts'
import { instant, instantText, keysetCursor, uuid, type PositionOf } from '../../../platform/http/pagination.ts'
import { commerceSettings, priceVersions, products } from './prices.tables.ts'
import type { ProductType } from './product-type.ts'

export type ProductRow = typeof products.$inferSelect

export interface PriceVersionRow {
  id: string
  productId: string
  currency: string
  amount: number
  version: number
  validFrom: string
  validTo: string | null
  createdBy: string
  endedBy: string | null
}

const versionColumns = {
  id: priceVersions.id,
  productId: priceVersions.productId,
  currency: priceVersions.currency,
  amount: priceVersions.amount,
  version: priceVersions.version,
  validFrom: instantText(priceVersions.validFrom),
  validTo: instantText(priceVersions.validTo) as SQL<string | null>,
  createdBy: priceVersions.createdBy,
  endedBy: priceVersions.endedBy,
}

/** A product's price history, newest first by (validFrom, id). */
export const historyCursor = keysetCursor(instant, uuid)

const open = (productId: string, currency?: string) =>
  and(
    eq(priceVersions.productId, productId),
    currency === undefined ? undefined : eq(priceVersions.currency, currency),
    isNull(priceVersions.validTo),
  )

export const pricesRepository = {
  async product(tx: Tx, productId: string): Promise<ProductRow | undefined> {
    const [row] = await tx.select().from(products).where(eq(products.id, productId))
    return row
  },

  /** Which of `ids` are products of the transaction's tenant. */
  async existingProducts(tx: Tx, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set()
    const rows = await tx
      .select({ id: products.id })
      .from(products)
      .where(inArray(products.id, [...ids]))
    return new Set(rows.map((row) => row.id))
  },

  async productOf(tx: Tx, type: ProductType, subjectId: string): Promise<ProductRow | undefined> {
    const [row] = await tx
      .select()
      .from(products)
      .where(and(eq(products.type, type), eq(products.subjectId, subjectId)))
    return row
  },

  /** Creates the product of a subject unless it exists (a concurrent creator's row is kept). */
  async ensureProduct(
    tx: Tx,
    tenantId: string,
    type: ProductType,
    subjectId: string,
    createdBy: string,
  ): Promise<void> {
    await tx.insert(products).values({ tenantId, type, subjectId, createdBy }).onConflictDoNothing()
  },

  /** Locks the product for the rest of the transaction (price changes of a product serialise); its revision. */
  async lock(tx: Tx, productId: string): Promise<number | undefined> {
    const [row] = await tx
      .select({ revision: products.revision })
      .from(products)
      .where(eq(products.id, productId))
      .for('update')
    return row?.revision
  },

  async bumpRevision(tx: Tx, productId: string): Promise<number> {
    const [row] = await tx
      .update(products)
      .set({ revision: sql`${products.revision} + 1` })
      .where(eq(products.id, productId))
      .returning({ revision: products.revision })
    if (!row) throw new Error(`product ${productId} vanished under its lock`)
    return row.revision
  },

  /** The product's current prices, by currency. */
  current(tx: Tx, productId: string): Promise<PriceVersionRow[]> {
    return tx.select(versionColumns).from(priceVersions).where(open(productId)).orderBy(priceVersions.currency)
  },

  async currentIn(tx: Tx, productId: string, currency: string): Promise<PriceVersionRow | undefined> {
    const [row] = await tx.select(versionColumns).from(priceVersions).where(open(productId, currency))
    return row
  },

  async anyCurrent(tx: Tx, productId: string): Promise<boolean> {
    const [row] = await tx.select({ id: priceVersions.id }).from(priceVersions).where(open(productId)).limit(1)
    return row !== undefined
  },

  /**
   * Closes a current version now: at the statement's clock, and always after the version began
   * (a clock that stepped back must not make an empty or inverted interval). Returns the closing
   * instant, where the next version starts.
   */
  async close(tx: Tx, versionId: string, endedBy: string): Promise<string> {
    const [row] = await rowsOf<{ at: string }>(
      tx,
      sql`update ${priceVersions}
        set valid_to = greatest(clock_timestamp(), ${priceVersions.validFrom} + interval '1 microsecond'), ended_by = ${endedBy}
        where ${priceVersions.id} = ${versionId} and ${priceVersions.validTo} is null
        returning ${instantText(priceVersions.validTo)} as at`,
    )
    if (!row) throw new Error(`price version ${versionId} was not open under its product's lock`)
    return row.at
  },

  /** The next version of (product, currency), from `from` (the instant the previous one closed) or now. */
  async insert(
    tx: Tx,
    values: {
      tenantId: string
      productId: string
      currency: string
      amount: number
      from: string | null
      createdBy: string
    },
  ): Promise<PriceVersionRow> {
    const { tenantId, productId, currency, amount, from, createdBy } = values
    const [row] = await tx
      .insert(priceVersions)
      .values({
        tenantId,
        productId,
        currency,
        amount,
        version: sql`(select coalesce(max(v.version), 0) + 1 from ${priceVersions} v where v.product_id = ${productId} and v.currency = ${currency})`,
        validFrom: from === null ? sql`clock_timestamp()` : sql`${from}::timestamptz`,
        createdBy,
      })
      .returning(versionColumns)
    if (!row) throw new Error('price version insert returned no row')
    return row
  },

  /** Versions of a product (one currency or all), newest first. */
  history(
    tx: Tx,
    productId: string,
    currency: string | undefined,
    limit: number,
    after: PositionOf<typeof historyCursor> | undefined,
  ): Promise<PriceVersionRow[]> {
    return tx
      .select(versionColumns)
      .from(priceVersions)
      .where(
        and(
          eq(priceVersions.productId, productId),
          currency === undefined ? undefined : eq(priceVersions.currency, currency),
          historyCursor.after(after, [priceVersions.validFrom, priceVersions.id], 'desc'),
        ),
      )
      .orderBy(desc(priceVersions.validFrom), desc(priceVersions.id))
      .limit(limit + 1)
  },

  /** The version of (product, currency) in force at `at`. */
  async at(tx: Tx, productId: string, currency: string, at: Date): Promise<PriceVersionRow | undefined> {
    const [row] = await tx
      .select(versionColumns)
      .from(priceVersions)
      .where(
        and(
          eq(priceVersions.productId, productId),
          eq(priceVersions.currency, currency),
          lte(priceVersions.validFrom, at),
          or(isNull(priceVersions.validTo), gt(priceVersions.validTo, at)),
        ),
      )
      .limit(1)
    return row
  },

  async version(tx: Tx, versionId: string): Promise<PriceVersionRow | undefined> {
    const [row] = await tx.select(versionColumns).from(priceVersions).where(eq(priceVersions.id, versionId))
    return row
  },

  /**
   * The public catalogue's view of a subject's prices in one statement: its product (if any), the
   * current price per currency, and whether the tenant's prices include tax (NULL: the default).
   */
  async catalogueView(
    tx: Tx,
    type: ProductType,
    subjectId: string,
  ): Promise<{
    productId: string | null
    pricesIncludeTax: boolean | null
    prices: Array<{ id: string; amount: number; currency: string }>
  }> {
    const [row] = await rowsOf<{
      productId: string | null
      pricesIncludeTax: boolean | null
      prices: Array<{ id: string; amount: number; currency: string }>
    }>(
      tx,
      sql`select p.id as "productId",
          (select s.prices_include_tax from ${commerceSettings} s) as "pricesIncludeTax",
          coalesce((select jsonb_agg(jsonb_build_object('id', v.id, 'amount', v.amount, 'currency', v.currency) order by v.currency)
            from ${priceVersions} v where v.product_id = p.id and v.valid_to is null), '[]'::jsonb) as prices
        from (select 1) as one
        left join ${products} p on p.type = ${type} and p.subject_id = ${subjectId}`,
    )
    if (!row) throw new Error('the catalogue price view returned no row')
    return row
  },

  /** Per currency, how many current prices the tenant has and the lowest (settings may not strand them). */
  async currentByCurrency(tx: Tx): Promise<Map<string, { prices: number; lowest: number }>> {
    const rows = await tx
      .select({
        currency: priceVersions.currency,
        prices: sql<number>`count(*)::int`,
        lowest: sql<number>`min(${priceVersions.amount})`.mapWith(Number),
      })
      .from(priceVersions)
      .where(isNull(priceVersions.validTo))
      .groupBy(priceVersions.currency)
    return new Map(rows.map((row) => [row.currency, { prices: row.prices, lowest: row.lowest }]))
  },
}
