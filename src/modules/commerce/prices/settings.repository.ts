/** Drizzle queries of the tenant's commerce settings (one row per tenant, in the caller's tenant transaction). */
import { and, eq, sql } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { commerceSettings } from './prices.tables.ts'

export type CommerceSettingsRow = typeof commerceSettings.$inferSelect
export type CommerceSettingsColumns = Pick<
  CommerceSettingsRow,
  'allowedCurrencies' | 'baseCurrency' | 'minimumPrices' | 'pricesIncludeTax' | 'partialRefundAccess'
>

export const settingsRepository = {
  /**
   * The tenant's row; undefined while it has none. `lock: 'update'` for a settings change,
   * `'share'` for a price change, so the two serialise: a price is never set under settings that
   * a concurrent change is replacing (which checks the prices it would strand).
   */
  async find(tx: Tx, options: { lock?: 'update' | 'share' } = {}): Promise<CommerceSettingsRow | undefined> {
    const query = tx.select().from(commerceSettings)
    const [row] = options.lock ? await query.for(options.lock) : await query
    return row
  },

  /** The first write of a tenant's settings; undefined when a concurrent writer created them first. */
  async insert(
    tx: Tx,
    tenantId: string,
    values: CommerceSettingsColumns,
    updatedBy: string,
  ): Promise<CommerceSettingsRow | undefined> {
    const [row] = await tx
      .insert(commerceSettings)
      .values({ tenantId, ...values, updatedBy, updatedAt: new Date() })
      .onConflictDoNothing()
      .returning()
    return row
  },

  /** Replaces the values if the row is still at `version`; undefined otherwise. */
  async update(
    tx: Tx,
    tenantId: string,
    version: number,
    values: CommerceSettingsColumns,
    updatedBy: string,
  ): Promise<CommerceSettingsRow | undefined> {
    const [row] = await tx
      .update(commerceSettings)
      .set({ ...values, updatedBy, updatedAt: new Date(), version: sql`${commerceSettings.version} + 1` })
      .where(and(eq(commerceSettings.tenantId, tenantId), eq(commerceSettings.version, version)))
      .returning()
    return row
  },
}
