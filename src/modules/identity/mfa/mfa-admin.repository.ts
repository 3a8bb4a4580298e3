/**
 * Queries behind the tenant administrator's second-factor routes: the MFA policy
 * (identity.mfa_requirements) and another member's factor. Runs in the caller's tenant
 * transaction, so RLS confines every statement to that tenant.
 */
import { principalChanging } from '../../../platform/cache/principal-changes.ts'
import { asc, eq, notInArray, sql } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import type { TenantRole } from '../../../platform/http/permissions.ts'
import { mfaRequirements, totpFactors, users } from '../identity.tables.ts'

export interface RequirementRow {
  role: TenantRole
  requiredBy: string
  createdAt: Date
}

export const mfaAdminRepository = {
  async requirements(tx: Tx): Promise<RequirementRow[]> {
    const rows = await tx
      .select({
        role: mfaRequirements.role,
        requiredBy: mfaRequirements.requiredBy,
        createdAt: mfaRequirements.createdAt,
      })
      .from(mfaRequirements)
      .orderBy(asc(mfaRequirements.role))
    // The table's check constraint admits only tenant roles.
    return rows.map((row) => ({ ...row, role: row.role as TenantRole }))
  },

  /** Makes the required roles exactly `roles`: keeps the rows (and dates) of roles that stay; returns what changed. */
  async replaceRequirements(
    tx: Tx,
    input: { tenantId: string; roles: TenantRole[]; requiredBy: string },
  ): Promise<{ added: TenantRole[]; removed: TenantRole[] }> {
    // A tenant-wide policy every session check reads: this node's cache lets go of the tenant now.
    principalChanging({ tenantId: input.tenantId })
    const removed = await tx
      .delete(mfaRequirements)
      .where(input.roles.length === 0 ? undefined : notInArray(mfaRequirements.role, input.roles))
      .returning({ role: mfaRequirements.role })
    const added =
      input.roles.length === 0
        ? []
        : await tx
            .insert(mfaRequirements)
            .values(input.roles.map((role) => ({ tenantId: input.tenantId, role, requiredBy: input.requiredBy })))
            .onConflictDoNothing()
            .returning({ role: mfaRequirements.role })
    return {
      added: added.map((row) => row.role as TenantRole).sort(),
      removed: removed.map((row) => row.role as TenantRole).sort(),
    }
  },

  async userExists(tx: Tx, userId: string): Promise<boolean> {
    const [row] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId))
    return row !== undefined
  },

  /** Lifts a lock and forgets every counted failure; the factor's state before, or undefined when there is none. */
  async unlock(tx: Tx, userId: string): Promise<{ wasLocked: boolean; consecutiveFailures: number } | undefined> {
    const [before] = await tx
      .select({
        locked: sql<boolean>`${totpFactors.lockedAt} is not null`,
        consecutiveFailures: totpFactors.consecutiveFailures,
      })
      .from(totpFactors)
      .where(eq(totpFactors.userId, userId))
      .for('update')
    if (!before) return undefined
    await tx
      .update(totpFactors)
      .set({ lockedAt: null, consecutiveFailures: 0, windowFailures: 0, windowStartedAt: null })
      .where(eq(totpFactors.userId, userId))
    return { wasLocked: before.locked === true, consecutiveFailures: before.consecutiveFailures }
  },

  async hasFactor(tx: Tx, userId: string): Promise<boolean> {
    const [row] = await tx
      .select({ userId: totpFactors.userId })
      .from(totpFactors)
      .where(eq(totpFactors.userId, userId))
    return row !== undefined
  },
}
