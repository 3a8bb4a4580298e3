/**
 * Queries on identity.totp_factors, recovery_codes and the mfa_challenge one-time tokens. Runs in
 * the caller's tenant transaction (RLS confines it to that tenant); times come from the database
 * clock. The attempt budget is taken by a single conditional UPDATE ... RETURNING before a code
 * is checked, so concurrent guesses can never exceed it.
 */
import { principalChanging } from '../../../platform/cache/principal-changes.ts'
import { and, eq, gt, isNull, sql } from 'drizzle-orm'
import { rowsOf, type Tx } from '../../../platform/db/database.ts'
import { oneTimeTokens, recoveryCodes, totpFactors, users } from '../identity.tables.ts'

/** At most this many failures per factor in one window (the next attempt is refused, even with the right code). */
export const WINDOW_MAX_FAILURES = 5
export const WINDOW_SECONDS = 15 * 60
/** Consecutive failures that lock the factor until an administrator resets it. */
export const LOCK_AFTER_FAILURES = 20
export const CHALLENGE_TTL_SECONDS = 5 * 60

export interface ReservedAttempt {
  secretEncrypted: string
  lastUsedStep: number | null
}

export interface Refusal {
  locked: boolean
  retryAfter: number
}

const windowExpired = sql`(window_started_at IS NULL OR window_started_at <= now() - make_interval(secs => ${WINDOW_SECONDS}))`

