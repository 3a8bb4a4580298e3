/**
 * Drizzle queries on identity.signing_keys. Callers run them in the platform scope (the table is
 * platform-only) and take `lockSigningKeys` first whenever they may create or supersede a key.
 */
import { and, desc, eq, gt, isNull, or, sql } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { signingKeys } from '../identity.tables.ts'
import type { NewSigningKey } from './key-crypto.ts'

export type SigningKeyRow = typeof signingKeys.$inferSelect

/** Serialises key creation and rotation across processes until the transaction ends. */
export async function lockSigningKeys(tx: Tx): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended('identity.signing_keys', 0))`)
}

/** The key that signs new tokens: the newest one not superseded. */
export async function findActiveKey(tx: Tx): Promise<SigningKeyRow | undefined> {
  const [row] = await tx
    .select()
    .from(signingKeys)
    .where(isNull(signingKeys.supersededAt))
    .orderBy(desc(signingKeys.createdAt))
    .limit(1)
  return row
}

/** Every key that still verifies (not retired yet), newest first. */
export async function findUnretiredKeys(tx: Tx): Promise<SigningKeyRow[]> {
  return tx
    .select()
    .from(signingKeys)
    .where(or(isNull(signingKeys.retireAt), gt(signingKeys.retireAt, sql`now()`)))
    .orderBy(desc(signingKeys.createdAt))
}

export async function insertKey(tx: Tx, key: NewSigningKey): Promise<SigningKeyRow> {
  const [row] = await tx
    .insert(signingKeys)
    .values({
      kid: key.kid,
      alg: key.publicJwk.alg,
      publicJwk: { ...key.publicJwk },
      privateJwkEncrypted: key.privateJwkEncrypted,
    })
    .returning()
  if (!row) throw new Error('inserting a signing key returned no row')
  return row
}

/**
 * Hands signing over to a newer key: the old one keeps verifying for `overlapSeconds`. Its private
 * half is erased now, because a superseded key never signs again.
 */
export async function supersedeKey(tx: Tx, kid: string, overlapSeconds: number): Promise<Date> {
  const [row] = await tx
    .update(signingKeys)
    .set({
      supersededAt: sql`now()`,
      retireAt: sql`now() + ${overlapSeconds} * interval '1 second'`,
      privateJwkEncrypted: '',
    })
    .where(and(eq(signingKeys.kid, kid), isNull(signingKeys.supersededAt)))
    .returning({ retireAt: signingKeys.retireAt })
  if (!row?.retireAt) throw new Error(`signing key ${kid} was already superseded`)
  return row.retireAt
}
