/**
 * The in-process copy of the signing keys: every unretired public key and the decrypted active
 * private key. Trusted for a short TTL; loads are shared, so a burst of callers costs one query.
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
  /** Keys read after this call (after a rotation, or another node's change). */
  reload(): Promise<KeySnapshot>
}

export function createKeyCache(deps: { database: Database; keyEncryptionKey: Uint8Array; ttlMs: number }): KeyCache {
  let snapshot: KeySnapshot | undefined
  let loading: Promise<KeySnapshot> | undefined
  let queued: Promise<KeySnapshot> | undefined

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

  function startLoad(): Promise<KeySnapshot> {
    const started = load()
      .then((loaded) => (snapshot = loaded))
      .finally(() => (loading = undefined))
    loading = started
    return started
  }

  /**
   * A load that begins after this call. A load already in flight may have read the keys before
   * the caller's change (its own rotation, or another node's announced by the signing_keys
   * trigger), so sharing it could install the old keys; one more load is queued behind it instead,
   * shared by every caller that arrives meanwhile. Loads never overlap, so an older one cannot
   * finish last and overwrite a newer snapshot.
   */
  function reload(): Promise<KeySnapshot> {
    if (!loading) return startLoad()
    queued ??= loading
      .catch(() => undefined)
      .then(() => {
        queued = undefined
        return startLoad()
      })
    return queued
  }

  return {
    async current() {
      if (snapshot && Date.now() - snapshot.loadedAt < deps.ttlMs) return snapshot
      // Past the TTL any fresh enough load will do: share the one in flight.
      return queued ?? loading ?? startLoad()
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
