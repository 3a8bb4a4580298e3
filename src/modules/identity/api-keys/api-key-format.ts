/**
 * The API key format: `lyk1_<12 hex>.<tenant id>.<43 base64url chars>`.
 * - `lyk1_<12 hex>` is the visible prefix (listings, audit, support): 48 random bits, not secret.
 * - The tenant id lets the verifier look the key up in that tenant's scope, under RLS, without
 *   any cross-tenant query; a key whose tenant part was altered simply is not found.
 * - The last part is 256 random bits. Only the SHA-256 of the whole key is stored: the secret
 *   has full entropy, so a fast hash is enough and the lookup is a unique-index match.
 */
import { createHash, randomBytes } from 'node:crypto'

const KEY_PATTERN =
  /^(lyk1_[0-9a-f]{12})\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.[A-Za-z0-9_-]{43}$/

export interface ParsedApiKey {
  prefix: string
  tenantId: string
}

export interface NewApiKey extends ParsedApiKey {
  /** The full key, returned to the caller once and never stored. */
  secret: string
  secretHash: string
}

export const hashApiKey = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex')

export function generateApiKey(tenantId: string): NewApiKey {
  const prefix = `lyk1_${randomBytes(6).toString('hex')}`
  const secret = `${prefix}.${tenantId.toLowerCase()}.${randomBytes(32).toString('base64url')}`
  return { prefix, tenantId: tenantId.toLowerCase(), secret, secretHash: hashApiKey(secret) }
}

export const looksLikeApiKey = (bearer: string) => KEY_PATTERN.test(bearer)

export function parseApiKey(bearer: string): ParsedApiKey | undefined {
  const match = KEY_PATTERN.exec(bearer)
  return match?.[1] && match[2] ? { prefix: match[1], tenantId: match[2] } : undefined
}
