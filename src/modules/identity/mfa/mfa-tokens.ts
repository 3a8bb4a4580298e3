/**
 * The sign-in challenge answered after the password step: `mfa1.<tenant uuid>.<256 random bits,
 * base64url>`. The tenant is in the token, as in refresh tokens, so the second step may be called
 * on a host that names no tenant; a host naming another tenant is refused. Only the SHA-256
 * digest is stored (the token is uniformly random).
 */
import { randomBytes } from 'node:crypto'
import { hashOneTimeToken, ONE_TIME_TOKEN_BYTES } from '../accounts/one-time-tokens.ts'

const FORMAT = /^mfa1\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.[A-Za-z0-9_-]{43}$/

export function newMfaToken(tenantId: string): { token: string; tokenHash: string } {
  const token = `mfa1.${tenantId.toLowerCase()}.${randomBytes(ONE_TIME_TOKEN_BYTES).toString('base64url')}`
  return { token, tokenHash: hashOneTimeToken(token) }
}

/** The tenant a well-formed challenge token names; undefined for anything else (then the Host must name it). */
export function tenantOfMfaToken(token: string): string | undefined {
  return FORMAT.exec(token)?.[1]
}
