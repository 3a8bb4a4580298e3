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
 * Whether an SMTP failure says the recipient address itself is bad, for good. Only a refusal at
 * RCPT TO counts, and only when it names the mailbox: an enhanced status 5.1.x (no such mailbox,
 * bad address, null MX) or 5.2.1 (mailbox disabled), or without an enhanced status the basic
 * 550/551/553. A refusal at MAIL FROM or DATA, or a 5.7.x (relay or policy denied, DMARC),
 * 5.4.x (routing) or 5.3.x (system) status, is about our sender, relay or content: it suppresses
 * nothing (security review: a relay outage answering "550 5.7.1 relaying denied" at RCPT would
 * otherwise have suppressed every address it refused).
 */
export function refusesAddress(failure: {
  permanent: boolean
  responseCode?: number
  command?: string
  enhancedCode?: string
}): boolean {
  if (!failure.permanent || failure.responseCode === undefined) return false
  if (failure.responseCode < 500 || failure.responseCode > 599) return false
  if (!/RCPT/i.test(failure.command ?? '')) return false
  if (failure.enhancedCode !== undefined)
    return /^5\.1\.\d+$/.test(failure.enhancedCode) || failure.enhancedCode === '5.2.1'
  return [550, 551, 553].includes(failure.responseCode)
}

/** What a suppression from SMTP records: the reply's codes, never its text (which names the address). */
export function suppressionDetail(codes: { responseCode?: number; command?: string; enhancedCode?: string }): string {
  return [codes.command, codes.responseCode, codes.enhancedCode].filter((part) => part !== undefined).join(' ')
}
