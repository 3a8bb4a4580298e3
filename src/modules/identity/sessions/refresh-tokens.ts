/**
 * Opaque refresh tokens: `rt1.<tenant uuid>.<256 random bits, base64url>`. The tenant is in the
 * token because the refresh route may be called on a host that names no tenant, and every lookup
 * must run in a tenant scope (RLS). Only the SHA-256 digest is stored: the token is uniformly
 * random, so a plain hash leaves nothing to guess.
 */
import { createHash, randomBytes } from 'node:crypto'

const FORMAT = /^rt1\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/
const RANDOM_BYTES = 32

export const hashRefreshToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex')

export function newRefreshToken(tenantId: string): { token: string; tokenHash: string } {
  const token = `rt1.${tenantId.toLowerCase()}.${randomBytes(RANDOM_BYTES).toString('base64url')}`
  return { token, tokenHash: hashRefreshToken(token) }
}

/** The tenant a well-formed refresh token names, or undefined for anything else (an access token included). */
export function tenantOfRefreshToken(token: string): string | undefined {
  return FORMAT.exec(token)?.[1]
}
