/**
 * Drizzle queries on enrolment.access_grants; every call runs in the caller's (tenant)
 * transaction. Callers hold the enrolment's row lock before changing its grants, so the grants
 * an enrolment is recomputed from cannot change under the recomputation.
 */
import { and, asc, eq, inArray, isNull } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import { accessGrants, type AccessGrantRow, type EnrolmentSource } from './enrolment.tables.ts'

export interface NewGrant {
  tenantId: string
  enrolmentId: string
  source: EnrolmentSource
  sourceRef: string | null
  grantedBy: string
  startsAt: Date
  endsAt: Date | null
}

/** The sources the school itself grants through (the ones staff may move the end of). */
export const SCHOOL_SOURCES: readonly EnrolmentSource[] = ['self', 'admin', 'instructor', 'import']

export const grantsRepository = {
  /** Every grant of the enrolment, revoked or not, oldest first. */
  forEnrolment(tx: Tx, enrolmentId: string): Promise<AccessGrantRow[]> {
    return tx
      .select()
      .from(accessGrants)
      .where(eq(accessGrants.enrolmentId, enrolmentId))
      .orderBy(asc(accessGrants.createdAt), asc(accessGrants.id))
  },

  /** Inserts the grant, or nothing when the enrolment already holds one with this reference (then undefined). */
  async insert(tx: Tx, values: NewGrant): Promise<AccessGrantRow | undefined> {
    const [row] = await tx.insert(accessGrants).values(values).onConflictDoNothing().returning()
    return row
  },

  /** The enrolments holding an unrevoked grant with this reference, in id order (the order they are locked in). */
  async enrolmentsWithReference(tx: Tx, source: EnrolmentSource, sourceRef: string): Promise<string[]> {
    const rows = await tx
      .selectDistinct({ enrolmentId: accessGrants.enrolmentId })
      .from(accessGrants)
      .where(
        and(eq(accessGrants.source, source), eq(accessGrants.sourceRef, sourceRef), isNull(accessGrants.revokedAt)),
      )
      .orderBy(asc(accessGrants.enrolmentId))
    return rows.map((row) => row.enrolmentId)
  },

  /** Revokes the enrolment's unrevoked grants (those of one reference, or all); returns what it revoked. */
  revoke(
    tx: Tx,
    enrolmentId: string,
    which: { source: EnrolmentSource; sourceRef: string } | 'all',
    at: Date,
    reason: string,
  ): Promise<AccessGrantRow[]> {
    return tx
      .update(accessGrants)
      .set({ revokedAt: at, revokedReason: reason })
      .where(
        and(
          eq(accessGrants.enrolmentId, enrolmentId),
          isNull(accessGrants.revokedAt),
          which === 'all'
            ? undefined
            : and(eq(accessGrants.source, which.source), eq(accessGrants.sourceRef, which.sourceRef)),
        ),
      )
      .returning()
  },

  /** Moves the end of these grants. */
  async setEnds(tx: Tx, ids: string[], endsAt: Date | null): Promise<void> {
    if (ids.length === 0) return
    await tx.update(accessGrants).set({ endsAt }).where(inArray(accessGrants.id, ids))
  },
}
