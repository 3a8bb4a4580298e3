/**
 * Queries of re-authentication: the signed-in user's password and lock state, and the
 * authentication time of their session. Runs in
 * the caller's tenant transaction; times from the database clock.
 */
import { and, eq, isNull, sql } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { sessions, users } from '../identity.tables.ts'

export const reauthenticationRepository = {
  async credentials(
    tx: Tx,
    userId: string,
  ): Promise<{ passwordHash: string | null; lockSeconds: number; hardLocked: boolean } | undefined> {
    const [row] = await tx
      .select({
        passwordHash: users.passwordHash,
        lockSeconds: sql<number>`case when ${users.lockedUntil} > now() then ceil(extract(epoch from (least(${users.lockedUntil}, now() + interval '1 day') - now())))::int else 0 end`,
        hardLocked: sql<boolean>`coalesce(${users.lockedUntil} = 'infinity'::timestamptz, false)`,
      })
      .from(users)
      .where(and(eq(users.id, userId), eq(users.status, 'active')))
    return row
      ? { passwordHash: row.passwordHash, lockSeconds: Number(row.lockSeconds), hardLocked: row.hardLocked === true }
      : undefined
  },

  /**
   * True when the session began (its user authenticated: password, second factor, emailed link)
   * less than `seconds` ago. A session is only ever created by an authentication and refreshing
   * keeps it, so its creation is its authentication time.
   */
  async authenticatedWithin(tx: Tx, userId: string, sessionId: string, seconds: number): Promise<boolean> {
    const [row] = await tx
      .select({ id: sessions.id })
      .from(sessions)
      .where(
        and(
          eq(sessions.id, sessionId),
          eq(sessions.userId, userId),
          isNull(sessions.revokedAt),
          sql`${sessions.createdAt} > now() - make_interval(secs => ${seconds})`,
        ),
      )
    return row !== undefined
  },
}
