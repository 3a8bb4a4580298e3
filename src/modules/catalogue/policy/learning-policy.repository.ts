/** Drizzle queries of the tenant's learning policy (one row per tenant, in the caller's tenant transaction). */
import { and, eq, sql } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { learningPolicies } from '../catalogue.tables.ts'

export type LearningPolicyRow = typeof learningPolicies.$inferSelect
export type LearningPolicyValues = Pick<LearningPolicyRow, 'allowStaffSelfEnrolment' | 'allowSelfPublication'>

export const learningPolicyRepository = {
  /** The tenant's row, optionally locked for the rest of the transaction; undefined while it has none. */
  async find(tx: Tx, options: { lock?: boolean } = {}): Promise<LearningPolicyRow | undefined> {
    const query = tx.select().from(learningPolicies)
    const [row] = options.lock ? await query.for('update') : await query
    return row
  },

  /** The first write of a tenant's policy; undefined when a concurrent writer created it first. */
  async insert(
    tx: Tx,
    tenantId: string,
    values: LearningPolicyValues,
    updatedBy: string,
  ): Promise<LearningPolicyRow | undefined> {
    const [row] = await tx
      .insert(learningPolicies)
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
    values: LearningPolicyValues,
    updatedBy: string,
  ): Promise<LearningPolicyRow | undefined> {
    const [row] = await tx
      .update(learningPolicies)
      .set({ ...values, updatedBy, updatedAt: new Date(), version: sql`${learningPolicies.version} + 1` })
      .where(and(eq(learningPolicies.tenantId, tenantId), eq(learningPolicies.version, version)))
      .returning()
    return row
  },
}
