/**
 * The in-process copy of the signing keys: every unretired public key and the decrypted active
 * private key. Trusted for a short TTL; reloads are shared, so a burst of callers costs one query.
 */
import type { CryptoKey } from 'jose'
import { platformScope, type Database } from '../../../platform/db/database.ts'
import { decryptPrivateKey, importPublicKey, SIGNING_ALG, type PublicJwk } from './key-crypto.ts'
import { findUnretiredKeys, type SigningKeyRow } from './keys.repository.ts'

export interface VerificationKey {
  kid: string
  publicJwk: PublicJwk
  publicKey: CryptoKey
  retireAt: Date | null
}

export interface KeySnapshot {
  loadedAt: number
  keys: VerificationKey[]
  active: { kid: string; privateKey: CryptoKey } | undefined
}

export interface KeyCache {
  /** The cached keys, reloaded first when older than the TTL. */
  current(): Promise<KeySnapshot>
  reload(): Promise<KeySnapshot>
}

export function createKeyCache(deps: { database: Database; keyEncryptionKey: Uint8Array; ttlMs: number }): KeyCache {
  let snapshot: KeySnapshot | undefined
  let loading: Promise<KeySnapshot> | undefined

  async function load(): Promise<KeySnapshot> {
    const rows = (await deps.database.transaction(platformScope, (tx) => findUnretiredKeys(tx))).filter(
      (row) => row.alg === SIGNING_ALG,
    )
    const keys = await Promise.all(rows.map(toVerificationKey))
    const activeRow = rows.find((row) => row.supersededAt === null)
    // Decrypting the active key here is what makes a wrong KEY_ENCRYPTION_KEY fail at start.
    const active = activeRow
      ? {
          kid: activeRow.kid,
          privateKey: await decryptPrivateKey(activeRow.kid, activeRow.privateJwkEncrypted, deps.keyEncryptionKey),
        }
      : undefined
    return { loadedAt: Date.now(), keys, active }
  }

  function reload(): Promise<KeySnapshot> {
    loading ??= load()
      .then((loaded) => (snapshot = loaded))
      .finally(() => (loading = undefined))
    return loading
  }

  return {
    async current() {
      if (snapshot && Date.now() - snapshot.loadedAt < deps.ttlMs) return snapshot
      return reload()
    },
    reload,
  }
}

/** Checked at use time: a cached key retires on schedule even before the next reload. */
export const isUnretired = (key: VerificationKey) => key.retireAt === null || key.retireAt.getTime() > Date.now()

async function toVerificationKey(row: SigningKeyRow): Promise<VerificationKey> {
  const publicJwk = row.publicJwk as unknown as PublicJwk
  return { kid: row.kid, publicJwk, publicKey: await importPublicKey(publicJwk), retireAt: row.retireAt }
}
