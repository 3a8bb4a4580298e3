/**
 * The two secrets of a browser session. The cookie is `bs1.<tenant uuid>.<256 random bits,
 * base64url>`: the tenant is in it because the lookup must run in a tenant scope (RLS) before
 * anything else is known, and the Host's tenant must then be the same one. The CSRF token is 256
 * random bits of its own, unrelated to the cookie. Only SHA-256 digests are stored: both values
 * are uniformly random, so a plain hash leaves nothing to guess.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

const COOKIE_FORMAT = /^bs1\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.[A-Za-z0-9_-]{43}$/
const RANDOM_BYTES = 32

export const hashBrowserSecret = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex')

export interface BrowserSessionSecrets {
  cookie: string
  cookieHash: string
  csrfToken: string
  csrfHash: string
}

export function newBrowserSessionSecrets(tenantId: string): BrowserSessionSecrets {
  const cookie = `bs1.${tenantId.toLowerCase()}.${randomBytes(RANDOM_BYTES).toString('base64url')}`
  const csrfToken = randomBytes(RANDOM_BYTES).toString('base64url')
  return { cookie, cookieHash: hashBrowserSecret(cookie), csrfToken, csrfHash: hashBrowserSecret(csrfToken) }
}

/** The tenant a well-formed session cookie names, or undefined for anything else. */
export function tenantOfCookie(cookie: string): string | undefined {
  return COOKIE_FORMAT.exec(cookie)?.[1]
}

/** Constant-time comparison of a presented CSRF token with the stored digest. */
export function csrfTokenMatches(presented: string | undefined, storedHash: string): boolean {
  if (presented === undefined) return false
  const expected = Buffer.from(storedHash, 'hex')
  const actual = Buffer.from(hashBrowserSecret(presented), 'hex')
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}