export const mfaRepository = {
  async emailOf(tx: Tx, userId: string): Promise<string | undefined> {
    const [row] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId))
    return row?.email
  },

  async isConfirmed(tx: Tx, userId: string): Promise<boolean> {
    const [row] = await tx
      .select({ userId: totpFactors.userId })
      .from(totpFactors)
      .where(and(eq(totpFactors.userId, userId), sql`${totpFactors.confirmedAt} IS NOT NULL`))
    return row !== undefined
  },

  /** Creates the factor or replaces an unconfirmed one (fresh secret, counters kept); false when a confirmed one exists. */
  async saveUnconfirmed(
    tx: Tx,
    input: { tenantId: string; userId: string; secretEncrypted: string },
  ): Promise<boolean> {
    const rows = await tx
      .insert(totpFactors)
      .values(input)
      .onConflictDoUpdate({
        target: totpFactors.userId,
        set: { secretEncrypted: input.secretEncrypted, lastUsedStep: null, createdAt: sql`now()` },
        setWhere: isNull(totpFactors.confirmedAt),
      })
      .returning({ userId: totpFactors.userId })
    return rows.length > 0
  },

  /**
   * Counts the attempt as a failure up front (starting a new window when the last one ended) if
   * the budget allows it; a success gives it back. Undefined when refused or there is no factor.
   */
  async reserveAttempt(tx: Tx, userId: string, confirmed: boolean): Promise<ReservedAttempt | undefined> {
    const [row] = await rowsOf<{ secret_encrypted: string; last_used_step: number | null }>(
      tx,
      sql`UPDATE identity.totp_factors SET
            window_failures = CASE WHEN ${windowExpired} THEN 1 ELSE window_failures + 1 END,
            window_started_at = CASE WHEN ${windowExpired} THEN now() ELSE window_started_at END,
            consecutive_failures = consecutive_failures + 1
          WHERE user_id = ${userId} AND (confirmed_at IS NOT NULL) = ${confirmed} AND locked_at IS NULL
            AND consecutive_failures < ${LOCK_AFTER_FAILURES} AND (${windowExpired} OR window_failures < ${WINDOW_MAX_FAILURES})
          RETURNING secret_encrypted, last_used_step`,
    )
    return row
      ? {
          secretEncrypted: row.secret_encrypted,
          lastUsedStep: row.last_used_step === null ? null : Number(row.last_used_step),
        }
      : undefined
  },

  /** Why an attempt was refused; undefined when the user has no such factor. */
  async refusal(tx: Tx, userId: string, confirmed: boolean): Promise<Refusal | undefined> {
    const [row] = await rowsOf<{ locked: boolean; retry_after: number }>(
      tx,
      sql`SELECT (locked_at IS NOT NULL OR consecutive_failures >= ${LOCK_AFTER_FAILURES}) AS locked,
                 greatest(1, ceil(extract(epoch from (window_started_at + make_interval(secs => ${WINDOW_SECONDS}) - now()))))::int AS retry_after
          FROM identity.totp_factors WHERE user_id = ${userId} AND (confirmed_at IS NOT NULL) = ${confirmed}`,
    )
    return row ? { locked: row.locked === true, retryAfter: Number(row.retry_after ?? 1) } : undefined
  },

  /**
   * Gives back the reserved attempt and resets the consecutive failures; with a step, only if it
   * is newer than the last accepted one (a concurrent use of the same code loses here).
   */
  async recordSuccess(tx: Tx, userId: string, step: number | undefined, confirm: boolean): Promise<boolean> {
    // A confirmed factor ends a pending enrolment (session cache: here now, every node at commit).
    if (confirm) principalChanging({ userId })
    const rows = await rowsOf<{ user_id: string }>(
      tx,
      sql`UPDATE identity.totp_factors SET
            window_failures = greatest(window_failures - 1, 0), consecutive_failures = 0,
            last_used_step = coalesce(${step ?? null}::int, last_used_step),
            confirmed_at = CASE WHEN ${confirm} THEN now() ELSE confirmed_at END
          WHERE user_id = ${userId} AND (${step ?? null}::int IS NULL OR last_used_step IS NULL OR last_used_step < ${step ?? null}::int)
          RETURNING user_id`,
    )
    return rows.length > 0
  },

  /** Locks the factor once the consecutive failures reach the limit; true when this call locked it. */
  async lockIfExhausted(
    tx: Tx,
    userId: string,
  ): Promise<{ lockedNow: boolean; consecutiveFailures: number; windowFailures: number }> {
    const [row] = await rowsOf<{ locked_now: boolean; consecutive_failures: number; window_failures: number }>(
      tx,
      sql`UPDATE identity.totp_factors SET locked_at = CASE WHEN locked_at IS NULL AND consecutive_failures >= ${LOCK_AFTER_FAILURES} THEN now() ELSE locked_at END
          WHERE user_id = ${userId}
          RETURNING (locked_at = now() AND consecutive_failures >= ${LOCK_AFTER_FAILURES}) AS locked_now, consecutive_failures, window_failures`,
    )
    return {
      lockedNow: row?.locked_now === true,
      consecutiveFailures: Number(row?.consecutive_failures ?? 0),
      windowFailures: Number(row?.window_failures ?? 0),
    }
  },

  /** The user's unused recovery codes (at most ten), to compare in constant time. */
  async unusedRecoveryCodes(tx: Tx, userId: string): Promise<{ id: string; codeHash: string }[]> {
    return tx
      .select({ id: recoveryCodes.id, codeHash: recoveryCodes.codeHash })
      .from(recoveryCodes)
      .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)))
  },

  /** Marks one code used; false when a concurrent request used it first. */
  async useRecoveryCode(tx: Tx, userId: string, id: string): Promise<boolean> {
    const rows = await tx
      .update(recoveryCodes)
      .set({ usedAt: sql`now()` })
      .where(and(eq(recoveryCodes.id, id), eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)))
      .returning({ id: recoveryCodes.id })
    return rows.length > 0
  },

  /** The user's factor state, for GET /v1/me/mfa. */
  async status(tx: Tx, userId: string): Promise<{ factor: 'none' | 'pending' | 'enabled'; remaining: number }> {
    const [row] = await rowsOf<{ confirmed: boolean | null; remaining: number }>(
      tx,
      sql`SELECT (SELECT f.confirmed_at IS NOT NULL FROM identity.totp_factors f WHERE f.user_id = ${userId}) AS confirmed,
                 (SELECT count(*) FROM identity.recovery_codes r WHERE r.user_id = ${userId} AND r.used_at IS NULL)::int AS remaining`,
    )
    const confirmed = row?.confirmed
    return {
      factor: confirmed === null || confirmed === undefined ? 'none' : confirmed ? 'enabled' : 'pending',
      remaining: Number(row?.remaining ?? 0),
    }
  },

  async replaceRecoveryCodes(tx: Tx, input: { tenantId: string; userId: string; hashes: string[] }): Promise<void> {
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, input.userId))
    await tx
      .insert(recoveryCodes)
      .values(input.hashes.map((codeHash) => ({ tenantId: input.tenantId, userId: input.userId, codeHash })))
  },

  async deleteFactor(tx: Tx, userId: string): Promise<void> {
    principalChanging({ userId })
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId))
    await tx.delete(totpFactors).where(eq(totpFactors.userId, userId))
  },

  async createChallenge(tx: Tx, input: { tenantId: string; userId: string; tokenHash: string }): Promise<void> {
    await tx.insert(oneTimeTokens).values({
      ...input,
      purpose: 'mfa_challenge',
      expiresAt: sql`now() + make_interval(secs => ${CHALLENGE_TTL_SECONDS})`,
    })
  },

  /** The user of a live, unused challenge. */
  async findChallenge(tx: Tx, tokenHash: string): Promise<{ id: string; userId: string } | undefined> {
    const [row] = await tx
      .select({ id: oneTimeTokens.id, userId: oneTimeTokens.userId })
      .from(oneTimeTokens)
      .where(
        and(
          eq(oneTimeTokens.tokenHash, tokenHash),
          eq(oneTimeTokens.purpose, 'mfa_challenge'),
          isNull(oneTimeTokens.usedAt),
          gt(oneTimeTokens.expiresAt, sql`now()`),
        ),
      )
    return row
  },

  /** Marks the challenge used; false when a concurrent request used it first. */
  async useChallenge(tx: Tx, id: string): Promise<boolean> {
    const rows = await tx
      .update(oneTimeTokens)
      .set({ usedAt: sql`now()` })
      .where(and(eq(oneTimeTokens.id, id), isNull(oneTimeTokens.usedAt)))
      .returning({ id: oneTimeTokens.id })
    return rows.length > 0
  },
}
