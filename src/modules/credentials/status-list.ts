/**
 * The tenant's revocation list (W3C Bitstring Status List v1.0): every certificate takes the next
 * position when issued; revoking sets its bit. The list is published as a signed
 * BitstringStatusListCredential whose encodedList is the GZIP-compressed bitstring in multibase
 * base64url ('u' prefix), at least 131,072 bits long as the specification requires so that one
 * certificate's status does not stand out (group privacy).
 */
import { Bitstring } from '@digitalbazaar/bitstring'
import { sql } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import { statusListCounters } from './credentials.tables.ts'

/** The specification's minimum (16 KB); the list grows in steps of this size past it. */
export const STATUS_LIST_BITS = 131_072

/** The next free position of the tenant's list; concurrent issuers serialise on the counter row. */
export async function allocateStatusIndex(tx: Tx, tenantId: string): Promise<number> {
  const [row] = await tx
    .insert(statusListCounters)
    .values({ tenantId, nextIndex: 1 })
    .onConflictDoUpdate({
      target: statusListCounters.tenantId,
      set: { nextIndex: sql`${statusListCounters.nextIndex} + 1` },
    })
    .returning({ nextIndex: statusListCounters.nextIndex })
  if (!row) throw new Error('allocating a status list position returned no row')
  return row.nextIndex - 1
}

/** The length covering `positionsInUse`: the minimum, or the next multiple of it. */
export const listLength = (positionsInUse: number) =>
  Math.max(1, Math.ceil(positionsInUse / STATUS_LIST_BITS)) * STATUS_LIST_BITS

/** Multibase ('u' = base64url, no padding) of the GZIP-compressed bitstring, index 0 leftmost. */
export async function encodeStatusList(revoked: readonly number[], positionsInUse: number): Promise<string> {
  const bits = new Bitstring({ length: listLength(positionsInUse) })
  for (const index of revoked) bits.set(index, true)
  return `u${await bits.encodeBits()}`
}
