import { and, eq, sql } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import { flagOverrides } from './flags.tables.ts'

export type OverrideRow = typeof flagOverrides.$inferSelect

/**
 * Every query names the tenant explicitly: tenant-scoped transactions are also restricted by RLS,
 * platform-scoped ones (operators) see all tenants and rely on this predicate alone.
 */
export const flagsRepository = {
  async listOverrides(tx: Tx, tenantId: string): Promise<OverrideRow[]> {
    return tx.select().from(flagOverrides).where(eq(flagOverrides.tenantId, tenantId))
  },

  /** The effective overrides only, for evaluation (one small row per overridden flag). */
  async overrideValues(tx: Tx, tenantId: string): Promise<Array<{ flagKey: string; enabled: boolean }>> {
    return tx
      .select({ flagKey: flagOverrides.flagKey, enabled: flagOverrides.enabled })
      .from(flagOverrides)
      .where(eq(flagOverrides.tenantId, tenantId))
  },

  /**
   * Serialises changes to one tenant's flag until commit, so the old value recorded in the audit
   * entry is the one actually replaced, even when the override row does not exist yet.
   */
  async lock(tx: Tx, tenantId: string, flagKey: string): Promise<void> {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`flags:${tenantId}:${flagKey}`}, 0))`)
  },

  async find(tx: Tx, tenantId: string, flagKey: string): Promise<OverrideRow | undefined> {
    const [row] = await tx
      .select()
      .from(flagOverrides)
      .where(and(eq(flagOverrides.tenantId, tenantId), eq(flagOverrides.flagKey, flagKey)))
    return row
  },

  async upsert(
    tx: Tx,
    values: { tenantId: string; flagKey: string; enabled: boolean; updatedBy: string },
  ): Promise<OverrideRow> {
    const [row] = await tx
      .insert(flagOverrides)
      .values(values)
      .onConflictDoUpdate({
        target: [flagOverrides.tenantId, flagOverrides.flagKey],
        set: { enabled: values.enabled, updatedBy: values.updatedBy, updatedAt: sql`now()` },
      })
      .returning()
    if (!row) throw new Error('upsert returned no row')
    return row
  },

  async remove(tx: Tx, tenantId: string, flagKey: string): Promise<boolean> {
    const removed = await tx
      .delete(flagOverrides)
      .where(and(eq(flagOverrides.tenantId, tenantId), eq(flagOverrides.flagKey, flagKey)))
      .returning({ flagKey: flagOverrides.flagKey })
    return removed.length > 0
  },
}
