/**
 * The access-token signing keys: one active key signs, superseded keys keep verifying until their
 * retire_at, then drop out of the JWKS and stop verifying. Keys are cached in process for a short
 * TTL; a token naming an unknown kid triggers an early reload (at most one per interval), so a
 * rotation made by another node is picked up without waiting for the TTL.
 */
import type { Logger } from 'pino'
import type { CryptoKey } from 'jose'
import type { Database } from '../../../platform/db/database.ts'
import { parseKeyEncryptionKey, type PublicJwk } from './key-crypto.ts'
import { createKeyCache, isUnretired } from './key-cache.ts'
import { rotateWhen, type RotationDeps, type RotationResult } from './key-rotation.ts'

export type { RotationResult } from './key-rotation.ts'

export interface SigningKeyStoreOptions {
  database: Database
  /** base64url of 32 bytes (KEY_ENCRYPTION_KEY). */
  keyEncryptionKey: string
  rotationDays: number
  overlapHours: number
  logger?: Logger
  /** How long loaded keys are trusted before a reload (default 30 s, at most 60 s). */
  cacheTtlMs?: number
  /** Minimum spacing of reloads caused by unknown kids (default 5 s), so junk tokens cannot hammer the database. */
  unknownKidReloadMs?: number
}

const MAX_CACHE_TTL_MS = 60_000
const DAY_MS = 86_400_000

export type SigningKeyStore = ReturnType<typeof createSigningKeyStore>

export function createSigningKeyStore(options: SigningKeyStoreOptions) {
  const keyEncryptionKey = parseKeyEncryptionKey(options.keyEncryptionKey)
  const cache = createKeyCache({
    database: options.database,
    keyEncryptionKey,
    ttlMs: Math.min(options.cacheTtlMs ?? 30_000, MAX_CACHE_TTL_MS),
  })
  const unknownKidReloadMs = options.unknownKidReloadMs ?? 5_000
  const rotation: RotationDeps = {
    database: options.database,
    keyEncryptionKey,
    overlapSeconds: Math.round(options.overlapHours * 3600),
    logger: options.logger,
  }

  async function rotateAndReload(
    reason: string,
    due: Parameters<typeof rotateWhen>[2],
  ): Promise<RotationResult | null> {
    const result = await rotateWhen(rotation, reason, due)
    if (result) await cache.reload()
    return result
  }

  return {
    /** At start: creates the first key if there is none (safe when processes start together) and proves the KEK decrypts the active one. */
    async ensureActiveKey(): Promise<void> {
      await rotateAndReload('initial', (active) => active === undefined)
      await cache.reload()
    },
    /** Rotates now (the `lyceum keys rotate` command, or an operator's emergency). */
    async rotate(reason: string): Promise<RotationResult> {
      const result = await rotateAndReload(reason, () => true)
      if (!result) throw new Error('rotation did not happen')
      return result
    },
    /** Rotates when the active key is older than the rotation period (the scheduled job). */
    rotateIfDue(now: Date = new Date()): Promise<RotationResult | null> {
      return rotateAndReload(
        'scheduled',
        (active) => !active || now.getTime() - active.createdAt.getTime() >= options.rotationDays * DAY_MS,
      )
    },
    async signingKey(): Promise<{ kid: string; privateKey: CryptoKey }> {
      const { active } = await cache.current()
      if (!active) throw new Error('there is no active signing key; ensureActiveKey() runs at start')
      return active
    },
    /** The public key for `kid` if it still verifies; reloads early for a kid this process has not seen. */
    async verificationKey(kid: string): Promise<CryptoKey | undefined> {
      let loaded = await cache.current()
      if (!loaded.keys.some((key) => key.kid === kid) && Date.now() - loaded.loadedAt >= unknownKidReloadMs)
        loaded = await cache.reload()
      const key = loaded.keys.find((candidate) => candidate.kid === kid)
      return key && isUnretired(key) ? key.publicKey : undefined
    },
    /** Public JWKs of every key not yet retired (the JWKS document). */
    async publicJwks(): Promise<PublicJwk[]> {
      return (await cache.current()).keys.filter(isUnretired).map((key) => key.publicJwk)
    },
    /** Reloads now (tests, and after changes made out of band). */
    async refresh(): Promise<void> {
      await cache.reload()
    },
  }
}
