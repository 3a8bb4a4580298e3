/**
 * Suppressed addresses (suppressions.tables.ts): the delivery job settles mail to one as
 * `suppressed` without contacting SMTP; a permanent refusal of the recipient during delivery and
 * the provider's bounce and complaint events add one. Addresses are compared by a keyed hash.
 */
import { createHmac, hkdfSync } from 'node:crypto'
import { eq } from 'drizzle-orm'
import type { Tx } from '../db/database.ts'
import { mailSuppressions } from './suppressions.tables.ts'

export type SuppressionReason = 'bounce' | 'complaint'

/** The key addresses are hashed under, derived from KEY_ENCRYPTION_KEY (its own purpose). */
export function suppressionKey(keyEncryptionKey: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', keyEncryptionKey, new Uint8Array(0), 'lyceum mail suppression v1', 32))
}

export function addressHash(key: Buffer, address: string): string {
  return createHmac('sha256', key).update(address.trim().toLowerCase()).digest('base64url')
}

export const suppressionRepository = {
  async find(tx: Tx, hash: string): Promise<{ reason: SuppressionReason } | undefined> {
    const [row] = await tx
      .select({ reason: mailSuppressions.reason })
      .from(mailSuppressions)
      .where(eq(mailSuppressions.addressHash, hash))
    return row
  },

  /** Adds the address; a later complaint does not downgrade to a bounce or back (first reason kept). */
  async add(
    tx: Tx,
    entry: { addressHash: string; reason: SuppressionReason; source: 'smtp' | 'provider'; detail: string | null },
  ): Promise<boolean> {
    const rows = await tx
      .insert(mailSuppressions)
      .values(entry)
      .onConflictDoNothing({ target: mailSuppressions.addressHash })
      .returning({ id: mailSuppressions.id })
    return rows.length === 1
  },
}

/**
 * Whether an SMTP failure says the recipient address itself is bad, for good: a 5xx refusal at
 * RCPT TO, or a 550/551/553 ("mailbox unavailable", "user not local", "mailbox name not allowed")
 * at any stage. Other permanent failures (552 message too large, 554 content refused) are about
 * the message, not the address, and suppress nothing.
 */
export function refusesAddress(failure: { permanent: boolean; responseCode?: number; command?: string }): boolean {
  if (!failure.permanent || failure.responseCode === undefined) return false
  if (failure.responseCode < 500 || failure.responseCode > 599) return false
  return /RCPT/i.test(failure.command ?? '') || [550, 551, 553].includes(failure.responseCode)
}
