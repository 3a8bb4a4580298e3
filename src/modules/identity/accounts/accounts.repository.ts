/**
 * Drizzle queries on identity.users, memberships and one_time_tokens. Runs in the caller's
 * tenant transaction, so RLS confines every statement to the request's tenant. Times come from
 * the database clock (now()), the same clock that stamps created_at.
 */
import { principalChanging } from '../../../platform/cache/principal-changes.ts'
import { and, eq, gt, inArray, isNull, sql } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import type { TenantRole } from '../../../platform/http/permissions.ts'
import { memberships, oneTimeTokens, users } from '../identity.tables.ts'

export type TokenPurpose = (typeof oneTimeTokens.$inferInsert)['purpose']

/**
 * What a new password retires, whether changed or reset: links that sign in or set a password
 * (sent before the change, to a mailbox or an attacker's hands) and second-step challenges earned
 * with the old password.
 */
export const CREDENTIAL_TOKENS: readonly TokenPurpose[] = ['reset_password', 'magic_link', 'mfa_challenge']

export interface NewAccount {
  tenantId: string
  email: string
  displayName: string | null
  passwordHash: string
}

export interface AccountRef {
  id: string
  status: 'active' | 'disabled'
  emailVerifiedAt: Date | null
}

const accountRef = { id: users.id, status: users.status, emailVerifiedAt: users.emailVerifiedAt }

/** A single-use token of this purpose and hash that is neither used nor expired. */
export function usableToken(purpose: TokenPurpose, tokenHash: string) {
  return and(
    eq(oneTimeTokens.tokenHash, tokenHash),
    eq(oneTimeTokens.purpose, purpose),
    isNull(oneTimeTokens.usedAt),
    gt(oneTimeTokens.expiresAt, sql`now()`),
  )
}

export const accountsRepository = {
  /** Inserts the user unless the email is taken in the tenant; returns the new id, else undefined. */
  async insertUserIfAbsent(tx: Tx, account: NewAccount): Promise<string | undefined> {
    const [row] = await tx
      .insert(users)
      .values({ ...account, status: 'active' })
      .onConflictDoNothing({ target: [users.tenantId, users.email] })
      .returning({ id: users.id })
    return row?.id
  },

  /** `lock` takes the row lock, serialising concurrent requests about one account. */
  async findUserByEmail(tx: Tx, email: string, lock = false): Promise<AccountRef | undefined> {
    const query = tx.select(accountRef).from(users).where(eq(users.email, email))
    const [row] = lock ? await query.for('update') : await query
    return row
  },

  async grantRole(
    tx: Tx,
    grant: { tenantId: string; userId: string; role: TenantRole; grantedBy: string },
  ): Promise<void> {
    // A role of an existing member (an accepted invitation): the session cache lets go here now.
    principalChanging({ userId: grant.userId })
    await tx.insert(memberships).values(grant)
  },

  async insertToken(
    tx: Tx,
    token: { tenantId: string; userId: string; purpose: TokenPurpose; tokenHash: string; ttlSeconds: number },
  ): Promise<string> {
    const [row] = await tx
      .insert(oneTimeTokens)
      .values({
        tenantId: token.tenantId,
        userId: token.userId,
        purpose: token.purpose,
        tokenHash: token.tokenHash,
        expiresAt: sql`now() + make_interval(secs => ${token.ttlSeconds})`,
      })
      .returning({ id: oneTimeTokens.id })
    if (!row) throw new Error('insert returned no row')
    return row.id
  },

  /**
   * Marks the token used if it is unused and unexpired, in one statement: of two concurrent
   * uses exactly one gets the row back.
   */
  async consumeToken(
    tx: Tx,
    purpose: TokenPurpose,
    tokenHash: string,
  ): Promise<{ id: string; userId: string } | undefined> {
    const [row] = await tx
      .update(oneTimeTokens)
      .set({ usedAt: sql`now()` })
      .where(usableToken(purpose, tokenHash))
      .returning({ id: oneTimeTokens.id, userId: oneTimeTokens.userId })
    return row
  },

  /** Ends the other outstanding tokens of the purpose once one of them did its job. */
  async retireUnusedTokens(tx: Tx, userId: string, purposes: TokenPurpose | readonly TokenPurpose[]): Promise<void> {
    await tx
      .update(oneTimeTokens)
      .set({ usedAt: sql`now()` })
      .where(
        and(
          eq(oneTimeTokens.userId, userId),
          inArray(oneTimeTokens.purpose, [purposes].flat()),
          isNull(oneTimeTokens.usedAt),
        ),
      )
  },

  /** Sets a new password hash and lifts any lockout (changed or reset: either way the owner proved themselves). */
  async setPassword(tx: Tx, userId: string, passwordHash: string): Promise<boolean> {
    const rows = await tx
      .update(users)
      .set({ passwordHash, failedLoginCount: 0, lockedUntil: null, updatedAt: sql`now()` })
      .where(and(eq(users.id, userId), eq(users.status, 'active')))
      .returning({ id: users.id })
    return rows.length === 1
  },

  /** How many tokens of the purpose the user got in the last `windowSeconds`, and whether one is younger than `minGapSeconds`. */
  async recentTokens(
    tx: Tx,
    userId: string,
    purpose: TokenPurpose,
    windowSeconds: number,
    minGapSeconds: number,
  ): Promise<{ count: number; tooSoon: boolean }> {
    const [row] = await tx
      .select({
        count: sql<number>`count(*)::int`,
        tooSoon: sql<boolean>`coalesce(bool_or(${oneTimeTokens.createdAt} > now() - make_interval(secs => ${minGapSeconds})), false)`,
      })
      .from(oneTimeTokens)
      .where(
        and(
          eq(oneTimeTokens.userId, userId),
          eq(oneTimeTokens.purpose, purpose),
          gt(oneTimeTokens.createdAt, sql`now() - make_interval(secs => ${windowSeconds})`),
        ),
      )
    return { count: row?.count ?? 0, tooSoon: row?.tooSoon ?? false }
  },

  /** Marks the address verified unless it already is (the first verification's time stays). */
  async markEmailVerified(tx: Tx, userId: string): Promise<void> {
    const rows = await tx
      .update(users)
      .set({ emailVerifiedAt: sql`now()`, updatedAt: sql`now()` })
      .where(and(eq(users.id, userId), isNull(users.emailVerifiedAt)))
      .returning({ id: users.id })
    // The session check caches emailVerified (GET /v1/me): this node lets go now, the users
    // trigger tells every node at commit; an address already verified changes nothing.
    if (rows.length === 1) principalChanging({ userId })
  },
}
