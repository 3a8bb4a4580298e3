/**
 * Queries of re-authentication and of the password change: the signed-in user's password and
 * lock state, the authentication time of their session, and ending their other sessions. Runs in
 * the caller's tenant transaction; times from the database clock.
 */
import { and, eq, isNull, ne, sql } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { oneTimeTokens, sessions, users } from '../identity.tables.ts'

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

  /** Sets the new hash and clears the failure count. */
  async setPassword(tx: Tx, userId: string, passwordHash: string): Promise<boolean> {
    const rows = await tx
      .update(users)
      .set({ passwordHash, failedLoginCount: 0, lockedUntil: null, updatedAt: sql`now()` })
      .where(and(eq(users.id, userId), eq(users.status, 'active')))
      .returning({ id: users.id })
    return rows.length === 1
  },

  /** Revokes every live session of the user but `keep` (bearer and cookie alike: refresh tokens and cookies die with them). */
  async revokeOthers(tx: Tx, userId: string, keep: string | undefined, reason: string): Promise<string[]> {
    const rows = await tx
      .update(sessions)
      .set({ revokedAt: sql`now()`, revokeReason: reason })
      .where(
        and(
          eq(sessions.userId, userId),
          isNull(sessions.revokedAt),
          keep === undefined ? undefined : ne(sessions.id, keep),
        ),
      )
      .returning({ id: sessions.id })
    return rows.map((r) => r.id)
  },

  /** Retires the user's pending sign-in challenges: they were earned with the old password. */
  async retireChallenges(tx: Tx, userId: string): Promise<void> {
    await tx
      .update(oneTimeTokens)
      .set({ usedAt: sql`now()` })
      .where(
        and(eq(oneTimeTokens.userId, userId), eq(oneTimeTokens.purpose, 'mfa_challenge'), isNull(oneTimeTokens.usedAt)),
      )
  },
}
