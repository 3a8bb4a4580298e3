/**
 * The queries recovery needs beyond the accounts and sessions repositories. Runs in the caller's
 * tenant transaction (RLS confines every statement to that tenant); times from the database clock.
 */
import { and, eq } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { oneTimeTokens, users } from '../identity.tables.ts'
import { usableToken, type TokenPurpose } from '../accounts/accounts.repository.ts'

export const recoveryRepository = {
  /** The active account a usable (unused, unexpired) token belongs to, without consuming it. */
  async peekToken(
    tx: Tx,
    purpose: TokenPurpose,
    tokenHash: string,
  ): Promise<{ userId: string; email: string } | undefined> {
    const [row] = await tx
      .select({ userId: users.id, email: users.email })
      .from(oneTimeTokens)
      .innerJoin(users, eq(users.id, oneTimeTokens.userId))
      .where(and(usableToken(purpose, tokenHash), eq(users.status, 'active')))
    return row
  },
}
